// Sizes a FAT volume to its files: FAT type, cluster size, FAT and root directory size, total sectors.
// The spec's rule is that the count of clusters alone decides the type (FAT12 < 4085 ≤ FAT16 < 65525), so
// the count is chosen first and everything else follows from it.
import { CloudseedError } from '../../../errors.js';
import { directoryEntryLength, fatTableBytes, maxClusters } from '../fat-layout.js';

export type FatType = 12 | 16;

export interface FatGeometry {
  fatType: FatType;
  bytesPerSector: number;
  sectorsPerCluster: number;
  reservedSectors: number;
  fatCount: number;
  rootEntryCount: number;
  /** Sectors of one FAT. */
  fatSectors: number;
  totalSectors: number;
  /** CountofClusters: data clusters, numbered from 2. */
  clusterCount: number;
  sectorsPerTrack: number;
  heads: number;
}

export interface GeometryRequest {
  /** Byte sizes of the files to hold. */
  fileSizes: readonly number[];
  /** 32-byte entries the root directory needs (label, long-name and short entries). */
  rootEntries: number;
}

const bytesPerSector = 512;
// The spec: FAT12/16 "should never" have other than 1 reserved sector, and always 2 FATs.
const reservedSectors = 1;
const fatCount = 2;
// The spec: "Stay at least 16 clusters on each side away from these cut-over cluster counts."
const safetyMargin = 16;
const clusterRange = {
  12: { min: 1, max: maxClusters[12] - safetyMargin },
  16: { min: maxClusters[12] + 1 + safetyMargin, max: maxClusters[16] - safetyMargin },
} as const;
// The spec: "If your media is larger than 4 MB, do not bother with FAT12"; DskTableFAT16 starts at 8400 sectors.
const largestFat12Sectors = 8400;
// DskTableFAT16 (volume size in sectors → sectors per cluster) past its FAT12 row; 2 GiB is its end.
const fat16ClusterTable = [
  { upToSectors: 32_680, sectorsPerCluster: 2 },
  { upToSectors: 262_144, sectorsPerCluster: 4 },
  { upToSectors: 524_288, sectorsPerCluster: 8 },
  { upToSectors: 1_048_576, sectorsPerCluster: 16 },
  { upToSectors: 2_097_152, sectorsPerCluster: 32 },
  { upToSectors: 4_194_304, sectorsPerCluster: 64 },
] as const;
// Free space beyond the files: room for a small hand edit of a mounted seed, 8 KiB or 0.4 % of the data.
const minimumFreeBytes = 8 * 1024;
const freeFraction = 1 / 256;
// Older mtools refuse a volume whose total sector count is not a whole number of tracks; 8-sector (4 KiB)
// tracks keep that true at almost no cost and make the image a whole number of 4 KiB pages.
const sectorsPerTrack = 8;
const heads = 2;

/** The smallest FAT12 volume that holds the files, or FAT16 by the spec's table once past 4 MB. */
export function planGeometry(request: GeometryRequest): FatGeometry {
  for (let sectorsPerCluster = 1; sectorsPerCluster <= 64; sectorsPerCluster *= 2) {
    const fat12 = fitGeometry(12, sectorsPerCluster, request);
    if (fat12 !== null && fat12.totalSectors <= largestFat12Sectors) return fat12;
  }
  return planFat16(request);
}

/** FAT16 with the cluster size DskTableFAT16 gives for the volume's size, which itself depends on it. */
function planFat16(request: GeometryRequest): FatGeometry {
  let sectorsPerCluster = 2;
  while (sectorsPerCluster <= 64) {
    const geometry = fitGeometry(16, sectorsPerCluster, request);
    if (geometry === null) {
      sectorsPerCluster *= 2; // too many clusters of this size
      continue;
    }
    const wanted = fat16ClusterTable.find((row) => geometry.totalSectors <= row.upToSectors)?.sectorsPerCluster;
    if (wanted === undefined) break;
    // Only ever grow: a bigger cluster can shrink the FAT enough to fall back under a row's limit.
    if (wanted <= sectorsPerCluster) return geometry;
    sectorsPerCluster = wanted;
  }
  throw tooLarge(request);
}

/** A geometry of this type and cluster size holding the files, or null if its cluster count is out of range. */
export function fitGeometry(fatType: FatType, sectorsPerCluster: number, request: GeometryRequest): FatGeometry | null {
  const clusterBytes = sectorsPerCluster * bytesPerSector;
  const dataBytes = request.fileSizes.reduce((total, size) => total + size, 0);
  const fileClusters = request.fileSizes.reduce((total, size) => total + Math.ceil(size / clusterBytes), 0);
  const freeClusters = Math.ceil(Math.max(minimumFreeBytes, dataBytes * freeFraction) / clusterBytes);
  const rootEntryCount = rootEntriesFor(fatType, request.rootEntries);
  const base = { fatType, bytesPerSector, sectorsPerCluster, reservedSectors, fatCount, rootEntryCount, sectorsPerTrack, heads };
  const rootSectors = (rootEntryCount * directoryEntryLength) / bytesPerSector;
  const clusters = Math.max(fileClusters + freeClusters, clusterRange[fatType].min);
  let fatSectors = Math.ceil(fatTableBytes(fatType, clusters) / bytesPerSector);
  for (;;) {
    const overhead = reservedSectors + fatCount * fatSectors + rootSectors;
    const totalSectors = roundUp(overhead + clusters * sectorsPerCluster, sectorsPerTrack);
    // Rounding up to whole tracks can add clusters; the FAT must still have an entry for every one.
    const clusterCount = Math.floor((totalSectors - overhead) / sectorsPerCluster);
    if (clusterCount > clusterRange[fatType].max) return null;
    if (fatTableBytes(fatType, clusterCount) <= fatSectors * bytesPerSector) {
      return { ...base, fatSectors, totalSectors, clusterCount };
    }
    fatSectors += 1;
  }
}

/**
 * Root directory entries, a whole number of sectors. FAT16 uses the spec's 512 "for maximum compatibility";
 * small FAT12 volumes take what they need plus room for a few more names.
 */
function rootEntriesFor(fatType: FatType, needed: number): number {
  const entriesPerSector = bytesPerSector / directoryEntryLength;
  const floor = fatType === 16 ? 512 : 64;
  return roundUp(Math.max(needed + entriesPerSector, floor), entriesPerSector);
}

function roundUp(value: number, step: number): number {
  return Math.ceil(value / step) * step;
}

function tooLarge(request: GeometryRequest): CloudseedError {
  const bytes = request.fileSizes.reduce((total, size) => total + size, 0);
  return new CloudseedError('USAGE', `the seed files (${bytes} bytes) are too large for a FAT16 seed volume (2 GiB at most)`, {
    hint: 'seed volumes carry configuration; put large payloads on another disk',
  });
}

/** Where things start, in bytes from the start of the volume. */
export function regionOffsets(geometry: FatGeometry): { fats: number[]; rootDirectory: number; data: number } {
  const sector = geometry.bytesPerSector;
  const fats = Array.from(
    { length: geometry.fatCount },
    (_, index) => (geometry.reservedSectors + index * geometry.fatSectors) * sector,
  );
  const rootDirectory = (geometry.reservedSectors + geometry.fatCount * geometry.fatSectors) * sector;
  return { fats, rootDirectory, data: rootDirectory + geometry.rootEntryCount * directoryEntryLength };
}
