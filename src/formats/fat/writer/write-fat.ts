// The native FAT writer: seed files, a label and a timestamp in, the bytes of a FAT12/16 volume out.
// Pure: no clock, no randomness, no I/O, so the same input always gives the same image.
import { concatBytes } from '../../../concat-bytes.js';
import type { ImageFile } from '../../image-file.js';
import { fatStamp } from '../fat-time.js';
import { encodeBootSector, mediaDescriptor } from './boot-sector.js';
import { encodeDirectoryRecord, type DirectoryRecord } from './directory-entries.js';
import { allocateClusters, planRootDirectory } from './directory-plan.js';
import { planGeometry, regionOffsets, type FatGeometry } from './fat-geometry.js';
import { volumeLabel } from './fat-names.js';
import { encodeFat } from './fat-table.js';
import { chooseVolumeId } from './volume-id.js';

export interface FatWriteOptions {
  /** Volume label, e.g. `cidata`; stored as given in the boot sector and the root directory. */
  label: string;
  /** File and label stamps: a Date or seconds since the epoch, written as UTC. */
  timestamp: Date | number;
  /** BS_VolID; derived from the files, label and timestamp when absent. */
  volumeId?: number;
}

/** Packs the files into the root directory of a FAT volume sized to fit them. */
export function writeFat(files: readonly ImageFile[], options: FatWriteOptions): Uint8Array {
  const label = volumeLabel(options.label);
  const directory = planRootDirectory(files, label, fatStamp(options.timestamp));
  const geometry = planGeometry({ fileSizes: files.map((file) => file.bytes.byteLength), rootEntries: directory.entryCount });
  const chains = allocateClusters(directory.records, clusterBytes(geometry));
  const volumeId = chooseVolumeId({ files, label, timestamp: options.timestamp }, options.volumeId);

  const image = new Uint8Array(geometry.totalSectors * geometry.bytesPerSector);
  const offsets = regionOffsets(geometry);
  image.set(encodeBootSector({ geometry, label, volumeId }), 0);
  const fat = encodeFat(geometry, chains, mediaDescriptor);
  for (const offset of offsets.fats) image.set(fat, offset);
  image.set(encodeDirectory(directory.records), offsets.rootDirectory);
  files.forEach((file, index) => {
    const firstCluster = directory.fileRecords[index]?.firstCluster ?? 0;
    if (firstCluster >= 2) image.set(file.bytes, offsets.data + (firstCluster - 2) * clusterBytes(geometry));
  });
  return image;
}

/** A directory's records one after another; the zero bytes after them mark the end of the directory. */
function encodeDirectory(records: readonly DirectoryRecord[]): Uint8Array {
  return concatBytes(records.map(encodeDirectoryRecord));
}

function clusterBytes(geometry: FatGeometry): number {
  return geometry.sectorsPerCluster * geometry.bytesPerSector;
}
