// The System Use Sharing Protocol (IEEE P1281, SUSP 1.10): how the System Use field at the end of a
// directory record carries entries (two signature letters, a length, version 1, then data), where the
// first record of the root says so (SP), which extensions are in use (ER), and where entries continue
// when a record has no room left (CE).
import { sectorSize } from '../iso9660-layout.js';
import {
  continuationEntryLength,
  continuationFields,
  entryFields,
  entryHeaderLength,
  entryVersion,
  sharingProtocolCheckBytes,
} from '../rock-ridge-layout.js';
import { concatBytes, encodeAscii, setUint32Both, viewOf } from './binary-fields.js';

/** A record's entries: those inside the record, and those moved to a Continuation Area (or none). */
export interface SystemUseArea {
  inline: Uint8Array;
  continuation: Uint8Array | null;
}

export interface ContinuationLocation {
  sector: number;
  offset: number;
}

export const noSystemUse: SystemUseArea = { inline: new Uint8Array(0), continuation: null };

/** One entry: signature, length (header included), version 1, data. */
export function systemUseEntry(signature: string, data: Uint8Array): Uint8Array {
  const length = entryHeaderLength + data.length;
  if (length > 0xff) throw new RangeError(`SUSP ${signature} entry of ${length} bytes does not fit its length byte`);
  const entry = new Uint8Array(length);
  entry.set(encodeAscii(signature), entryFields.signature);
  entry[entryFields.length] = length;
  entry[entryFields.version] = entryVersion;
  entry.set(data, entryFields.data);
  return entry;
}

/** SUSP 5.3 SP: check bytes BE EF, and no bytes to skip before each record's entries. */
export function sharingProtocolEntry(): Uint8Array {
  return systemUseEntry('SP', Uint8Array.of(...sharingProtocolCheckBytes, 0));
}

/** SUSP 5.1 CE: the sector, byte offset and length of the Continuation Area. */
export function continuationEntry(location: ContinuationLocation, length: number): Uint8Array {
  const data = new Uint8Array(continuationEntryLength - entryHeaderLength);
  const view = viewOf(data);
  setUint32Both(view, continuationFields.block - entryHeaderLength, location.sector);
  setUint32Both(view, continuationFields.offset - entryHeaderLength, location.offset);
  setUint32Both(view, continuationFields.length - entryHeaderLength, length);
  return systemUseEntry('CE', data);
}

export interface ExtensionReference {
  identifier: string;
  descriptor: string;
  source: string;
  version: number;
}

/** SUSP 5.5 ER: names an extension (Rock Ridge) that the entries in this volume follow. */
export function extensionReferenceEntry(extension: ExtensionReference): Uint8Array {
  const texts = [extension.identifier, extension.descriptor, extension.source].map(encodeAscii);
  const lengths = texts.map((text) => text.length);
  return systemUseEntry('ER', concatBytes([Uint8Array.of(...lengths, extension.version), ...texts]));
}

/**
 * Keeps `entries` in the record when they fit in `room` bytes; otherwise keeps the longest prefix that
 * fits beside a CE entry and moves the rest to a Continuation Area, which must fit in one sector
 * (Linux reads a continuation from a single block).
 */
export function arrangeSystemUse(entries: readonly Uint8Array[], room: number): SystemUseArea {
  const total = entries.reduce((sum, entry) => sum + entry.length, 0);
  if (total <= room) return { inline: concatBytes(entries), continuation: null };
  let kept = 0;
  let keptLength = 0;
  while (kept < entries.length && keptLength + (entries[kept]?.length ?? 0) <= room - continuationEntryLength) {
    keptLength += entries[kept]?.length ?? 0;
    kept += 1;
  }
  const continuation = concatBytes(entries.slice(kept));
  if (continuation.length > sectorSize) {
    throw new RangeError(`${continuation.length} bytes of system use entries do not fit one continuation sector`);
  }
  return { inline: concatBytes(entries.slice(0, kept)), continuation };
}

/** Bytes the area takes inside its directory record, CE entry included. */
export function inlineSystemUseLength(area: SystemUseArea): number {
  return area.inline.length + (area.continuation === null ? 0 : continuationEntryLength);
}

/** The bytes recorded inside the directory record: the kept entries, then the CE entry if any. */
export function encodeInlineSystemUse(area: SystemUseArea, location: ContinuationLocation | undefined): Uint8Array {
  if (area.continuation === null) return area.inline;
  if (location === undefined) throw new Error('continuation area has no location in the layout');
  return concatBytes([area.inline, continuationEntry(location, area.continuation.length)]);
}
