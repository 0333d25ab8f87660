// `--extract DIR`: writes every file of an image under DIR, refusing any path that would land outside
// it, and writing the files that hold secrets (user-data, vendor-data) as 0600 whatever the image says.
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { CloudseedError } from '../errors.js';
import type { ImageEntry, ImageVolume } from './image-volume.js';

// cloud-init's documents that can carry passwords, keys and tokens.
const secretFileNames = new Set(['user-data', 'vendor-data']);
const secretMode = 0o600;
const defaultMode = 0o644;

/** Writes the files into `directory` (created if missing; it must be empty) and returns the paths written. */
export async function extractFiles(volume: ImageVolume, directory: string): Promise<string[]> {
  const files = latestFiles(volume.entries);
  // Every path is checked before anything is written, so a bad name leaves nothing half-extracted.
  const targets = files.map((entry) => ({ entry, target: targetPath(directory, entry.path) }));
  await prepareDirectory(directory);
  for (const { entry, target } of targets) await writeExtracted(target, volume.readFile(entry.path), extractedMode(entry));
  return targets.map(({ target }) => target);
}

async function writeExtracted(target: string, bytes: Uint8Array, mode: number): Promise<void> {
  try {
    await mkdir(path.dirname(target), { recursive: true, mode: 0o755 });
    // `wx` never follows a symlink or overwrites: the folder was empty, so anything there is a duplicate.
    await writeFile(target, bytes, { mode, flag: 'wx' });
  } catch (cause) {
    throw new CloudseedError('IO_FAILED', `cannot write ${target}: ${(cause as Error).message}`, { cause });
  }
}

/** The mode a file gets: 0600 for secrets, else the image's permission bits (or 0644), less set-id bits. */
export function extractedMode(entry: Pick<ImageEntry, 'path' | 'mode'>): number {
  const baseName = entry.path.slice(entry.path.lastIndexOf('/') + 1);
  if (secretFileNames.has(baseName)) return secretMode;
  return (entry.mode ?? defaultMode) & 0o777;
}

/** One entry per path, the last one (tar's rule for an archive that holds a path twice). */
function latestFiles(entries: readonly ImageEntry[]): ImageEntry[] {
  const byPath = new Map<string, ImageEntry>();
  for (const entry of entries) if (entry.type === 'file') byPath.set(entry.path, entry);
  return [...byPath.values()];
}

/** Where `entryPath` goes under `directory`; an absolute path or one that `..` leads out of is refused. */
function targetPath(directory: string, entryPath: string): string {
  const root = path.resolve(directory);
  const target = path.resolve(root, ...entryPath.split('/'));
  if (entryPath.startsWith('/') || entryPath.includes('\0') || !target.startsWith(root + path.sep)) {
    throw new CloudseedError('SPEC_INVALID', `the image holds a file named ${JSON.stringify(entryPath)}, which would be written outside ${directory}`, {
      hint: 'nothing was extracted; a seed image has no reason to hold such a name, so it may be malicious',
    });
  }
  return target;
}

async function prepareDirectory(directory: string): Promise<void> {
  try {
    // 0700: the folder will hold user-data; an existing folder keeps its own mode.
    await mkdir(directory, { recursive: true, mode: 0o700 });
    const present = await readdir(directory);
    if (present.length > 0) {
      throw new CloudseedError('USAGE', `${directory} is not empty; expected a new or empty folder to extract into`);
    }
  } catch (cause) {
    if (cause instanceof CloudseedError) throw cause;
    throw new CloudseedError('IO_FAILED', `cannot create ${directory}: ${(cause as Error).message}`, { cause });
  }
}
