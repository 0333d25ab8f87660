// `cloudseed localds`: a drop-in for cloud-localds (cloud-image-utils) with the same flags and the
// same image content, packed by cloudseed's own writers unless --packer says otherwise.
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { CloudseedError } from '../errors.js';
import { packSeed, type PackerChoice, type SeedFile, type SeedFilesystem, type SeedFormat } from '../pack/index.js';
import { sourceDateEpochFromEnv } from '../pack/source-date.js';

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
  files: SeedFile[];
  filesystem: SeedFilesystem;
  diskFormat: SeedFormat;
  packer: PackerChoice;
  verbose: boolean;
}

function usageError(message: string): CloudseedError {
  return new CloudseedError('USAGE', message, { hint: 'cloudseed localds --help' });
}

async function readInput(file: string, what: string): Promise<Uint8Array> {
  try {
    if (file === '-') {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks);
    }
    return await readFile(file);
  } catch (cause) {
    throw new CloudseedError('USAGE', `${file}: cannot read ${what}`, { cause });
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
    throw new CloudseedError('USAGE', (cause as Error).message, { hint: 'cloudseed localds --help', cause });
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
  const files: SeedFile[] = [{ path: 'user-data', bytes: await readInput(userData, 'user-data'), mode: 0o600 }];
  const meta = metaData !== undefined
    ? await readInput(metaData, 'meta-data')
    : new TextEncoder().encode(generatedMetaData({
      hostname: values.hostname,
      interfaces: values.interfaces === undefined ? undefined : new TextDecoder().decode(await readInput(values.interfaces, 'interfaces')),
      dsmode: values.dsmode,
    }));
  files.push({ path: 'meta-data', bytes: meta, mode: 0o644 });
  if (values['network-config'] !== undefined) files.push({ path: 'network-config', bytes: await readInput(values['network-config'], 'network-config'), mode: 0o644 });
  if (values['vendor-data'] !== undefined) files.push({ path: 'vendor-data', bytes: await readInput(values['vendor-data'], 'vendor-data'), mode: 0o644 });
  return {
    output,
    files,
    filesystem: filesystem === 'tar' ? 'iso9660' : filesystem,
    diskFormat: diskFormat as SeedFormat,
    packer: values.packer as PackerChoice,
    verbose: values.verbose,
  };
}

/** Writes the image to a temporary file beside `output` and renames it into place. */
async function writeOutput(output: string, bytes: Uint8Array): Promise<void> {
  if (output === '-') {
    process.stdout.write(bytes);
    return;
  }
  const temporary = path.join(path.dirname(output), `.${path.basename(output)}.cloudseed-${process.pid}`);
  try {
    await writeFile(temporary, bytes, { mode: 0o600 });
    await rename(temporary, output);
  } catch (cause) {
    await rm(temporary, { force: true });
    throw new CloudseedError('IO_FAILED', `cannot write ${output}`, { cause });
  }
}

export async function runLocalds(argv: string[]): Promise<void> {
  const request = await parseLocalds(argv);
  if (request === null) return console.log(localdsUsage);
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
