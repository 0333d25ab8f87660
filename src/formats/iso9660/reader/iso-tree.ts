// Walks one directory hierarchy (the primary one with Rock Ridge, or Joliet's) into entries with paths,
// following subdirectories once each, so a directory that points back at an ancestor cannot loop.
import { sliceOf } from '../../byte-fields.js';
import { checkEntryCount, checkedEntryName } from '../../entry-names.js';
import { invalidImage } from '../../invalid-image.js';
import type { EntryType, ImageEntry } from '../../image-volume.js';
import { fileTypeMask, fileTypes, permissionBits } from '../../posix-modes.js';
import { directoryRecordFlags } from '../iso9660-layout.js';
import { isSelfOrParent, jolietName, listDirectoryRecords, plainName, type DirectoryRecord } from './directory-records.js';
import { readSystemUse } from './system-use.js';

/** Which names to read: Rock Ridge NM (after skipping SP's LEN_SKP bytes), Joliet's UCS-2, or plain ISO. */
export type IsoNaming = { kind: 'rockRidge'; skip: number } | { kind: 'joliet' } | { kind: 'plain' };

export interface IsoEntry extends ImageEntry {
  /** Where the data is: one extent, or several for a multi-extent file. */
  extents: { block: number; length: number }[];
}

interface TreeContext {
  image: Uint8Array;
  blockSize: number;
  naming: IsoNaming;
  visited: Set<number>;
  entries: IsoEntry[];
  /** Bytes of directory data read so far, against `maxDirectoryBytes`. */
  directoryBytes: number;
}

// ECMA-119 allows 8 levels and Rock Ridge more; past this the image is corrupt, not deep.
const maxDepth = 64;
// A seed's directories take a few KiB; directories that claim more (each one counted once) are damage,
// and reading them would cost time in proportion to what they claim.
const maxDirectoryBytes = 64 * 1024 * 1024;
const entryTypes: Record<number, EntryType> = {
  [fileTypes.directory]: 'directory',
  [fileTypes.regular]: 'file',
  [fileTypes.symlink]: 'symlink',
};

export function walkIsoTree(image: Uint8Array, root: DirectoryRecord, options: { blockSize: number; naming: IsoNaming }): IsoEntry[] {
  const context: TreeContext = { ...options, image, visited: new Set(), entries: [], directoryBytes: 0 };
  walkDirectory(context, root, '', 0);
  return context.entries;
}

function walkDirectory(context: TreeContext, directory: DirectoryRecord, path: string, depth: number): void {
  const where = path === '' ? 'the root directory' : `the directory ${path}`;
  if (depth > maxDepth) throw invalidImage(`${where} lies more than ${maxDepth} levels deep; the directory tree is corrupt`);
  if (context.visited.has(directory.extent)) throw invalidImage(`${where} points back at a directory already read (block ${directory.extent})`);
  context.visited.add(directory.extent);
  context.directoryBytes += directory.dataLength;
  if (context.directoryBytes > maxDirectoryBytes) {
    throw invalidImage(`${where} brings the directories to more than ${maxDirectoryBytes} bytes; the directory tree is corrupt`);
  }
  const data = sliceOf(context.image, directory.extent * context.blockSize, directory.dataLength, where);
  let pendingExtents: IsoEntry['extents'] = [];
  for (const record of listDirectoryRecords(data, where)) {
    if (isSelfOrParent(record) || (record.flags & directoryRecordFlags.associated) !== 0) continue;
    if (record.fileUnitSize !== 0) throw invalidImage(`${where} holds an interleaved file, which this reader does not support`);
    const extent = { block: record.extent, length: record.dataLength };
    // A file over 4 GiB is several records of one name; every one but the last has the multi-extent flag.
    if ((record.flags & directoryRecordFlags.multiExtent) !== 0) {
      pendingExtents.push(extent);
      continue;
    }
    const entry = describeRecord(context, record, { parent: path, where }, [...pendingExtents, extent]);
    pendingExtents = [];
    context.entries.push(entry);
    checkEntryCount(context.entries.length);
    if (entry.type === 'directory') walkDirectory(context, record, entry.path, depth + 1);
  }
}

function describeRecord(context: TreeContext, record: DirectoryRecord, place: { parent: string; where: string }, extents: IsoEntry['extents']): IsoEntry {
  const { parent, where } = place;
  const isDirectory = (record.flags & directoryRecordFlags.directory) !== 0;
  const details = recordDetails(context, record);
  const { mode, modified } = details;
  const name = checkedEntryName(details.name, where);
  const posixType = mode === null ? undefined : entryTypes[mode & fileTypeMask];
  const type: EntryType = isDirectory ? 'directory' : (posixType ?? (mode === null ? 'file' : 'other'));
  return {
    path: parent === '' ? name : `${parent}/${name}`,
    type,
    size: isDirectory ? 0 : extents.reduce((total, extent) => total + extent.length, 0),
    mode: mode === null ? null : mode & permissionBits,
    modified: modified ?? record.recorded,
    extents,
  };
}

function recordDetails(context: TreeContext, record: DirectoryRecord): { name: string; mode: number | null; modified: Date | null } {
  const { naming } = context;
  if (naming.kind === 'joliet') return { name: jolietName(record), mode: null, modified: null };
  if (naming.kind === 'plain') return { name: plainName(record), mode: null, modified: null };
  const systemUse = readSystemUse(context.image, record.systemUse.subarray(naming.skip), context.blockSize);
  return { name: systemUse.name ?? plainName(record), mode: systemUse.mode, modified: systemUse.modified };
}
