// FAT: the native FAT12/16 writer (`writeFat`: seed files in, a volume with long names and a label
// such as cidata out, no external tools) and the FAT12/16/32 reader, both after the one layout in
// fat-layout.ts. The rest is exported for tests and tools.
export { writeFat, type FatWriteOptions } from './writer/write-fat.js';
export { planGeometry, type FatGeometry, type FatType } from './writer/fat-geometry.js';
export { assignShortNames, displayShortName, type ShortName } from './writer/short-names.js';
export { shortNameChecksum } from './fat-layout.js';
export { readFat } from './reader/read-fat.js';
export { latestFatMoment } from './fat-time.js';
