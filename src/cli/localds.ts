// `cloudseed localds`: a drop-in for cloud-localds (cloud-image-utils) with the same flags and the
// same image content, packed by cloudseed's own writers unless --packer says otherwise. Unlike
// cloud-localds it refuses an output that is one of its inputs (by any path), which it would destroy.
import { fstatSync, type Stats } from 'node:fs';
import { open, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { CloudseedError } from '../errors.js';
import { printableError } from '../inspect/image-errors.js';
import { packSeed, type PackerChoice, type SeedFile, type SeedFilesystem, type SeedFormat } from '../pack/index.js';
import { sourceDateEpochFromEnv } from '../pack/source-date.js';
import { optionNamesIn } from './command-help.js';
import { optionProblem } from './option-problems.js';

export const localdsUsage = `Usage: cloudseed localds [options] output user-data [meta-data]

  Create a disk for cloud-init to utilize nocloud (the flags of cloud-localds)

  -d | --disk-format D     raw (default), qcow2, tar, tar-seed-local or tar-seed-net
  -f | --filesystem F      iso9660 (default; "iso" also) or vfat
  -H | --hostname H        set local-hostname in the generated meta-data
  -i | --interfaces F      put an interfaces(5) file into the generated meta-data
  -N | --network-config F  add F as network-config
  -m | --dsmode M          add dsmode (local or net) to the generated meta-data
  -V | --vendor-data F     add F as vendor-data
  -v | --verbose           say what was written
       --packer P          native (default), genisoimage, xorriso, mkisofs, mtools or cloud-localds

  --hostname, --interfaces and --dsmode cannot be used with a meta-data file. output or user-data
  may be "-" for stdout or stdin.`;

interface LocaldsRequest {
  output: string;
  /** Every input read, with the file it was (device and inode), to keep the output off all of them. */
  inputs: InputFile[];
  files: SeedFile[];
  filesystem: SeedFilesystem;
  diskFormat: SeedFormat;
  packer: PackerChoice;
  verbose: boolean;
}

function usageError(message: string): CloudseedError {
  return new CloudseedError('USAGE', message, { hint: 'cloudseed localds --help' });
}

interface InputFile {
  name: string;
  what: string;
  identity: Pick<Stats, 'dev' | 'ino'> | null;
}

// cloud-init reads its documents whole; anything this large is a mistake such as /dev/zero.
const maxInputBytes = 64 * 1024 * 1024;

/**
 * Reads an input through one handle, checked on that handle: a folder is refused, a FIFO or
 * `<(process substitution)` is read to its end, and nothing is read past `maxInputBytes`.
 */
async function readInput(file: string, what: string, inputs: InputFile[]): Promise<Uint8Array> {
  if (file === '-') {
    inputs.push({ name: 'standard input', what, identity: standardInputIdentity() });
    return readBounded(process.stdin, file, what);
  }
  let handle;
  try {
    handle = await open(file, 'r');
    const info = await handle.stat();
    if (info.isDirectory()) throw usageError(`${file} is a folder; expected a file with the ${what}`);
    inputs.push({ name: file, what, identity: info });
    return await readBounded(handle.createReadStream({ autoClose: false }), file, what);
  } catch (cause) {
    if (cause instanceof CloudseedError) throw cause;
    const code = (cause as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : ((cause as Error).message);
    throw new CloudseedError('USAGE', `${file}: cannot read ${what}: ${reason}`, { hint: 'cloudseed localds --help', cause });
  } finally {
    await handle?.close();
  }
}

async function readBounded(stream: AsyncIterable<unknown>, file: string, what: string): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    chunks.push(chunk as Buffer);
    total += (chunk as Buffer).length;
    if (total > maxInputBytes) throw usageError(`${file === '-' ? 'standard input' : file}: the ${what} is more than ${maxInputBytes} bytes; expected a cloud-init document`);
  }
  return Buffer.concat(chunks);
}

