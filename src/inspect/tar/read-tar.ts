// Reads a tar archive with tar-stream's extract: every entry with its size, mode and time, the file
// bytes, and which of cloud-localds's layouts it has (files at the top, or under NoCloud's seed folders).
import { extract, type Header } from 'tar-stream';
import { CloudseedError } from '../../errors.js';
import type { TarLayout } from '../../pack/seed-file.js';
import { checkEntryCount } from '../entry-names.js';
import { invalidImage } from '../image-errors.js';
import { fileReader, type EntryType, type ImageEntry, type TarArchive } from '../image-volume.js';

interface TarEntry extends ImageEntry {
  bytes: Uint8Array;
}

const seedFolders: readonly (readonly [TarLayout, string])[] = [
  ['tar-seed-local', 'var/lib/cloud/seed/nocloud/'],
  ['tar-seed-net', 'var/lib/cloud/seed/nocloud-net/'],
];

const entryTypes: Partial<Record<Header['type'], EntryType>> = {
  file: 'file',
  'contiguous-file': 'file',
  directory: 'directory',
  symlink: 'symlink',
};

/** Pure (no I/O, only a stream over the given bytes): a tar archive in, its entries out. */
export async function readTar(archive: Uint8Array): Promise<TarArchive> {
  const entries = await extractEntries(archive);
  return {
    format: 'tar',
    layout: detectLayout(entries),
    label: null,
    entries: entries.map(({ bytes: _bytes, ...entry }) => entry),
    readFile: fileReader(entries, (entry) => entry.bytes.slice()),
  };
}

async function extractEntries(archive: Uint8Array): Promise<TarEntry[]> {
  const extractor = extract();
  extractor.end(Buffer.from(archive.buffer, archive.byteOffset, archive.byteLength));
  const entries: TarEntry[] = [];
  try {
    for await (const entry of extractor) {
      const chunks: Buffer[] = [];
      for await (const chunk of entry) chunks.push(chunk as Buffer);
      const described = describeEntry(entry.header, new Uint8Array(Buffer.concat(chunks)));
      // `tar -C dir -cf x .` starts with `./`, the archive's own root, which is no entry of its own.
      if (described.path !== '' && described.path !== '.') entries.push(described);
      checkEntryCount(entries.length);
    }
  } catch (cause) {
    if (cause instanceof CloudseedError) throw cause;
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw invalidImage(`not a readable tar archive: ${reason}`, 'the archive is truncated or corrupt; write it again from its seed files');
  }
  return entries;
}

function describeEntry(header: Header, bytes: Uint8Array): TarEntry {
  const type = entryTypes[header.type] ?? 'other';
  const mtime = header.mtime;
  return {
    // `./user-data` and `folder/` name the same things as `user-data` and `folder`.
    path: header.name.replace(/^(\.\/)+/, '').replace(/\/+$/, ''),
    type,
    size: type === 'file' ? bytes.length : 0,
    mode: Number.isInteger(header.mode) ? header.mode & 0o7777 : null,
    modified: mtime instanceof Date && !Number.isNaN(mtime.getTime()) ? mtime : null,
    bytes,
  };
}

/** `tar` when every file is at the top; a seed layout when every file is directly in its folder. */
function detectLayout(entries: readonly ImageEntry[]): TarLayout | null {
  const files = entries.filter((entry) => entry.type === 'file');
  if (files.length === 0) return null;
  if (files.every((file) => !file.path.includes('/'))) return 'tar';
  for (const [layout, folder] of seedFolders) {
    const inFolder = files.every((file) => file.path.startsWith(folder) && !file.path.slice(folder.length).includes('/'));
    if (inFolder) return layout;
  }
  return null;
}
