// The volume descriptor set (ECMA-119 8): the primary descriptor, the Joliet supplementary one — same
// layout, identifiers in UCS-2 and the escape sequence %/E that marks UCS-2 level 3 — and the terminator.
// The label goes in as given (e.g. lowercase "cidata", as genisoimage writes it and blkid matches it).
import {
  descriptorFields,
  descriptorTextWidths,
  descriptorTypes,
  jolietEscapeSequences,
  sectorSize,
  standardIdentifier,
} from '../iso9660-layout.js';
import {
  encodeAscii,
  setPaddedAscii,
  setPaddedUcs2,
  setUint16Both,
  setUint32Both,
  viewOf,
} from './binary-fields.js';
import { dotIdentifier, encodeDirectoryRecord } from './directory-records.js';
import type { Extent, PathTableLocation } from './volume-layout.js';
import { type EpochSeconds, encodeRecordingTime, encodeVolumeTime, unspecifiedVolumeTime } from '../iso-dates.js';

const applicationIdentifier = 'CLOUDSEED';
const at = descriptorFields;
const width = descriptorTextWidths;

export interface VolumeDescriptorFields {
  label: string;
  sectorCount: number;
  pathTable: PathTableLocation;
  root: Extent;
  seconds: EpochSeconds;
}

type TextWriter = (bytes: Uint8Array, offset: number, width: number, text: string) => void;

export function primaryVolumeDescriptor(fields: VolumeDescriptorFields): Uint8Array {
  return volumeDescriptor(descriptorTypes.primary, fields, setPaddedAscii);
}

export function jolietVolumeDescriptor(fields: VolumeDescriptorFields): Uint8Array {
  const descriptor = volumeDescriptor(descriptorTypes.supplementary, fields, setPaddedUcs2);
  descriptor.set(encodeAscii(jolietEscapeSequences.level3), at.escapeSequences);
  return descriptor;
}

export function terminatorDescriptor(): Uint8Array {
  return descriptorHeader(descriptorTypes.terminator);
}

function descriptorHeader(type: number): Uint8Array {
  const descriptor = new Uint8Array(sectorSize);
  descriptor[at.type] = type;
  descriptor.set(encodeAscii(standardIdentifier), at.standardIdentifier);
  descriptor[at.version] = 1;
  return descriptor;
}

function volumeDescriptor(type: number, fields: VolumeDescriptorFields, writeText: TextWriter): Uint8Array {
  const descriptor = descriptorHeader(type);
  const view = viewOf(descriptor);
  writeText(descriptor, at.systemIdentifier, width.identifier, '');
  writeText(descriptor, at.volumeIdentifier, width.identifier, fields.label);
  setUint32Both(view, at.volumeSpaceSize, fields.sectorCount);
  setUint16Both(view, at.volumeSetSize, 1);
  setUint16Both(view, at.volumeSequenceNumber, 1);
  setUint16Both(view, at.logicalBlockSize, sectorSize);
  setUint32Both(view, at.pathTableSize, fields.pathTable.byteLength);
  view.setUint32(at.littleEndianPathTable, fields.pathTable.littleEndianSector, true);
  view.setUint32(at.bigEndianPathTable, fields.pathTable.bigEndianSector, false);
  descriptor.set(rootDirectoryRecord(fields.root, fields.seconds), at.rootDirectoryRecord);
  writeIdentifiers(descriptor, writeText);
  writeVolumeTimes(descriptor, fields.seconds);
  descriptor[at.fileStructureVersion] = 1;
  return descriptor;
}

/** ECMA-119 8.4.18: the root's record, 34 bytes, with no System Use (Rock Ridge lives in its "." record). */
function rootDirectoryRecord(root: Extent, seconds: EpochSeconds): Uint8Array {
  return encodeDirectoryRecord({
    identifier: dotIdentifier,
    extent: root.sector,
    dataLength: root.byteLength,
    isDirectory: true,
    recordedAt: encodeRecordingTime(seconds),
    systemUse: new Uint8Array(0),
  });
}

function writeIdentifiers(descriptor: Uint8Array, writeText: TextWriter): void {
  writeText(descriptor, at.volumeSetIdentifier, width.longIdentifier, '');
  writeText(descriptor, at.publisherIdentifier, width.longIdentifier, '');
  writeText(descriptor, at.dataPreparerIdentifier, width.longIdentifier, '');
  writeText(descriptor, at.applicationIdentifier, width.longIdentifier, applicationIdentifier);
  writeText(descriptor, at.copyrightFileIdentifier, width.fileIdentifier, '');
  writeText(descriptor, at.abstractFileIdentifier, width.fileIdentifier, '');
  writeText(descriptor, at.bibliographicFileIdentifier, width.fileIdentifier, '');
}

/** Created, modified and effective at the build timestamp; never expires. */
function writeVolumeTimes(descriptor: Uint8Array, seconds: EpochSeconds): void {
  const time = encodeVolumeTime(seconds);
  descriptor.set(time, at.creationTime);
  descriptor.set(time, at.modificationTime);
  descriptor.set(unspecifiedVolumeTime(), at.expirationTime);
  descriptor.set(time, at.effectiveTime);
}
