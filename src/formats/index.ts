// The disk formats, one folder each: its on-disk layout written down once (*-layout.ts), and the
// writer and the reader that follow it. A leaf library: it knows nothing of cloud-init, specs or the
// CLI, and pack/ and inspect/ build on it.
export { writeIso9660, readIso9660, maxLabelLength, maxNameLength, nameProblems, type Iso9660Options } from './iso9660/index.js';
export { writeFat, readFat, latestFatMoment, type FatWriteOptions } from './fat/index.js';
export { writeTar, type TarWriteOptions } from './tar/write-tar.js';
export { readTarContents } from './tar/read-tar.js';
export { readQcow2Header, type Qcow2Header } from './qcow2/qcow2-header.js';
export { detectImageFormat, requireImageFormat, type ImageFormat } from './detect-image-format.js';
export { invalidImage } from './invalid-image.js';
export type { ImageFile } from './image-file.js';
export {
  fileReader,
  noSuchFile,
  type EntryType,
  type FatVolume,
  type ImageEntry,
  type IsoVolume,
  type VolumeContents,
} from './image-volume.js';
