// Where everything goes, in sectors of 2048 bytes: 16 empty system-area sectors, the primary and Joliet
// volume descriptors and the terminator, four path tables, the directories of both trees, the Rock
// Ridge continuation areas, then each file's data from a sector boundary. Nothing else: no trailing
// padding, so a three-file seed is about thirty sectors.
import { firstDescriptorSector, sectorSize } from '../iso9660-layout.js';
import { sectorsFor } from './binary-fields.js';
import { directoryRecordLength, placeRecords } from './directory-records.js';
import { directoriesInPathTableOrder, pathTableByteLength } from './path-tables.js';
import { type ContinuationLocation, inlineSystemUseLength, type SystemUseArea } from './system-use.js';
import type { PlannedFile, PlannedRecord, RecordTarget, TreeDirectory, VolumePlan } from './volume-plan.js';

// The descriptor set this writer records: primary, Joliet, terminator, one sector each.
export const primaryDescriptorSector = firstDescriptorSector;
export const jolietDescriptorSector = firstDescriptorSector + 1;
export const terminatorSector = firstDescriptorSector + 2;

export interface Extent {
  sector: number;
  byteLength: number;
}

export interface PathTableLocation {
  byteLength: number;
  littleEndianSector: number;
  bigEndianSector: number;
}

export interface VolumeLayout {
  sectorCount: number;
  primaryPathTable: PathTableLocation;
  jolietPathTable: PathTableLocation;
  directories: Map<TreeDirectory, Extent>;
  files: Map<PlannedFile, Extent>;
  continuations: Map<SystemUseArea, ContinuationLocation>;
}

interface SectorCursor {
  /** Reserves whole sectors for `byteLength` bytes; zero bytes reserve nothing. */
  take(byteLength: number): Extent;
  readonly next: number;
}

export function layoutVolume(plan: VolumePlan): VolumeLayout {
  const cursor = sectorCursor(terminatorSector + 1);
  const primaryPathTable = placePathTables(plan.primaryRoot, cursor);
  const jolietPathTable = placePathTables(plan.jolietRoot, cursor);
  const directories = new Map<TreeDirectory, Extent>();
  for (const root of [plan.primaryRoot, plan.jolietRoot]) {
    for (const directory of directoriesInPathTableOrder(root))
      directories.set(directory, cursor.take(directoryByteLength(directory)));
  }
  const continuations = placeContinuations(plan.primaryRoot, cursor);
  // Empty files get extent 0 and take no sector (genisoimage points them at the next file's data and
  // libisofs at a block of their own; Linux, libisofs, pycdlib and libarchive never read a zero-length extent).
  const files = new Map(
    plan.files.map((file) => [
      file,
      file.bytes.length === 0 ? { sector: 0, byteLength: 0 } : cursor.take(file.bytes.length),
    ]),
  );
  return { sectorCount: cursor.next, primaryPathTable, jolietPathTable, directories, files, continuations };
}

function sectorCursor(first: number): SectorCursor {
  let next = first;
  return {
    take(byteLength) {
      const extent = { sector: next, byteLength };
      next += sectorsFor(byteLength);
      return extent;
    },
    get next() {
      return next;
    },
  };
}

function placePathTables(root: TreeDirectory, cursor: SectorCursor): PathTableLocation {
  const byteLength = pathTableByteLength(root);
  const littleEndianSector = cursor.take(byteLength).sector;
  const bigEndianSector = cursor.take(byteLength).sector;
  return { byteLength, littleEndianSector, bigEndianSector };
}

export function recordLength(record: PlannedRecord): number {
  return directoryRecordLength(record.identifier.length, inlineSystemUseLength(record.systemUse));
}

function directoryByteLength(directory: TreeDirectory): number {
  return placeRecords(directory.records.map(recordLength)).byteLength;
}

/** Packs every continuation area of the tree into shared sectors, none crossing a sector boundary. */
function placeContinuations(root: TreeDirectory, cursor: SectorCursor): Map<SystemUseArea, ContinuationLocation> {
  const areas = directoriesInPathTableOrder(root)
    .flatMap((directory) => directory.records.map((record) => record.systemUse))
    .filter((area) => area.continuation !== null);
  const relative: Array<{ area: SystemUseArea; sectorIndex: number; offset: number }> = [];
  let sectorIndex = 0;
  let offset = 0;
  for (const area of areas) {
    const length = area.continuation?.length ?? 0;
    if (offset + length > sectorSize) [sectorIndex, offset] = [sectorIndex + 1, 0];
    relative.push({ area, sectorIndex, offset });
    offset += length;
  }
  const first = cursor.take(areas.length === 0 ? 0 : (sectorIndex + 1) * sectorSize).sector;
  return new Map(
    relative.map(({ area, sectorIndex: index, offset: start }) => [area, { sector: first + index, offset: start }]),
  );
}

/** The sector and length a record points at. */
export function targetExtent(layout: VolumeLayout, target: RecordTarget): Extent {
  const extent = target.kind === 'file' ? layout.files.get(target.file) : layout.directories.get(target.directory);
  if (extent === undefined) throw new Error(`a ${target.kind} has no place in the layout`);
  return extent;
}
