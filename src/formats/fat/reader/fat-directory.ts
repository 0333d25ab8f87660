// 32-byte directory entries (spec sections 6 and 7): short 8.3 entries with cluster, size and time, the
// volume label entry, and the long-name entries before a short entry, which count only when their
// sequence is whole and their checksum matches that short entry; otherwise the 8.3 name stands.
import { latin1, u16le, u32le, u8 } from '../../byte-fields.js';
import {
  attributes,
  directoryEntryLength,
  entryMarkers,
  shortEntryFields,
  shortNameBaseLength,
  shortNameLength,
} from '../fat-layout.js';
import { decodeFatStamp } from '../fat-time.js';
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

const at = shortEntryFields;
// DIR_NTRes bits Windows NT writes (and Linux and mtools honour): base name / extension in lower case.
const lowerCaseBase = 0x08;
const lowerCaseExtension = 0x10;

export function parseDirectory(bytes: Uint8Array): FatDirectory {
  const items: FatDirectoryItem[] = [];
  let label: string | null = null;
  const longNames = new LongNameCollector();
  for (let offset = 0; offset + directoryEntryLength <= bytes.length; offset += directoryEntryLength) {
    const entry = bytes.subarray(offset, offset + directoryEntryLength);
    const first = u8(entry, at.name);
    if (first === entryMarkers.end) break;
    const attribute = u8(entry, at.attributes);
    if (first === entryMarkers.free) longNames.reset();
    else if ((attribute & attributes.longNameMask) === attributes.longName) longNames.add(entry);
    else if ((attribute & attributes.volumeId) !== 0) {
      label ??= decodeOemText(entry.subarray(at.name, at.name + shortNameLength)).trimEnd();
      longNames.reset();
    } else {
      const longName = longNames.take(entry.subarray(at.name, at.name + shortNameLength));
      if (!isDotEntry(entry)) items.push(describeEntry(entry, longName));
    }
  }
  return { items, label };
}

function describeEntry(entry: Uint8Array, longName: number[] | null): FatDirectoryItem {
  return {
    name: (longName === null ? null : decodeLongNameUnits(longName)) ?? shortName(entry),
    isDirectory: (u8(entry, at.attributes) & attributes.directory) !== 0,
    firstCluster: u16le(entry, at.firstClusterHigh) * 0x1_0000 + u16le(entry, at.firstClusterLow),
    size: u32le(entry, at.fileSize),
    modified: decodeFatStamp(u16le(entry, at.writeDate), u16le(entry, at.writeTime)),
  };
}

function isDotEntry(entry: Uint8Array): boolean {
  const name = latin1(entry, at.name, shortNameLength);
  return name === '.          ' || name === '..         ';
}

/** `USER-D~1   ` → `USER-D~1`; `ABC     TXT` with both NT lower-case bits → `abc.txt`; bytes above 127 in code page 437. */
function shortName(entry: Uint8Array): string {
  const caseBits = u8(entry, at.caseFlags);
  const name = entry.slice(at.name, at.name + shortNameLength);
  // 0x05 stands for a real 0xE5 (a KANJI lead byte), since 0xE5 itself means "free".
  if (name[0] === entryMarkers.escapedFree) name[0] = entryMarkers.free;
  let base = decodeOemText(name.subarray(0, shortNameBaseLength)).trimEnd();
  let extension = decodeOemText(name.subarray(shortNameBaseLength, shortNameLength)).trimEnd();
  if ((caseBits & lowerCaseBase) !== 0) base = base.toLowerCase();
  if ((caseBits & lowerCaseExtension) !== 0) extension = extension.toLowerCase();
  return extension === '' ? base : `${base}.${extension}`;
}
