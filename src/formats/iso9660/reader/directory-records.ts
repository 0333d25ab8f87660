// ECMA-119 directory records (9.1): where a file's extent is, how long it is, when it was recorded,
// its flags and identifier, and the system use area that Rock Ridge fills.
import { latin1, sliceOf, u32le, u8 } from '../../byte-fields.js';
import { invalidImage } from '../../invalid-image.js';
import { decodeShortDate } from '../iso-dates.js';
import {
  directoryRecordFields,
  directoryRecordFixedLength,
  parentIdentifier,
  recordingTimeLength,
  sectorSize,
  selfIdentifier,
} from '../iso9660-layout.js';

export interface DirectoryRecord {
  /** First logical block of the extent. */
  extent: number;
  dataLength: number;
  recorded: Date | null;
  flags: number;
  /** Non-zero for interleaved files, which seed writers never make. */
  fileUnitSize: number;
  identifier: Uint8Array;
  systemUse: Uint8Array;
}

/** The fixed part and at least one identifier byte. */
const smallestRecord = directoryRecordFixedLength + 1;
const at = directoryRecordFields;

export function parseDirectoryRecord(record: Uint8Array): DirectoryRecord {
  const identifierLength = u8(record, at.identifierLength);
  const identifierEnd = at.identifier + identifierLength;
  if (identifierLength === 0 || identifierEnd > record.length) {
    throw invalidImage(`a directory record of ${record.length} bytes claims a ${identifierLength}-byte identifier`);
  }
  // A padding byte follows an even-length identifier so the system use area starts on an even byte.
  const systemUseStart = Math.min(identifierEnd + (identifierLength % 2 === 0 ? 1 : 0), record.length);
  return {
    extent: u32le(record, at.extent),
    dataLength: u32le(record, at.dataLength),
    recorded: decodeShortDate(record.subarray(at.recordingTime, at.recordingTime + recordingTimeLength)),
    flags: u8(record, at.flags),
    fileUnitSize: u8(record, at.fileUnitSize),
    identifier: record.subarray(at.identifier, identifierEnd),
    systemUse: record.subarray(systemUseStart),
  };
}

/**
 * Every record of a directory's data; a zero length byte means the rest of that sector is unused
 * (6.8.1.1: "Each Directory Record shall end in the Logical Sector in which it begins.").
 */
export function listDirectoryRecords(directory: Uint8Array, where: string): DirectoryRecord[] {
  const records: DirectoryRecord[] = [];
  let offset = 0;
  while (offset < directory.length) {
    const length = u8(directory, offset + at.length);
    if (length === 0) {
      offset = (Math.floor(offset / sectorSize) + 1) * sectorSize;
      continue;
    }
    const sectorEnd = (Math.floor(offset / sectorSize) + 1) * sectorSize;
    if (length < smallestRecord || offset + length > sectorEnd) {
      throw invalidImage(`${where} has a ${length}-byte directory record at byte ${offset}, which no ISO 9660 directory can hold`);
    }
    records.push(parseDirectoryRecord(sliceOf(directory, offset, length, `a directory record of ${where}`)));
    offset += length;
  }
  return records;
}

/** `.` and `..` are the one-byte identifiers 0x00 and 0x01. */
export function isSelfOrParent(record: DirectoryRecord): boolean {
  const [identifier] = record.identifier;
  return record.identifier.length === 1 && (identifier === selfIdentifier || identifier === parentIdentifier);
}

/** The d-character name without its `;1` version and without the `.` of a name with no extension. */
export function plainName(record: DirectoryRecord): string {
  return stripVersion(latin1(record.identifier, 0, record.identifier.length)).replace(/\.$/, '');
}

/** Joliet identifiers are UCS-2 big-endian; an odd trailing byte is not part of any character. */
export function jolietName(record: DirectoryRecord): string {
  const units: number[] = [];
  for (let index = 0; index + 1 < record.identifier.length; index += 2) {
    units.push(((record.identifier[index] ?? 0) << 8) | (record.identifier[index + 1] ?? 0));
  }
  return stripVersion(String.fromCharCode(...units));
}

function stripVersion(name: string): string {
  return name.replace(/;\d*$/, '');
}
