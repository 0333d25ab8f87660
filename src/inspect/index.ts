// The inspect stage: read seed images back (ISO 9660 with Joliet and Rock Ridge, FAT12/16/32, tar,
// qcow2 through qemu-img) into one shape, print them, and extract them. The readers are pure and live
// in formats/, beside the writers; this stage adds the seed tar layout, the I/O and the command.
export { detectImageFormat, requireImageFormat, readFat, readIso9660, type ImageFormat } from '../formats/index.js';
export { readTar } from './read-tar.js';
export { readImageVolume } from './read-image.js';
export { inspectImage, type ImageInspection, type InspectOptions } from './inspect-image.js';
export { formatInspection, inspectionToJson, modeString } from './format-inspection.js';
export { extractFiles, extractedMode, type ExtractResult, type SkippedEntry } from './extract-files.js';
export { runInspect, parseInspectArguments, inspectUsage, consoleInspectOutput, type InspectOutput } from './inspect-command.js';
export type { EntryType, FatVolume, ImageEntry, IsoVolume } from '../formats/index.js';
export { findFile, type ImageVolume, type TarArchive } from './image-volume.js';
