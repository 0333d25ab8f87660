// Which entries `--extract` writes, decided before anything is written: every path is checked part by
// part (no `..`, no absolute path, no empty part, no NUL, no part too long for the file system), no two
// files may land on one path (not even differing only in case, which would collide on macOS or vfat),
// and links and device files are never created: they are skipped, and listed so the user knows.
import { CloudseedError } from '../errors.js';
import type { EntryType, ImageEntry } from '../formats/index.js';

export interface PlannedFile {
  entry: ImageEntry;
  /** The path's parts, each one safe to create inside the extraction folder. */
  parts: string[];
}

export interface SkippedEntry {
  path: string;
  type: Exclude<EntryType, 'file' | 'directory'>;
}

export interface ExtractPlan {
  files: PlannedFile[];
  skipped: SkippedEntry[];
}

// Linux's NAME_MAX and a margin under PATH_MAX for the extraction folder's own path.
const maxPartBytes = 255;
const maxPathBytes = 3072;
const encoder = new TextEncoder();

export function planExtraction(entries: readonly ImageEntry[], directory: string): ExtractPlan {
  const files: PlannedFile[] = [];
  const skipped: SkippedEntry[] = [];
  const claims = new PathClaims(directory);
  for (const entry of entries) {
    const parts = safeParts(entry.path, directory);
    if (entry.type === 'symlink' || entry.type === 'other') {
      skipped.push({ path: entry.path, type: entry.type });
      continue;
    }
    claims.claim(parts, entry.type === 'file' ? 'file' : 'folder', entry.path);
    if (entry.type === 'file') files.push({ entry, parts });
  }
  return { files, skipped };
}

function safeParts(entryPath: string, directory: string): string[] {
  const refuse = (why: string) =>
    new CloudseedError('SPEC_INVALID', `the image holds an entry named ${JSON.stringify(entryPath)}, ${why}`, {
      hint: `nothing was extracted into ${directory}; a seed image has no reason to hold such a name, so it may be malicious`,
    });
  if (entryPath.startsWith('/')) throw refuse('an absolute path, which would be written outside the extraction folder');
  if (entryPath.includes('\0')) throw refuse('which holds a NUL character');
  if (encoder.encode(entryPath).length > maxPathBytes) throw refuse(`a path longer than ${maxPathBytes} bytes`);
  const parts = entryPath.split('/');
  for (const part of parts) {
    if (part === '..') throw refuse('which would be written outside the extraction folder');
    if (part === '' || part === '.') throw refuse('which has an empty or "." part');
    if (encoder.encode(part).length > maxPartBytes) throw refuse(`which has a part longer than ${maxPartBytes} bytes`);
  }
  return parts;
}

/** Every path a file or folder will take, folded to one case, with what takes it. */
class PathClaims {
  private readonly taken = new Map<string, { kind: 'file' | 'folder'; path: string }>();

  constructor(private readonly directory: string) {}

  claim(parts: readonly string[], kind: 'file' | 'folder', entryPath: string): void {
    for (let count = 1; count < parts.length; count += 1) this.take(parts.slice(0, count), 'folder', entryPath);
    this.take(parts, kind, entryPath);
  }

  private take(parts: readonly string[], kind: 'file' | 'folder', entryPath: string): void {
    const key = parts.join('/').normalize('NFC').toLowerCase();
    const holder = this.taken.get(key);
    if (holder === undefined) return void this.taken.set(key, { kind, path: parts.join('/') });
    if (holder.kind === 'folder' && kind === 'folder' && holder.path === parts.join('/')) return;
    const here = parts.join('/');
    const clash =
      holder.path === here && holder.kind === kind ? `holds ${JSON.stringify(here)} twice`
      : holder.path === here ? `holds ${JSON.stringify(here)} both as a file and as a folder (for ${JSON.stringify(entryPath)})`
      : `holds ${JSON.stringify(holder.path)} and ${JSON.stringify(here)}, which differ only in case`;
    throw new CloudseedError('SPEC_INVALID', `the image ${clash}; extracted, one would overwrite the other`, {
      hint: `nothing was extracted into ${this.directory}; read each file with --print instead`,
    });
  }
}
