// Turns a plan and its layout into the image bytes: every structure is encoded on its own and copied to
// its sector; the sectors nothing is written to stay zero.
import { sectorSize } from '../iso9660-layout.js';
import { encodeDirectoryRecord, placeRecords } from './directory-records.js';
import {
  jolietDescriptorSector,
  primaryDescriptorSector,
  targetExtent,
  terminatorSector,
  type VolumeLayout,
} from './volume-layout.js';
import { directoriesInPathTableOrder, encodePathTable } from './path-tables.js';
import { encodeInlineSystemUse } from './system-use.js';
import { encodeRecordingTime } from '../iso-dates.js';
import { jolietVolumeDescriptor, primaryVolumeDescriptor, terminatorDescriptor } from './volume-descriptors.js';
import type { TreeDirectory, VolumePlan } from './volume-plan.js';

export function renderVolume(plan: VolumePlan, layout: VolumeLayout, label: string): Uint8Array {
  const image = new Uint8Array(layout.sectorCount * sectorSize);
  writeDescriptors(image, plan, layout, label);
  writePathTables(image, plan.primaryRoot, layout, layout.primaryPathTable);
  writePathTables(image, plan.jolietRoot, layout, layout.jolietPathTable);
  for (const root of [plan.primaryRoot, plan.jolietRoot]) {
    for (const directory of directoriesInPathTableOrder(root)) writeDirectory(image, directory, plan, layout);
  }
  for (const [area, location] of layout.continuations) {
    if (area.continuation !== null) image.set(area.continuation, location.sector * sectorSize + location.offset);
  }
  for (const [file, extent] of layout.files) image.set(file.bytes, extent.sector * sectorSize);
  return image;
}

function writeDescriptors(image: Uint8Array, plan: VolumePlan, layout: VolumeLayout, label: string): void {
  const common = { label, sectorCount: layout.sectorCount, seconds: plan.seconds };
  const primaryRoot = directoryExtent(layout, plan.primaryRoot);
  const jolietRoot = directoryExtent(layout, plan.jolietRoot);
  image.set(
    primaryVolumeDescriptor({ ...common, pathTable: layout.primaryPathTable, root: primaryRoot }),
    primaryDescriptorSector * sectorSize,
  );
  image.set(
    jolietVolumeDescriptor({ ...common, pathTable: layout.jolietPathTable, root: jolietRoot }),
    jolietDescriptorSector * sectorSize,
  );
  image.set(terminatorDescriptor(), terminatorSector * sectorSize);
}

function writePathTables(
  image: Uint8Array,
  root: TreeDirectory,
  layout: VolumeLayout,
  location: VolumeLayout['primaryPathTable'],
): void {
  const sectorOf = (directory: TreeDirectory): number => directoryExtent(layout, directory).sector;
  image.set(encodePathTable(root, sectorOf, true), location.littleEndianSector * sectorSize);
  image.set(encodePathTable(root, sectorOf, false), location.bigEndianSector * sectorSize);
}

function writeDirectory(image: Uint8Array, directory: TreeDirectory, plan: VolumePlan, layout: VolumeLayout): void {
  const recordedAt = encodeRecordingTime(plan.seconds);
  const records = directory.records.map((record) => {
    const extent = targetExtent(layout, record.target);
    return encodeDirectoryRecord({
      identifier: record.identifier,
      extent: extent.sector,
      dataLength: extent.byteLength,
      isDirectory: record.target.kind === 'directory',
      recordedAt,
      systemUse: encodeInlineSystemUse(record.systemUse, layout.continuations.get(record.systemUse)),
    });
  });
  const start = directoryExtent(layout, directory).sector * sectorSize;
  const { offsets } = placeRecords(records.map((record) => record.length));
  records.forEach((record, index) => image.set(record, start + (offsets[index] ?? 0)));
}

function directoryExtent(layout: VolumeLayout, directory: TreeDirectory): { sector: number; byteLength: number } {
  return targetExtent(layout, { kind: 'directory', directory });
}