/** Standard input's file when it is redirected from one (`< seed.img`), so the output is kept off it too. */
function standardInputIdentity(): Pick<Stats, 'dev' | 'ino'> | null {
  try {
    const info = fstatSync(0);
    return info.isFile() ? info : null;
  } catch {
    return null;
  }
}

/** cloud-localds's own meta-data when none is given: JSON (a subset of YAML), one key a line. */
export function generatedMetaData(fields: { hostname?: string; interfaces?: string; dsmode?: string }): string {
  const entries: [string, string | undefined][] = [
    // The same fixed id cloud-localds writes, so both give the same image; pass a meta-data file
    // (or use `cloudseed build`, which derives one per VM) to get a unique id.
    ['instance-id', 'iid-local01'],
    ['local-hostname', fields.hostname],
    // Like the shell's $(...): trailing newlines go; JSON.stringify then writes inner ones as \n.
    ['interfaces', fields.interfaces?.replace(/\n+$/, '')],
    ['dsmode', fields.dsmode],
  ];
  const lines = entries.filter(([, value]) => value).map(([key, value]) => `${JSON.stringify(key)}: ${JSON.stringify(value)}`);
  return `{\n${lines.join(',\n')}\n}\n`;
}

const formats: readonly string[] = ['raw', 'qcow2', 'tar', 'tar-seed-local', 'tar-seed-net'];

function parseLocaldsFlags(argv: string[]) {
  try {
    return parseFlags(argv);
  } catch (cause) {
    throw optionProblem(cause, { command: 'localds', options: optionNamesIn(localdsUsage) });
  }
}

