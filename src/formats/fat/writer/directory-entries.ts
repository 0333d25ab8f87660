// 32-byte FAT directory entries: the short (8.3) entry that holds a file's cluster, size and stamps, and
// the VFAT long-name entries that precede it and carry the real name in UTF-16.
import {
  attributes,
  directoryEntryLength,
  lastLongEntryFlag,
  longEntryFields,
  longNameUnitOffsets,
  shortEntryFields,
  shortNameChecksum,
  shortNameLength,
  unitsPerLongEntry,
} from '../fat-layout.js';
import type { FatStamp } from '../fat-time.js';
import { needsLongName, type ShortName } from './short-names.js';

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

/** How many 32-byte entries the record takes: its long-name entries plus the short entry. */
export function directoryEntryCount(record: Pick<DirectoryRecord, 'longName' | 'shortName'>): number {
  const units = longNameOf(record)?.length ?? 0;
  return Math.ceil(units / unitsPerLongEntry) + 1;
}

/** The record's entries in on-disk order: long-name entries (last part first), then the short entry. */
export function encodeDirectoryRecord(record: DirectoryRecord): Uint8Array {
  const bytes = new Uint8Array(directoryEntryCount(record) * directoryEntryLength);
  const longName = longNameOf(record);
  if (longName !== null) bytes.set(encodeLongNameEntries(longName, shortNameChecksum(record.shortName)));
  bytes.set(encodeShortEntry(record), bytes.length - directoryEntryLength);
  return bytes;
}

function longNameOf(record: Pick<DirectoryRecord, 'longName' | 'shortName'>): string | null {
  return record.longName !== null && needsLongName(record.longName, record.shortName) ? record.longName : null;
}

function encodeShortEntry(record: DirectoryRecord): Uint8Array {
  const entry = new Uint8Array(directoryEntryLength);
  const view = new DataView(entry.buffer);
  const at = shortEntryFields;
  for (let index = 0; index < shortNameLength; index += 1) entry[at.name + index] = record.shortName.charCodeAt(index);
  entry[at.attributes] = record.attributes;
  entry[at.creationHundredths] = record.stamp.hundredths;
  view.setUint16(at.creationTime, record.stamp.time, true);
  view.setUint16(at.creationDate, record.stamp.date, true);
  view.setUint16(at.accessDate, record.stamp.date, true);
  view.setUint16(at.firstClusterHigh, record.firstCluster >>> 16, true);
  view.setUint16(at.writeTime, record.stamp.time, true);
  view.setUint16(at.writeDate, record.stamp.date, true);
  view.setUint16(at.firstClusterLow, record.firstCluster & 0xffff, true);
  view.setUint32(at.fileSize, record.size, true);
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
  const bytes = new Uint8Array(count * directoryEntryLength);
  const view = new DataView(bytes.buffer);
  for (let order = count; order >= 1; order -= 1) {
    const start = (count - order) * directoryEntryLength;
    bytes[start + longEntryFields.order] = order === count ? order | lastLongEntryFlag : order;
    // LDIR_Type and LDIR_FstClusLO stay 0.
    bytes[start + longEntryFields.attributes] = attributes.longName;
    bytes[start + longEntryFields.checksum] = checksum;
    longNameUnitOffsets.forEach((offset, index) => {
      view.setUint16(start + offset, units[(order - 1) * unitsPerLongEntry + index] ?? 0xffff, true);
    });
  }
  return bytes;
}
