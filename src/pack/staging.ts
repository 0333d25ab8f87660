// Puts seed files on disk for an external packer: a private directory (mode 0700) holding each file
// with the mode its SeedFile says, removed again however the packer ends.
import { chmod, mkdir, mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CloudseedError } from '../errors.js';
import type { PackOptions, SeedFile } from './seed-file.js';

export interface StagedSeed {
  /** Absolute paths of the staged files, in the order they were given. */
  filePaths: string[];
  /** The same paths by seed file name, e.g. `user-data`. */
  pathByName: ReadonlyMap<string, string>;
  /** Where the packer should write its image; nothing is there yet. */
  imagePath: string;
}

// A plain name, so it lands at the volume's root, and never a leading dash, so no tool reads it as an option.
const seedFileNamePattern = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;

/** Stages `files`, lets `use` run a tool on them, and removes everything afterwards. */
export async function withStagedSeed<T>(
  files: readonly SeedFile[],
  options: Pick<PackOptions, 'sourceDateEpoch'>,
  use: (staged: StagedSeed) => Promise<T>,
): Promise<T> {
  checkSeedFiles(files);
  checkSourceDateEpoch(options.sourceDateEpoch);
  return withTemporaryDirectory(async (directory) => {
    // Only the files live in `content`, so a tool given that directory could not pick up the image.
    const contentDirectory = path.join(directory, 'content');
    await mkdir(contentDirectory, { mode: 0o700 });
    const pathByName = new Map<string, string>();
    for (const file of files) {
      pathByName.set(file.path, await stageFile(contentDirectory, file, options.sourceDateEpoch));
    }
    return use({ filePaths: [...pathByName.values()], pathByName, imagePath: path.join(directory, 'seed.img') });
  });
}

/** Runs `use` with a fresh private directory (mkdtemp makes it 0700) and always removes it. */
export async function withTemporaryDirectory<T>(use: (directory: string) => Promise<T>): Promise<T> {
  const directory = await mkdtemp(path.join(tmpdir(), 'cloudseed-'));
  try {
    return await use(directory);
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

/** Reads an image a tool wrote, as a plain Uint8Array (not a Buffer) so callers compare like with like. */
export async function readImage(imagePath: string): Promise<Uint8Array> {
  const buffer = await readFile(imagePath);
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

async function stageFile(directory: string, file: SeedFile, sourceDateEpoch: number | null): Promise<string> {
  const filePath = path.join(directory, file.path);
  await writeFile(filePath, file.bytes, { mode: file.mode, flag: 'wx' });
  // The umask may have cleared bits from the mode we asked for; the SeedFile's mode is the one to keep.
  await chmod(filePath, file.mode);
  // Tools copy each file's modification time into the image, so it must be the epoch for equal bytes.
  if (sourceDateEpoch !== null) await utimes(filePath, sourceDateEpoch, sourceDateEpoch);
  return filePath;
}

function checkSeedFiles(files: readonly SeedFile[]): void {
  if (files.length === 0) throw new CloudseedError('USAGE', 'there are no seed files to pack');
  const seen = new Set<string>();
  for (const file of files) {
    if (!seedFileNamePattern.test(file.path)) {
      throw new CloudseedError('USAGE', `seed file name ${JSON.stringify(file.path)} is not a plain file name`, {
        hint: 'seed files sit at the root of the volume: use names like user-data, meta-data, network-config',
      });
    }
    if (seen.has(file.path)) {
      throw new CloudseedError('USAGE', `seed file ${file.path} is given twice`);
    }
    // The tools run as the same user and must read the file: 0o400 and up all have the owner's read bit.
    if (!Number.isInteger(file.mode) || file.mode < 0o400 || file.mode > 0o777) {
      const mode = Number.isInteger(file.mode) ? `0o${file.mode.toString(8)}` : String(file.mode);
      const message = `seed file ${file.path} has mode ${mode}; expected 0o400 to 0o777 (readable by its owner)`;
      throw new CloudseedError('USAGE', message);
    }
    seen.add(file.path);
  }
}

function checkSourceDateEpoch(sourceDateEpoch: number | null): void {
  if (sourceDateEpoch === null || (Number.isSafeInteger(sourceDateEpoch) && sourceDateEpoch >= 0)) return;
  const message = `source date epoch ${sourceDateEpoch} is not a whole number of seconds since 1970`;
  throw new CloudseedError('USAGE', message);
}
