// The volume serial number. Formatters take it from the clock; we derive it from what goes into the
// image, so the same files, label and timestamp always give the same id (and the same bytes).
import { createHash } from 'node:crypto';
import type { ImageFile } from '../../image-file.js';

export interface VolumeIdInput {
  files: readonly ImageFile[];
  label: string;
  timestamp: Date | number;
}

/** The caller's id if given (checked to fit 32 bits), else the first 32 bits of a SHA-256 of the content. */
export function chooseVolumeId(input: VolumeIdInput, volumeId: number | undefined): number {
  if (volumeId !== undefined) {
    if (!Number.isInteger(volumeId) || volumeId < 0 || volumeId > 0xffff_ffff) {
      throw new RangeError(`the FAT volume id must be an integer from 0 to 0xFFFFFFFF, not ${volumeId}`);
    }
    return volumeId;
  }
  return deriveVolumeId(input);
}

export function deriveVolumeId(input: VolumeIdInput): number {
  const seconds = typeof input.timestamp === 'number' ? input.timestamp : input.timestamp.getTime() / 1000;
  const hash = createHash('sha256');
  hash.update(`cloudseed fat volume\0${input.label}\0${seconds}\0`);
  for (const file of input.files) {
    // Lengths frame each name and body, so moving bytes from one file to the next changes the id.
    hash.update(`${file.path}\0${file.bytes.byteLength}\0`);
    hash.update(file.bytes);
  }
  return hash.digest().readUInt32LE(0);
}
