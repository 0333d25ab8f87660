// Directory records (ECMA-119 9.1) and how they fill a directory's sectors: a record never crosses a
// sector boundary (6.8.1.1; the rest of the sector stays zero), so a directory is a whole number of
// sectors long. Records that did cross are what made go-diskfs images unreadable past one sector.
import { SECTOR_SIZE, setUint16Both, setUint32Both, viewOf } from './binary-fields.js';

const FIXED_LENGTH = 33;
/** The length byte holds 255, but SUSP readers expect an even record, so 254 is the real limit. */
const MAX_RECORD_LENGTH = 254;
const FLAG_DIRECTORY = 0x02;

/** The identifier of "." and of the root itself (ECMA-119 6.8.2.2). */
export const DOT_IDENTIFIER = Uint8Array.of(0x00);
/** The identifier of "..". */
export const DOT_DOT_IDENTIFIER = Uint8Array.of(0x01);

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
  return FIXED_LENGTH + identifierLength + (identifierLength % 2 === 0 ? 1 : 0);
}

/** Room for System Use entries in a record with this identifier. */
export function systemUseRoom(identifierLength: number): number {
  return MAX_RECORD_LENGTH - systemUseOffset(identifierLength);
}

/** The record's length: fixed part, identifier, padding, System Use, and a final zero byte if odd. */
export function directoryRecordLength(identifierLength: number, systemUseLength: number): number {
  const length = systemUseOffset(identifierLength) + systemUseLength;
  return length + (length % 2);
}

export function encodeDirectoryRecord(fields: DirectoryRecordFields): Uint8Array {
  const length = directoryRecordLength(fields.identifier.length, fields.systemUse.length);
  if (length > MAX_RECORD_LENGTH)
    throw new RangeError(`directory record of ${length} bytes is over ${MAX_RECORD_LENGTH}`);
  const record = new Uint8Array(length);
  const view = viewOf(record);
  record[0] = length;
  setUint32Both(view, 2, fields.extent);
  setUint32Both(view, 10, fields.dataLength);
  record.set(fields.recordedAt, 18);
  record[25] = fields.isDirectory ? FLAG_DIRECTORY : 0;
  setUint16Both(view, 28, 1); // volume sequence number: a one-volume set
  record[32] = fields.identifier.length;
  record.set(fields.identifier, FIXED_LENGTH);
  record.set(fields.systemUse, systemUseOffset(fields.identifier.length));
  return record;
}

/** Byte offsets of records of these lengths in their directory, and the directory's whole-sector size. */
export function placeRecords(lengths: readonly number[]): { offsets: number[]; byteLength: number } {
  const offsets: number[] = [];
  let offset = 0;
  for (const length of lengths) {
    const room = SECTOR_SIZE - (offset % SECTOR_SIZE);
    if (length > room) offset += room;
    offsets.push(offset);
    offset += length;
  }
  return { offsets, byteLength: Math.max(1, Math.ceil(offset / SECTOR_SIZE)) * SECTOR_SIZE };
}
