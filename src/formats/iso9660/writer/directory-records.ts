// Directory records (ECMA-119 9.1) and how they fill a directory's sectors: a record never crosses a
// sector boundary (6.8.1.1; the rest of the sector stays zero), so a directory is a whole number of
// sectors long. Records that did cross are what made go-diskfs images unreadable past one sector.
import {
  directoryRecordFields,
  directoryRecordFixedLength,
  directoryRecordFlags,
  parentIdentifier,
  sectorSize,
  selfIdentifier,
} from '../iso9660-layout.js';
import { setUint16Both, setUint32Both, viewOf } from './binary-fields.js';

/** The length byte holds 255, but SUSP readers expect an even record, so 254 is the real limit. */
const maxRecordLength = 254;

/** The identifier of "." and of the root itself (ECMA-119 6.8.2.2). */
export const dotIdentifier = Uint8Array.of(selfIdentifier);
/** The identifier of "..". */
export const dotDotIdentifier = Uint8Array.of(parentIdentifier);

export interface DirectoryRecordFields {
  identifier: Uint8Array;
  extent: number;
  dataLength: number;
  isDirectory: boolean;
  /** 7 bytes, ECMA-119 9.1.5. */
  recordedAt: Uint8Array;
  systemUse: Uint8Array;
}

/** The record's fixed part and identifier, with the padding byte that keeps System Use at an even offset. */
function systemUseOffset(identifierLength: number): number {
  return directoryRecordFixedLength + identifierLength + (identifierLength % 2 === 0 ? 1 : 0);
}

/** Room for System Use entries in a record with this identifier. */
export function systemUseRoom(identifierLength: number): number {
  return maxRecordLength - systemUseOffset(identifierLength);
}

/** The record's length: fixed part, identifier, padding, System Use, and a final zero byte if odd. */
export function directoryRecordLength(identifierLength: number, systemUseLength: number): number {
  const length = systemUseOffset(identifierLength) + systemUseLength;
  return length + (length % 2);
}

export function encodeDirectoryRecord(fields: DirectoryRecordFields): Uint8Array {
  const length = directoryRecordLength(fields.identifier.length, fields.systemUse.length);
  if (length > maxRecordLength)
    throw new RangeError(`directory record of ${length} bytes is over ${maxRecordLength}`);
  const record = new Uint8Array(length);
  const view = viewOf(record);
  const at = directoryRecordFields;
  record[at.length] = length;
  setUint32Both(view, at.extent, fields.extent);
  setUint32Both(view, at.dataLength, fields.dataLength);
  record.set(fields.recordedAt, at.recordingTime);
  record[at.flags] = fields.isDirectory ? directoryRecordFlags.directory : 0;
  setUint16Both(view, at.volumeSequenceNumber, 1); // a one-volume set
  record[at.identifierLength] = fields.identifier.length;
  record.set(fields.identifier, at.identifier);
  record.set(fields.systemUse, systemUseOffset(fields.identifier.length));
  return record;
}

/** Byte offsets of records of these lengths in their directory, and the directory's whole-sector size. */
export function placeRecords(lengths: readonly number[]): { offsets: number[]; byteLength: number } {
  const offsets: number[] = [];
  let offset = 0;
  for (const length of lengths) {
    const room = sectorSize - (offset % sectorSize);
    if (length > room) offset += room;
    offsets.push(offset);
    offset += length;
  }
  return { offsets, byteLength: Math.max(1, Math.ceil(offset / sectorSize)) * sectorSize };
}
