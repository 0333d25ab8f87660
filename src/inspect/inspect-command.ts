// `cloudseed inspect <image> [--json] [--print NAME | --extract DIR]`: parses its own flags and prints.
// Errors are thrown as CloudseedErrors, with control characters escaped (they quote names from the image
// and paths from the command line); the CLI's main turns them into exit codes.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { CloudseedError } from '../errors.js';
import { extractFiles } from './extract-files.js';
import { formatInspection, inspectionToJson } from './format-inspection.js';
import { printableError } from './image-errors.js';
import { findFile } from './image-volume.js';
import { inspectImage } from './inspect-image.js';
import { printable, terminalSafeJson } from '../printable-text.js';

export const inspectUsage = `Usage: cloudseed inspect <image> [--json] [--print NAME | --extract DIR]

  Show a seed image's format, label and files: ISO 9660 (Joliet, Rock Ridge), FAT12/16/32, tar
  (cloud-localds's tar, tar-seed-local and tar-seed-net) and qcow2 holding any of them.

  --json          print the same as JSON
  --print NAME    write one file's bytes to stdout
  --extract DIR   write every file into DIR (created if missing); user-data is written 0600. Nothing
                  in DIR is overwritten, links and device files are not created, and names that
                  would leave DIR stop the extraction before anything is written
  -h, --help      this text`;

/** Where the command's output goes; tests capture it, the CLI uses the console and stdout. */
export interface InspectOutput {
  text(text: string): void;
  bytes(data: Uint8Array): Promise<void>;
}

interface InspectRequest {
  image: string;
  json: boolean;
  print: string | null;
  extract: string | null;
}

export const consoleInspectOutput: InspectOutput = {
  text: (text) => console.log(text),
  bytes: (data) =>
    new Promise((resolve, reject) => {
      // `--print user-data | head -1` closes the pipe early; that is the reader's choice, not a failure.
      process.stdout.write(data, (error) => (error && (error as NodeJS.ErrnoException).code !== 'EPIPE' ? reject(error) : resolve()));
    }),
};

export async function runInspect(argv: readonly string[], output: InspectOutput = consoleInspectOutput): Promise<void> {
  try {
    await inspect(argv, output);
  } catch (error) {
    throw printableError(error);
  }
}

async function inspect(argv: readonly string[], output: InspectOutput): Promise<void> {
  const request = parseInspectArguments(argv);
  if (request === 'help') return output.text(inspectUsage);
  const inspection = await inspectImage(request.image);
  if (request.print !== null) {
    const entry = findFile(inspection.volume, request.print);
    return output.bytes(inspection.volume.readFile(entry.path));
  }
  output.text(request.json ? terminalSafeJson(inspectionToJson(inspection)) : formatInspection(inspection));
  if (request.extract !== null) {
    const { written, skipped } = await extractFiles(inspection.volume, request.extract);
    if (request.json) return;
    for (const entry of skipped) {
      output.text(`skipped ${printable(entry.path)}: a ${entry.type === 'symlink' ? 'symbolic link' : 'link or device file'}, which cloudseed does not create`);
    }
    const names = written.map((file) => printable(path.relative(request.extract as string, file)));
    output.text(`extracted ${written.length} file(s) into ${printable(request.extract)}: ${names.join(', ')}`);
  }
}

export function parseInspectArguments(argv: readonly string[]): InspectRequest | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        json: { type: 'boolean', default: false },
        print: { type: 'string' },
        extract: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (cause) {
    throw usageError((cause as Error).message, cause);
  }
  const { values, positionals } = parsed;
  if (values.help) return 'help';
  const [image, ...extra] = positionals;
  if (image === undefined) throw usageError('inspect needs an image file');
  if (extra.length > 0) throw usageError(`unexpected arguments: ${extra.join(' ')}`);
  if (values.print !== undefined && (values.json || values.extract !== undefined)) {
    throw usageError('--print writes the file alone to stdout; it cannot be combined with --json or --extract');
  }
  return { image, json: values.json, print: values.print ?? null, extract: values.extract ?? null };
}

function usageError(message: string, cause?: unknown): CloudseedError {
  return new CloudseedError('USAGE', message, { hint: 'cloudseed inspect --help', cause });
}
