// `--extract DIR`: writes every file of an image under DIR. The names are checked first (extract-plan);
// then nothing already in DIR is overwritten or followed: an existing file, or a symbolic link where a
// folder would go, stops the extraction before anything is written. Files that hold secrets (user-data,
// vendor-data) are written 0600 whatever the image says. A failure part-way removes what this run wrote.
import { lstat, mkdir, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { CloudseedError } from '../errors.js';
import { planExtraction, type PlannedFile, type SkippedEntry } from './extract-plan.js';
import type { ImageEntry } from '../formats/index.js';
import type { ImageVolume } from './image-volume.js';

export type { SkippedEntry } from './extract-plan.js';

export interface ExtractResult {
  /** The files written, as paths under the folder given. */
  written: string[];
  /** Symbolic links, hard links and device files in the image, which are never created. */
  skipped: SkippedEntry[];
}

// cloud-init's documents that can carry passwords, keys and tokens.
const secretFileNames = new Set(['user-data', 'vendor-data']);
const secretMode = 0o600;
const defaultMode = 0o644;
// What the file system says when the folder or a path under it is wrong: the user's input, not our bug.
const inputErrorCodes = new Set(['EACCES', 'EPERM', 'EROFS', 'ENOTDIR', 'EISDIR', 'EEXIST', 'ENOENT', 'ELOOP', 'ENAMETOOLONG']);

/** Writes the files into `directory` (created if missing) and says what was written and skipped. */
export async function extractFiles(volume: ImageVolume, directory: string): Promise<ExtractResult> {
  const plan = planExtraction(volume.entries, directory);
  // Read before anything is written, so a file the image cannot give leaves nothing half-extracted.
  const contents = plan.files.map((file) => ({ ...file, bytes: volume.readFile(file.entry.path), target: path.join(directory, ...file.parts) }));
  await prepareDirectory(directory);
  for (const file of contents) await checkTarget(directory, file);
  const created: string[] = [];
  try {
    for (const file of contents) {
      await makeFolders(directory, file.parts.slice(0, -1), created);
      await writeFile(file.target, file.bytes, { mode: extractedMode(file.entry), flag: 'wx' });
      created.push(file.target);
    }
  } catch (cause) {
    await removeCreated(created);
    throw fileSystemError(cause, 'cannot extract into', directory);
  }
  return { written: contents.map((file) => file.target), skipped: plan.skipped };
}

/** The mode a file gets: 0600 for secrets, else the image's permission bits (or 0644), less set-id bits. */
export function extractedMode(entry: Pick<ImageEntry, 'path' | 'mode'>): number {
  // Any case: FAT names are case-insensitive, and cloud-init finds USER-DATA there too.
  const baseName = entry.path.slice(entry.path.lastIndexOf('/') + 1).toLowerCase();
  if (secretFileNames.has(baseName)) return secretMode;
  return (entry.mode ?? defaultMode) & 0o777;
}

async function prepareDirectory(directory: string): Promise<void> {
  try {
    // 0700: the folder will hold user-data; an existing folder keeps its own mode. The folder itself may
    // be a link the user chose; only what lies inside it is never followed.
    const existing = await stat(directory).catch(() => null);
    if (existing !== null && !existing.isDirectory()) {
      throw new CloudseedError('USAGE', `cannot extract into ${directory}: it exists and is not a folder`);
    }
    if (existing === null) await mkdir(directory, { recursive: true, mode: 0o700 });
  } catch (cause) {
    throw fileSystemError(cause, 'cannot extract into', directory);
  }
}

/** Refuses a target that exists, or whose folders exist as anything but real folders. */
async function checkTarget(directory: string, file: PlannedFile & { target: string }): Promise<void> {
  let current = directory;
  for (const [index, part] of file.parts.entries()) {
    current = path.join(current, part);
    const info = await lstat(current).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return null;
      throw fileSystemError(error, 'cannot check', current);
    });
    if (info === null) return;
    const last = index === file.parts.length - 1;
    if (last) throw refusal(`${current} already exists`, directory);
    if (info.isSymbolicLink()) throw refusal(`${current} is a symbolic link, which cloudseed does not follow inside ${directory}`, directory);
    if (!info.isDirectory()) throw refusal(`${current} already exists and is not a folder`, directory);
  }
}

/** The missing folders of `parts`, one at a time, each checked to be a real folder and not a link. */
async function makeFolders(directory: string, parts: readonly string[], created: string[]): Promise<void> {
  let current = directory;
  for (const part of parts) {
    current = path.join(current, part);
    try {
      await mkdir(current, { mode: 0o755 });
      created.push(current);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const info = await lstat(current);
      if (!info.isDirectory()) throw refusal(`${current} appeared while extracting and is not a folder`, directory);
    }
  }
}

/** Only what this run created, newest first: files, then the folders that held them (if now empty). */
async function removeCreated(created: readonly string[]): Promise<void> {
  for (const item of [...created].reverse()) {
    await rm(item, { force: true }).catch(() => rmdir(item)).catch(() => undefined);
  }
}

function refusal(problem: string, directory: string): CloudseedError {
  return new CloudseedError('USAGE', `${problem}; cloudseed never overwrites or follows what it did not write`, {
    hint: `nothing was extracted; move it away or extract into a new folder instead of ${directory}`,
  });
}

function fileSystemError(cause: unknown, doing: string, target: string): CloudseedError {
  if (cause instanceof CloudseedError) return cause;
  const code = (cause as NodeJS.ErrnoException).code ?? '';
  const reason = (cause as Error).message;
  if (code === 'EEXIST') return refusal(`a file in ${target} already exists (${reason})`, target);
  const kind = inputErrorCodes.has(code) ? 'USAGE' : 'IO_FAILED';
  return new CloudseedError(kind, `${doing} ${target}: ${reason}`, { cause });
}
