// Reads a tar archive with tar-stream's extract: every entry with its size, mode and time, and the file
// bytes. Which folder layout the entries make is for the caller to judge.
import { extract, type Header } from 'tar-stream';
import { CloudseedError } from '../../errors.js';
import { checkEntryCount } from '../entry-names.js';
import { fileReader, type EntryType, type ImageEntry, type VolumeContents } from '../image-volume.js';
import { invalidImage } from '../invalid-image.js';
import { permissionBits } from '../posix-modes.js';

interface TarEntry extends ImageEntry {
  bytes: Uint8Array;
}

const entryTypes: Partial<Record<Header['type'], EntryType>> = {
  file: 'file',
  'contiguous-file': 'file',
  directory: 'directory',
  symlink: 'symlink',
};

/** Pure (no I/O, only a stream over the given bytes): a tar archive in, its entries out. */
export async function readTarContents(archive: Uint8Array): Promise<VolumeContents> {
  const entries = await extractEntries(archive);
  return {
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
    mode: Number.isInteger(header.mode) ? header.mode & permissionBits : null,
    modified: mtime instanceof Date && !Number.isNaN(mtime.getTime()) ? mtime : null,
    bytes,
  };
}