function parseFlags(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'disk-format': { type: 'string', short: 'd', default: 'raw' },
      filesystem: { type: 'string', short: 'f' },
      hostname: { type: 'string', short: 'H' },
      interfaces: { type: 'string', short: 'i' },
      'network-config': { type: 'string', short: 'N' },
      dsmode: { type: 'string', short: 'm' },
      'vendor-data': { type: 'string', short: 'V' },
      verbose: { type: 'boolean', short: 'v', default: false },
      packer: { type: 'string', default: 'native' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
}

async function parseLocalds(argv: string[]): Promise<LocaldsRequest | null> {
  const { values, positionals } = parseLocaldsFlags(argv);
  if (values.help) return null;
  const [output, userData, metaData, ...extra] = positionals;
  if (output === undefined || userData === undefined) throw usageError('must provide output, user-data');
  if (extra.length > 0) throw usageError('confused by additional arguments');
  if (metaData !== undefined && (values.hostname ?? values.interfaces ?? values.dsmode) !== undefined) {
    throw usageError('meta-data is incompatible with: --interfaces, --hostname, --dsmode');
  }
  const diskFormat = values['disk-format'];
  if (!formats.includes(diskFormat)) throw usageError(`unknown disk format ${diskFormat} (cloudseed writes ${formats.join(', ')})`);
  if (diskFormat.startsWith('tar') && values.filesystem !== undefined && values.filesystem !== 'tar') {
    throw usageError('diskformat=tar is incompatible with filesystem');
  }
  const filesystem = values.filesystem === undefined || values.filesystem === 'iso' ? 'iso9660' : values.filesystem;
  if (filesystem !== 'iso9660' && filesystem !== 'vfat' && filesystem !== 'tar') throw usageError(`unknown filesystem ${filesystem}`);
  const inputs: InputFile[] = [];
  const files: SeedFile[] = [{ path: 'user-data', bytes: await readInput(userData, 'user-data', inputs), mode: 0o600 }];
  const meta = metaData !== undefined
    ? await readInput(metaData, 'meta-data', inputs)
    : new TextEncoder().encode(generatedMetaData({
      hostname: values.hostname,
      interfaces: values.interfaces === undefined ? undefined : new TextDecoder().decode(await readInput(values.interfaces, 'interfaces', inputs)),
      dsmode: values.dsmode,
    }));
  files.push({ path: 'meta-data', bytes: meta, mode: 0o644 });
  if (values['network-config'] !== undefined) files.push({ path: 'network-config', bytes: await readInput(values['network-config'], 'network-config', inputs), mode: 0o644 });
  if (values['vendor-data'] !== undefined) files.push({ path: 'vendor-data', bytes: await readInput(values['vendor-data'], 'vendor-data', inputs), mode: 0o644 });
  return {
    output,
    inputs,
    files,
    filesystem: filesystem === 'tar' ? 'iso9660' : filesystem,
    diskFormat: diskFormat as SeedFormat,
    packer: values.packer as PackerChoice,
    verbose: values.verbose,
  };
}

/**
 * Refuses, before anything is written, an output that is a folder, whose folder is missing, or that is
 * one of the inputs by any path (`localds ud ud`, a symbolic or hard link): the rename would destroy it.
 */
async function checkOutput(output: string, inputs: readonly InputFile[]): Promise<void> {
  if (output === '-') return;
  const folder = path.dirname(output);
  const folderInfo = await stat(folder).catch(() => null);
  if (folderInfo === null) throw usageError(`cannot write ${output}: the folder ${folder} does not exist`);
  if (!folderInfo.isDirectory()) throw usageError(`cannot write ${output}: ${folder} is not a folder`);
  const info = await stat(output).catch(() => null);
  if (info === null) return;
  if (info.isDirectory()) throw usageError(`cannot write ${output}: it is a folder; expected the path of the image file to write`);
  const same = inputs.find((input) => input.identity !== null && input.identity.dev === info.dev && input.identity.ino === info.ino);
  if (same !== undefined) {
    const through = same.name === output ? '' : ` (${same.name})`;
    throw usageError(`the output ${output} is the ${same.what} input${through}; writing it would destroy the input`);
  }
}

// What the file system says when the output path is wrong: the user's input, not our bug.
const inputErrorCodes = new Set(['EACCES', 'EPERM', 'EROFS', 'ENOTDIR', 'EISDIR', 'ENOENT', 'ELOOP', 'ENAMETOOLONG', 'EEXIST', 'ENOTEMPTY']);

/** Writes the image to a temporary file beside `output` and renames it into place. */
async function writeOutput(output: string, bytes: Uint8Array): Promise<void> {
  if (output === '-') {
    process.stdout.write(bytes);
    return;
  }
  const temporary = path.join(path.dirname(output), `.${path.basename(output)}.cloudseed-${process.pid}`);
  let created = false;
  try {
    // `wx`: never through a link or over a file someone else put at the temporary name.
    const handle = await open(temporary, 'wx', 0o600);
    created = true;
    try {
      await handle.writeFile(bytes);
    } finally {
      await handle.close();
    }
    await rename(temporary, output);
  } catch (cause) {
    if (created) await rm(temporary, { force: true });
    const code = (cause as NodeJS.ErrnoException).code ?? '';
    const kind = inputErrorCodes.has(code) ? 'USAGE' : 'IO_FAILED';
    throw new CloudseedError(kind, `cannot write ${output}: ${(cause as Error).message}`, { cause });
  }
}

export async function runLocalds(argv: string[]): Promise<void> {
  try {
    await localds(argv);
  } catch (error) {
    // Messages quote paths from the command line: control characters in them are shown escaped.
    throw printableError(error);
  }
}

async function localds(argv: string[]): Promise<void> {
  const request = await parseLocalds(argv);
  if (request === null) return console.log(localdsUsage);
  await checkOutput(request.output, request.inputs);
  const packed = await packSeed(request.files, {
    label: 'cidata',
    filesystem: request.filesystem,
    diskFormat: request.diskFormat,
    packer: request.packer,
    sourceDateEpoch: sourceDateEpochFromEnv(),
    buildTime: Math.floor(Date.now() / 1000),
  });
  await writeOutput(request.output, packed.bytes);
  if (request.verbose) console.error(`wrote ${request.output} with filesystem=${request.filesystem} and diskformat=${request.diskFormat} (${packed.packer})`);
}
