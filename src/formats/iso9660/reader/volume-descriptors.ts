// The volume descriptor set (ECMA-119 8): from sector 16, one 2048-byte descriptor per sector until the
// terminator. The primary descriptor gives the label, block size and root; a supplementary descriptor
// whose escape sequence names UCS-2 is Joliet's, with its own root and UCS-2 names.
import { hasAscii, latin1, sliceOf, u16le, u32le, u8 } from '../../byte-fields.js';
import { invalidImage } from '../../invalid-image.js';
import {
  descriptorFields,
  descriptorTextWidths,
  descriptorTypes,
  firstDescriptorSector,
  jolietEscapeSequences,
  rootDirectoryRecordLength,
  sectorSize,
  standardIdentifier,
} from '../iso9660-layout.js';
import { parseDirectoryRecord, type DirectoryRecord } from './directory-records.js';

export interface VolumeDescriptor {
  volumeId: string;
  /** Logical block size, almost always 2048. */
  blockSize: number;
  /** Volume space size in logical blocks. */
  volumeBlocks: number;
  root: DirectoryRecord;
}

export interface VolumeDescriptors {
  primary: VolumeDescriptor;
  joliet: VolumeDescriptor | null;
}

// Boot records, partitions and enhanced descriptors can precede the terminator; no real set is this long.
const maxDescriptors = 64;
const jolietEscapes = Object.values(jolietEscapeSequences);
const at = descriptorFields;

export function readVolumeDescriptors(image: Uint8Array): VolumeDescriptors {
  let primary: VolumeDescriptor | null = null;
  let joliet: VolumeDescriptor | null = null;
  for (let index = 0; index < maxDescriptors; index += 1) {
    const sector = firstDescriptorSector + index;
    const descriptor = sliceOf(image, sector * sectorSize, sectorSize, `the volume descriptor in sector ${sector}`);
    if (!hasAscii(descriptor, at.standardIdentifier, standardIdentifier)) {
      throw invalidImage(`sector ${sector} holds no volume descriptor (CD001) although the set has not ended`);
    }
    const type = u8(descriptor, at.type);
    if (type === descriptorTypes.terminator) break;
    if (type === descriptorTypes.primary && primary === null) primary = parseDescriptor(descriptor, latin1Identifier);
    if (type === descriptorTypes.supplementary && joliet === null && isJoliet(descriptor)) {
      joliet = parseDescriptor(descriptor, ucs2Identifier);
    }
  }
  if (primary === null) throw invalidImage('the ISO 9660 image has no primary volume descriptor');
  return { primary, joliet };
}

function parseDescriptor(descriptor: Uint8Array, identifier: (bytes: Uint8Array) => string): VolumeDescriptor {
  const blockSize = u16le(descriptor, at.logicalBlockSize);
  // ECMA-119 6.2.2: 2^n bytes, at least 512, and never more than the 2048-byte logical sector.
  if (![512, 1024, 2048].includes(blockSize)) {
    throw invalidImage(`the volume descriptor gives a logical block size of ${blockSize} bytes; expected 512, 1024 or 2048`);
  }
  return {
    volumeId: identifier(descriptor.subarray(at.volumeIdentifier, at.volumeIdentifier + descriptorTextWidths.identifier)).trimEnd(),
    blockSize,
    volumeBlocks: u32le(descriptor, at.volumeSpaceSize),
    root: parseDirectoryRecord(descriptor.subarray(at.rootDirectoryRecord, at.rootDirectoryRecord + rootDirectoryRecordLength)),
  };
}

function isJoliet(descriptor: Uint8Array): boolean {
  const escapes = latin1(descriptor, at.escapeSequences, descriptorTextWidths.escapeSequences);
  return jolietEscapes.some((escape) => escapes.startsWith(escape));
}

function latin1Identifier(bytes: Uint8Array): string {
  return latin1(bytes, 0, bytes.length);
}

function ucs2Identifier(bytes: Uint8Array): string {
  let text = '';
  for (let index = 0; index + 1 < bytes.length; index += 2) text += String.fromCharCode(((bytes[index] ?? 0) << 8) | (bytes[index + 1] ?? 0));
  return text.replace(/\0+$/, '');
}
