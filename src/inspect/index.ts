// The inspect stage: read seed images back (ISO 9660 with Joliet and Rock Ridge, FAT12/16/32, tar,
// qcow2 through qemu-img) into one shape, print them, and extract them. The readers are pure.
export { detectImageFormat, requireImageFormat, type ImageFormat } from './detect-image-format.js';
export { readIso9660 } from './iso9660/read-iso9660.js';
export { readFat } from './fat/read-fat.js';
export { readTar } from './tar/read-tar.js';
export { readImageVolume } from './read-image.js';
export { inspectImage, type ImageInspection, type InspectOptions } from './inspect-image.js';
export { formatInspection, inspectionToJson, modeString } from './format-inspection.js';
export { extractFiles, extractedMode, type ExtractResult, type SkippedEntry } from './extract-files.js';
export { runInspect, parseInspectArguments, inspectUsage, consoleInspectOutput, type InspectOutput } from './inspect-command.js';
export {
  findFile,
  type EntryType,
  type FatVolume,
  type ImageEntry,
  type ImageVolume,
  type IsoVolume,
  type TarArchive,
} from './image-volume.js';
