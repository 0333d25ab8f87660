// The volume descriptors (ECMA-119 8.4, 8.5, 8.3): the primary one, the Joliet supplementary one — same
// layout, identifiers in UCS-2 and the escape sequence %/E that marks UCS-2 level 3 — and the terminator.
// The label goes in as given (e.g. lowercase "cidata", as genisoimage writes it and blkid matches it).
import {
  encodeAscii,
  SECTOR_SIZE,
  setPaddedAscii,
  setPaddedUcs2,
  setUint16Both,
  setUint32Both,
  viewOf,
} from './binary-fields.js';
import { DOT_IDENTIFIER, encodeDirectoryRecord } from './directory-records.js';
import type { Extent, PathTableLocation } from './layout.js';
import { type EpochSeconds, encodeRecordingTime, encodeVolumeTime, unspecifiedVolumeTime } from './timestamps.js';

const PRIMARY_TYPE = 1;
const SUPPLEMENTARY_TYPE = 2;
const TERMINATOR_TYPE = 255;
const JOLIET_UCS2_LEVEL_3 = encodeAscii('%/E');
const APPLICATION_IDENTIFIER = 'CLOUDSEED';

export interface VolumeDescriptorFields {
  label: string;
  sectorCount: number;
  pathTable: PathTableLocation;
  root: Extent;
  seconds: EpochSeconds;
}

type TextWriter = (bytes: Uint8Array, offset: number, width: number, text: string) => void;

export function primaryVolumeDescriptor(fields: VolumeDescriptorFields): Uint8Array {
  return volumeDescriptor(PRIMARY_TYPE, fields, setPaddedAscii);
}

export function jolietVolumeDescriptor(fields: VolumeDescriptorFields): Uint8Array {
  const descriptor = volumeDescriptor(SUPPLEMENTARY_TYPE, fields, setPaddedUcs2);
  descriptor.set(JOLIET_UCS2_LEVEL_3, 88);
  return descriptor;
}

export function terminatorDescriptor(): Uint8Array {
  return descriptorHeader(TERMINATOR_TYPE);
}

function descriptorHeader(type: number): Uint8Array {
  const descriptor = new Uint8Array(SECTOR_SIZE);
  descriptor[0] = type;
  descriptor.set(encodeAscii('CD001'), 1);
  descriptor[6] = 1;
  return descriptor;
}

function volumeDescriptor(type: number, fields: VolumeDescriptorFields, writeText: TextWriter): Uint8Array {
  const descriptor = descriptorHeader(type);
  const view = viewOf(descriptor);
  writeText(descriptor, 8, 32, ''); // system identifier
  writeText(descriptor, 40, 32, fields.label);
  setUint32Both(view, 80, fields.sectorCount);
  setUint16Both(view, 120, 1); // volume set size
  setUint16Both(view, 124, 1); // volume sequence number
  setUint16Both(view, 128, SECTOR_SIZE);
  setUint32Both(view, 132, fields.pathTable.byteLength);
  view.setUint32(140, fields.pathTable.littleEndianSector, true);
  view.setUint32(148, fields.pathTable.bigEndianSector, false);
  descriptor.set(rootDirectoryRecord(fields.root, fields.seconds), 156);
  writeIdentifiers(descriptor, writeText);
  writeVolumeTimes(descriptor, fields.seconds);
  descriptor[881] = 1; // file structure version
  return descriptor;
}

/** ECMA-119 8.4.18: the root's record, 34 bytes, with no System Use (Rock Ridge lives in its "." record). */
function rootDirectoryRecord(root: Extent, seconds: EpochSeconds): Uint8Array {
  return encodeDirectoryRecord({
    identifier: DOT_IDENTIFIER,
    extent: root.sector,
    dataLength: root.byteLength,
    isDirectory: true,
    recordedAt: encodeRecordingTime(seconds),
    systemUse: new Uint8Array(0),
  });
}

function writeIdentifiers(descriptor: Uint8Array, writeText: TextWriter): void {
  writeText(descriptor, 190, 128, ''); // volume set
  writeText(descriptor, 318, 128, ''); // publisher
  writeText(descriptor, 446, 128, ''); // data preparer
  writeText(descriptor, 574, 128, APPLICATION_IDENTIFIER);
  writeText(descriptor, 702, 37, ''); // copyright file
  writeText(descriptor, 739, 37, ''); // abstract file
  writeText(descriptor, 776, 37, ''); // bibliographic file
}

/** Created, modified and effective at the build timestamp; never expires. */
function writeVolumeTimes(descriptor: Uint8Array, seconds: EpochSeconds): void {
  const time = encodeVolumeTime(seconds);
  descriptor.set(time, 813);
  descriptor.set(time, 830);
  descriptor.set(unspecifiedVolumeTime(), 847);
  descriptor.set(time, 864);
}
