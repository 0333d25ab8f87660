// 32-byte directory entries (spec sections 6 and 7): short 8.3 entries with cluster, size and time, the
// volume label entry, and the long-name entries before a short entry, which count only when their
// sequence is whole and their checksum matches that short entry; otherwise the 8.3 name stands.
import { latin1, u16le, u32le, u8 } from '../byte-fields.js';
import { decodeLongNameUnits, LongNameCollector } from './long-names.js';
import { decodeOemText } from './oem-code-page.js';

export interface FatDirectoryItem {
  name: string;
  isDirectory: boolean;
  firstCluster: number;
  size: number;
  modified: Date | null;
}

export interface FatDirectory {
  items: FatDirectoryItem[];
  /** The first volume-label entry (ATTR_VOLUME_ID without the long-name attributes), space-trimmed. */
  label: string | null;
}

const entryBytes = 32;
const attributes = { volumeId: 0x08, directory: 0x10, longNameMask: 0x3f, longName: 0x0f } as const;
const endMarker = 0x00;
const freeMarker = 0xe5;
// DIR_Name[0] == 0x05 stands for a real 0xE5 (a KANJI lead byte), since 0xE5 itself means "free".
const escapedFreeMarker = 0x05;
// DIR_NTRes bits Windows NT writes (and Linux and mtools honour): base name / extension in lower case.
const lowerCaseBase = 0x08;
const lowerCaseExtension = 0x10;

export function parseDirectory(bytes: Uint8Array): FatDirectory {
  const items: FatDirectoryItem[] = [];
  let label: string | null = null;
  const longNames = new LongNameCollector();
  for (let offset = 0; offset + entryBytes <= bytes.length; offset += entryBytes) {
    const entry = bytes.subarray(offset, offset + entryBytes);
    const first = u8(entry, 0);
    if (first === endMarker) break;
    const attribute = u8(entry, 11);
    if (first === freeMarker) longNames.reset();
    else if ((attribute & attributes.longNameMask) === attributes.longName) longNames.add(entry);
    else if ((attribute & attributes.volumeId) !== 0) {
      label ??= decodeOemText(entry.subarray(0, 11)).trimEnd();
      longNames.reset();
    } else {
      const longName = longNames.take(entry.subarray(0, 11));
      if (!isDotEntry(entry)) items.push(describeEntry(entry, longName));
    }
  }
  return { items, label };
}

function describeEntry(entry: Uint8Array, longName: number[] | null): FatDirectoryItem {
  return {
    name: (longName === null ? null : decodeLongNameUnits(longName)) ?? shortName(entry),
    isDirectory: (u8(entry, 11) & attributes.directory) !== 0,
    firstCluster: u16le(entry, 20) * 0x1_0000 + u16le(entry, 26),
    size: u32le(entry, 28),
    modified: fatTime(u16le(entry, 24), u16le(entry, 22)),
  };
}

function isDotEntry(entry: Uint8Array): boolean {
  const name = latin1(entry, 0, 11);
  return name === '.          ' || name === '..         ';
}

/** `USER-D~1   ` → `USER-D~1`; `ABC     TXT` with both NT lower-case bits → `abc.txt`; bytes above 127 in code page 437. */
function shortName(entry: Uint8Array): string {
  const caseBits = u8(entry, 12);
  const name = entry.slice(0, 11);
  if (name[0] === escapedFreeMarker) name[0] = freeMarker;
  let base = decodeOemText(name.subarray(0, 8)).trimEnd();
  let extension = decodeOemText(name.subarray(8, 11)).trimEnd();
  if ((caseBits & lowerCaseBase) !== 0) base = base.toLowerCase();
  if ((caseBits & lowerCaseExtension) !== 0) extension = extension.toLowerCase();
  return extension === '' ? base : `${base}.${extension}`;
}

/**
 * DIR_WrtDate/DIR_WrtTime: years since 1980, month, day; hours, minutes, seconds / 2. FAT keeps no time
 * zone; cloudseed's writer stores UTC, so the stamp is read as UTC. A zero or impossible date is none.
 */
function fatTime(date: number, time: number): Date | null {
  const month = (date >> 5) & 0x0f;
  const day = date & 0x1f;
  const hours = time >> 11;
  const minutes = (time >> 5) & 0x3f;
  const seconds = (time & 0x1f) * 2;
  if (date === 0 || month < 1 || month > 12 || day < 1 || hours > 23 || minutes > 59 || seconds > 59) return null;
  return new Date(Date.UTC(1980 + (date >> 9), month - 1, day, hours, minutes, seconds));
}
