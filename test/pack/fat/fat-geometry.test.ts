import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planGeometry, type FatGeometry } from '../../../src/formats/fat/index.js';

/** The spec's FAT type determination, computed from the BPB fields alone. */
function countOfClusters(geometry: FatGeometry): number {
  const rootDirSectors = Math.ceil((geometry.rootEntryCount * 32) / geometry.bytesPerSector);
  const firstDataSector = geometry.reservedSectors + geometry.fatCount * geometry.fatSectors + rootDirSectors;
  const dataSectors = geometry.totalSectors - firstDataSector;
  return Math.floor(dataSectors / geometry.sectorsPerCluster);
}

function typeByCount(count: number): number {
  return count < 4085 ? 12 : count < 65525 ? 16 : 32;
}

const rootEntries = 8;

describe('planGeometry', () => {
  it('keeps a small seed small: FAT12, 512-byte clusters, 16 KiB', () => {
    const geometry = planGeometry({ fileSizes: [300, 40, 60], rootEntries });
    expect(geometry).toMatchObject({ fatType: 12, sectorsPerCluster: 1, totalSectors: 32 });
  });

  it('holds a 1 MB user-data in FAT12 with 512-byte clusters, under 2 % overhead', () => {
    const geometry = planGeometry({ fileSizes: [1_000_000, 40], rootEntries });
    expect(geometry).toMatchObject({ fatType: 12, sectorsPerCluster: 1 });
    expect(geometry.totalSectors * 512).toBeLessThan(1_000_000 * 1.02);
  });

  it('switches to FAT16 past 4 MB, with DskTableFAT16 cluster sizes', () => {
    expect(planGeometry({ fileSizes: [5_000_000], rootEntries })).toMatchObject({ fatType: 16, sectorsPerCluster: 2 });
    expect(planGeometry({ fileSizes: [20_000_000], rootEntries })).toMatchObject({ fatType: 16, sectorsPerCluster: 4 });
    expect(planGeometry({ fileSizes: [200_000_000], rootEntries })).toMatchObject({ fatType: 16, sectorsPerCluster: 8 });
  });

  it('refuses seeds too large for FAT16', () => {
    expect(() => planGeometry({ fileSizes: [3 * 2 ** 30], rootEntries })).toThrow(/too large for a FAT16 seed volume/);
  });

  it('sweeps the FAT12/FAT16 cut-over byte range by range and always lands clear of 4085 clusters', () => {
    const types = new Set<number>();
    for (let size = 1_900_000; size <= 4_600_000; size += 1_000) {
      const geometry = planGeometry({ fileSizes: [size], rootEntries });
      const count = countOfClusters(geometry);
      expect({ size, type: typeByCount(count) }).toEqual({ size, type: geometry.fatType });
      expect({ size, distance: Math.abs(count - 4085) >= 16 }).toEqual({ size, distance: true });
      types.add(geometry.fatType * 100 + geometry.sectorsPerCluster);
    }
    // FAT12 with 512-byte, 1 KiB, then 2 KiB clusters up to the spec's 8400 sectors, then FAT16 with 1 KiB clusters.
    expect([...types]).toEqual([1201, 1202, 1204, 1602]);
  });

  it('makes the cluster count, as the spec computes it, decide the intended type, 16 clusters clear of the cut-overs', () => {
    const fileSize = fc.oneof(
      { arbitrary: fc.nat({ max: 5000 }), weight: 8 },
      { arbitrary: fc.integer({ min: 1_900_000, max: 4_600_000 }), weight: 1 }, // around the FAT12/FAT16 cut-over
      { arbitrary: fc.nat({ max: 40_000_000 }), weight: 1 },
    );
    fc.assert(
      fc.property(fc.array(fileSize, { maxLength: 40 }), fc.nat({ max: 900 }), (sizes, entries) => {
        const geometry = planGeometry({ fileSizes: sizes, rootEntries: entries + 1 });
        const count = countOfClusters(geometry);
        expect(count).toBe(geometry.clusterCount);
        expect(typeByCount(count)).toBe(geometry.fatType);
        expect(Math.abs(count - 4085)).toBeGreaterThanOrEqual(16);
        // One FAT has an entry for every cluster, 2 to count + 1.
        const fatBytes = geometry.fatType === 12 ? Math.ceil(((count + 2) * 3) / 2) : (count + 2) * 2;
        expect(fatBytes).toBeLessThanOrEqual(geometry.fatSectors * 512);
        expect(geometry.rootEntryCount).toBeGreaterThanOrEqual(entries + 1);
        expect((geometry.rootEntryCount * 32) % 512).toBe(0);
        // The files fit, and what is left free is a little headroom, not waste.
        const clusterBytes = geometry.sectorsPerCluster * 512;
        const used = sizes.reduce((total, size) => total + Math.ceil(size / clusterBytes), 0);
        expect(used).toBeLessThanOrEqual(count);
        const data = sizes.reduce((total, size) => total + size, 0);
        const headroom = Math.ceil(Math.max(8192, data / 256) / clusterBytes) + 8; // + rounding to whole tracks
        const paddingToFat16 = geometry.fatType === 16 ? 4101 - used : 0;
        expect(count - used).toBeLessThanOrEqual(Math.max(headroom, paddingToFat16));
        expect(geometry.totalSectors % geometry.sectorsPerTrack).toBe(0);
      }),
      { numRuns: 1000 },
    );
  });
});
