// The native FAT writer's public face: `writeFat` turns seed files into a FAT12/16 volume image with
// long names and a CIDATA-style label, with no external tools. The rest is exported for tests and tools.
export { writeFat, type FatWriteOptions } from './write-fat.js';
export { planGeometry, type FatGeometry, type FatType } from './fat-geometry.js';
export { assignShortNames, displayShortName, type ShortName } from './short-names.js';
export { shortNameChecksum } from './directory-entries.js';
