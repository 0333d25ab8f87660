// Where everything goes: names resolved into directory records, files into contiguous cluster runs from
// cluster 2 in the order given. A directory is a list of records, so subdirectories (a record with the
// directory attribute whose contents are records too) fit the same shape when seeds ever need them.
import type { ImageFile } from '../../image-file.js';
import { attributes, firstDataCluster } from '../fat-layout.js';
import type { FatStamp } from '../fat-time.js';
import { directoryEntryCount, type DirectoryRecord } from './directory-entries.js';
import { checkFileNames } from './fat-names.js';
import type { ClusterChain } from './fat-table.js';
import { assignShortNames } from './short-names.js';

export interface DirectoryPlan {
  /** The volume label first (the spec: down-level systems take the first label-like entry), then the files. */
  records: DirectoryRecord[];
  /** The files' records alone, in the order the files were given (the same objects as in `records`). */
  fileRecords: DirectoryRecord[];
  /** How many 32-byte entries the records take. */
  entryCount: number;
}

/** Root directory records for a label and files; first clusters are filled in by `allocateClusters`. */
export function planRootDirectory(files: readonly ImageFile[], label: string, stamp: FatStamp): DirectoryPlan {
  const names = files.map((file) => file.path);
  checkFileNames(names);
  const labelRecord: DirectoryRecord = {
    longName: null,
    shortName: label,
    attributes: attributes.volumeId,
    firstCluster: 0,
    size: 0,
    stamp,
  };
  // The label lives in the short-name space too, so no file may take it as its alias.
  const shortNames = assignShortNames(names, new Set([label]));
  const fileRecords = files.map((file, index): DirectoryRecord => ({
    longName: file.path,
    shortName: shortNames[index] ?? '',
    attributes: fileAttributes(file.mode),
    firstCluster: 0,
    size: fileSize(file),
    stamp,
  }));
  const records = [labelRecord, ...fileRecords];
  return { records, fileRecords, entryCount: records.reduce((total, record) => total + directoryEntryCount(record), 0) };
}

/**
 * Gives each non-empty file a contiguous run of clusters starting at cluster 2 and records its first
 * cluster; empty files keep first cluster 0, as the spec requires. Returns the runs for the FAT.
 */
export function allocateClusters(records: DirectoryRecord[], clusterBytes: number): ClusterChain[] {
  let nextCluster = firstDataCluster;
  const chains: ClusterChain[] = [];
  for (const record of records) {
    if ((record.attributes & attributes.volumeId) !== 0 || record.size === 0) continue;
    const clusterCount = Math.ceil(record.size / clusterBytes);
    record.firstCluster = nextCluster;
    chains.push({ firstCluster: nextCluster, clusterCount });
    nextCluster += clusterCount;
  }
  return chains;
}

/** FAT has no permissions; a file nobody may write becomes read-only, everything gets the archive bit. */
function fileAttributes(mode: number): number {
  return (mode & 0o222) === 0 ? attributes.archive | attributes.readOnly : attributes.archive;
}

function fileSize(file: ImageFile): number {
  if (file.bytes.byteLength > 0xffff_ffff) throw new RangeError(`${file.path} is larger than FAT's 4 GiB file limit`);
  return file.bytes.byteLength;
}
