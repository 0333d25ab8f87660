// The volume as two trees over the same file data: the primary tree (level-1 names plus Rock Ridge) and
// the Joliet tree (real names in UCS-2). Each directory lists its records in the order they are written;
// sizes follow from the records, and sector numbers come later, from the layout.
import type { ImageFile } from '../../image-file.js';
import { encodeAscii } from './binary-fields.js';
import { dotDotIdentifier, dotIdentifier, systemUseRoom } from './directory-records.js';
import {
  compareCodeUnits,
  compareJoliet,
  compareLevel1,
  createLevel1Namer,
  jolietIdentifier,
  type Level1Name,
} from './file-names.js';
import { directoryEntries, fileEntries, regularFileMode, rootDotEntries, rootDirectoryMode } from './rock-ridge.js';
import { arrangeSystemUse, noSystemUse, type SystemUseArea } from './system-use.js';
import type { EpochSeconds } from '../iso-dates.js';

export interface PlannedFile {
  /** The real name, recorded in Joliet and in Rock Ridge NM. */
  name: string;
  bytes: Uint8Array;
  /** Rock Ridge PX mode: S_IFREG and the permission bits. */
  mode: number;
  level1: Level1Name;
  jolietIdentifier: Uint8Array;
}

export type RecordTarget = { kind: 'file'; file: PlannedFile } | { kind: 'directory'; directory: TreeDirectory };

export interface PlannedRecord {
  identifier: Uint8Array;
  target: RecordTarget;
  systemUse: SystemUseArea;
}

export interface TreeDirectory {
  /** As in the path table and the parent's record; 00 for the root. */
  identifier: Uint8Array;
  parent: TreeDirectory | null;
  /** ".", "..", then the children in the tree's sort order. */
  records: PlannedRecord[];
  /** Child directories in identifier order: none while seeds are flat, but layout and path tables walk them. */
  subdirectories: TreeDirectory[];
}

export interface VolumePlan {
  /** In the order their data is laid out. */
  files: PlannedFile[];
  primaryRoot: TreeDirectory;
  jolietRoot: TreeDirectory;
  seconds: EpochSeconds;
}

export function planVolume(files: readonly ImageFile[], seconds: EpochSeconds): VolumePlan {
  const planned = planFiles(files);
  return {
    files: planned,
    primaryRoot: planPrimaryRoot(planned, seconds),
    jolietRoot: planJolietRoot(planned),
    seconds,
  };
}

/** Sorted by real name first, so the input order never changes the bytes (nor who gets USER_DA1). */
function planFiles(files: readonly ImageFile[]): PlannedFile[] {
  const level1For = createLevel1Namer();
  return [...files]
    .sort((left, right) => compareCodeUnits(left.path, right.path))
    .map((file) => ({
      name: file.path,
      bytes: file.bytes,
      mode: regularFileMode(file.mode),
      level1: level1For(file.path),
      jolietIdentifier: jolietIdentifier(file.path),
    }));
}

function planPrimaryRoot(files: readonly PlannedFile[], seconds: EpochSeconds): TreeDirectory {
  const root = rootDirectory();
  const links = 2 + root.subdirectories.length;
  const fileRecords = [...files]
    .sort((left, right) => compareLevel1(left.level1, right.level1))
    .map((file) => fileRecord(encodeAscii(file.level1.identifier), file, fileEntries(file.name, file.mode, seconds)));
  root.records.push(
    directoryRecord(dotIdentifier, root, rootDotEntries(rootDirectoryMode, links, seconds)),
    directoryRecord(dotDotIdentifier, root, directoryEntries(rootDirectoryMode, links, seconds)),
    ...fileRecords,
  );
  return root;
}

function planJolietRoot(files: readonly PlannedFile[]): TreeDirectory {
  const root = rootDirectory();
  const fileRecords = [...files]
    .sort((left, right) => compareJoliet(left.jolietIdentifier, right.jolietIdentifier))
    .map((file) => fileRecord(file.jolietIdentifier, file, []));
  root.records.push(
    directoryRecord(dotIdentifier, root, []),
    directoryRecord(dotDotIdentifier, root, []),
    ...fileRecords,
  );
  return root;
}

function rootDirectory(): TreeDirectory {
  return { identifier: dotIdentifier, parent: null, records: [], subdirectories: [] };
}

function fileRecord(identifier: Uint8Array, file: PlannedFile, entries: Uint8Array[]): PlannedRecord {
  return { identifier, target: { kind: 'file', file }, systemUse: systemUseFor(identifier, entries) };
}

function directoryRecord(identifier: Uint8Array, directory: TreeDirectory, entries: Uint8Array[]): PlannedRecord {
  return { identifier, target: { kind: 'directory', directory }, systemUse: systemUseFor(identifier, entries) };
}

function systemUseFor(identifier: Uint8Array, entries: Uint8Array[]): SystemUseArea {
  return entries.length === 0 ? noSystemUse : arrangeSystemUse(entries, systemUseRoom(identifier.length));
}
