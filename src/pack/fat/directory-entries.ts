// 32-byte FAT directory entries: the short (8.3) entry that holds a file's cluster, size and stamps, and
// the VFAT long-name entries that precede it and carry the real name in UTF-16.
import type { FatStamp } from './fat-time.js';
import { needsLongName, type ShortName } from './short-names.js';

export const directoryEntryBytes = 32;

export const attributes = {
  readOnly: 0x01,
  volumeId: 0x08,
  directory: 0x10,
  archive: 0x20,
  /** ATTR_LONG_NAME: read-only | hidden | system | volume id, which older systems skip. */
  longName: 0x0f,
} as const;

/** One name in a directory: a file, a subdirectory or the volume label. */
export interface DirectoryRecord {
  /** The name people see; null for the volume label, which is only an 8.3-style name. */
  longName: string | null;
  shortName: ShortName;
  attributes: number;
  firstCluster: number;
  size: number;
  stamp: FatStamp;
}

const unitsPerLongEntry = 13;
const lastLongEntry = 0x40;
// Where a long entry keeps its 13 UTF-16 units: 5 at LDIR_Name1, 6 at LDIR_Name2, 2 at LDIR_Name3.
const longNameUnitOffsets = [1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30];

/** How many 32-byte entries the record takes: its long-name entries plus the short entry. */
export function directoryEntryCount(record: Pick<DirectoryRecord, 'longName' | 'shortName'>): number {
  const units = longNameOf(record)?.length ?? 0;
  return Math.ceil(units / unitsPerLongEntry) + 1;
}

/** The record's entries in on-disk order: long-name entries (last part first), then the short entry. */
export function encodeDirectoryRecord(record: DirectoryRecord): Uint8Array {
  const bytes = new Uint8Array(directoryEntryCount(record) * directoryEntryBytes);
  const longName = longNameOf(record);
  if (longName !== null) bytes.set(encodeLongNameEntries(longName, shortNameChecksum(record.shortName)));
  bytes.set(encodeShortEntry(record), bytes.length - directoryEntryBytes);
  return bytes;
}

function longNameOf(record: Pick<DirectoryRecord, 'longName' | 'shortName'>): string | null {
  return record.longName !== null && needsLongName(record.longName, record.shortName) ? record.longName : null;
}

function encodeShortEntry(record: DirectoryRecord): Uint8Array {
  const entry = new Uint8Array(directoryEntryBytes);
  const view = new DataView(entry.buffer);
  for (let index = 0; index < 11; index += 1) entry[index] = record.shortName.charCodeAt(index);
  entry[11] = record.attributes;
  entry[13] = record.stamp.hundredths; // DIR_CrtTimeTenth
  view.setUint16(14, record.stamp.time, true); // DIR_CrtTime
  view.setUint16(16, record.stamp.date, true); // DIR_CrtDate
  view.setUint16(18, record.stamp.date, true); // DIR_LstAccDate
  view.setUint16(20, record.firstCluster >>> 16, true); // DIR_FstClusHI
  view.setUint16(22, record.stamp.time, true); // DIR_WrtTime
  view.setUint16(24, record.stamp.date, true); // DIR_WrtDate
  view.setUint16(26, record.firstCluster & 0xffff, true); // DIR_FstClusLO
  view.setUint32(28, record.size, true); // DIR_FileSize
  return entry;
}

/**
 * The long name in 13-unit pieces, NUL-terminated and padded with 0xFFFF unless it fills its last entry
 * exactly; each piece carries the alias's checksum so a reader can tell it still belongs to that alias.
 */
function encodeLongNameEntries(longName: string, checksum: number): Uint8Array {
  const count = Math.ceil(longName.length / unitsPerLongEntry);
  const units = Array.from({ length: count * unitsPerLongEntry }, (_, index) =>
    index < longName.length ? longName.charCodeAt(index) : index === longName.length ? 0x0000 : 0xffff,
  );
  const bytes = new Uint8Array(count * directoryEntryBytes);
  const view = new DataView(bytes.buffer);
  for (let order = count; order >= 1; order -= 1) {
    const start = (count - order) * directoryEntryBytes;
    bytes[start] = order === count ? order | lastLongEntry : order; // LDIR_Ord
    bytes[start + 11] = attributes.longName; // LDIR_Attr; LDIR_Type and LDIR_FstClusLO stay 0
    bytes[start + 13] = checksum; // LDIR_Chksum
    longNameUnitOffsets.forEach((offset, index) => {
      view.setUint16(start + offset, units[(order - 1) * unitsPerLongEntry + index] ?? 0xffff, true);
    });
  }
  return bytes;
}

/** The spec's ChkSum(): an 8-bit rotate-right-and-add over the 11 bytes of the alias. */
export function shortNameChecksum(shortName: ShortName): number {
  let sum = 0;
  for (let index = 0; index < 11; index += 1) {
    sum = ((sum & 1) << 7) + (sum >> 1) + shortName.charCodeAt(index);
    sum &= 0xff;
  }
  return sum;
}
