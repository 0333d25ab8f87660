// The System Use Sharing Protocol (IEEE P1281) and the Rock Ridge fields (IEEE P1282) in it: SP marks
// SUSP on the root, ER names the extension, CE continues an area in another block, and the Rock Ridge
// NM (name), PX (POSIX mode) and TF (time stamps) fields describe the file.
import { concatBytes, latin1, sliceOf, u32le, u8, utf8Text } from '../../byte-fields.js';
import { invalidImage } from '../../invalid-image.js';
import { decodeLongDate, decodeShortDate } from '../iso-dates.js';
import { recordingTimeLength, volumeTimeLength } from '../iso9660-layout.js';
import {
  alternateNameFields,
  alternateNameFlags,
  continuationEntryLength,
  continuationFields,
  entryFields,
  entryHeaderLength,
  extensionReferenceFields,
  extensionReferenceHeaderLength,
  posixAttributesEntryLength,
  posixAttributesFields,
  rockRidgeSignatures,
  sharingProtocolCheckBytes,
  sharingProtocolEntryLength,
  sharingProtocolFields,
  timestampFields,
  timestampFlags,
} from '../rock-ridge-layout.js';

export interface SystemUse {
  /** The NM name, its parts joined; null when there is none (or it names `.` or `..`). */
  name: string | null;
  /** PX's st_mode, file type bits included. */
  mode: number | null;
  /** TF's modification time. */
  modified: Date | null;
  /** SP's LEN_SKP: bytes to skip at the start of every other system use area; null without SP. */
  sharingSkip: number | null;
  /** ER extension identifiers, e.g. `RRIP_1991A`. */
  extensions: string[];
  /** Whether any Rock Ridge field (RR, PX, NM, TF, SL, PN) was there. */
  rockRidgeFields: boolean;
}

const rockRidgeFieldSignatures = new Set<string>(rockRidgeSignatures);
// A CE chain longer than this is a loop in a corrupt image; real ones need one or two.
const maxContinuations = 16;
// Linux and xorriso stop at 255 bytes; a name many times that long is a hostile image asking for memory.
const maxNameBytes = 1024;

interface Field {
  signature: string;
  data: Uint8Array;
}

/** Reads `area` and every continuation area its CE fields lead to. */
export function readSystemUse(image: Uint8Array, area: Uint8Array, blockSize: number): SystemUse {
  const result: SystemUse = { name: null, mode: null, modified: null, sharingSkip: null, extensions: [], rockRidgeFields: false };
  const nameParts: Uint8Array[] = [];
  const pending = [area];
  for (let areas = 0; pending.length > 0; areas += 1) {
    const current = pending.shift() as Uint8Array;
    if (areas > maxContinuations) break;
    for (const field of fieldsOf(current)) {
      if (field.signature === 'CE') pending.push(continuationArea(image, field.data, blockSize));
      else if (field.signature === 'NM') collectName(field.data, nameParts);
      else applyField(field, result);
    }
  }
  const nameBytes = nameParts.reduce((total, part) => total + part.length, 0);
  if (nameBytes > maxNameBytes) throw invalidImage(`a Rock Ridge name is ${nameBytes} bytes long; names have at most 255`);
  if (nameParts.length > 0) result.name = utf8Text(concatBytes(nameParts)) || null;
  result.rockRidgeFields ||= nameParts.length > 0;
  return result;
}

/** The fields of one area, up to ST or to what cannot be a field (padding or damage). */
function* fieldsOf(area: Uint8Array): Generator<Field> {
  let offset = 0;
  while (offset + entryHeaderLength <= area.length) {
    const length = u8(area, offset + entryFields.length);
    if (length < entryHeaderLength || offset + length > area.length) return;
    const signature = latin1(area, offset + entryFields.signature, 2);
    if (signature === 'ST') return;
    yield { signature, data: area.subarray(offset, offset + length) };
    offset += length;
  }
}

function applyField(field: Field, result: SystemUse): void {
  const { signature, data } = field;
  if (signature === 'SP' && data.length >= sharingProtocolEntryLength && hasCheckBytes(data)) {
    result.sharingSkip = u8(data, sharingProtocolFields.skipLength);
  }
  if (signature === 'ER' && data.length >= extensionReferenceHeaderLength) {
    const identifierLength = u8(data, extensionReferenceFields.identifierLength);
    const start = extensionReferenceFields.identifier;
    if (start + identifierLength <= data.length) result.extensions.push(latin1(data, start, identifierLength));
  }
  if (signature === 'PX' && data.length >= posixAttributesEntryLength) result.mode = u32le(data, posixAttributesFields.mode);
  if (signature === 'TF') result.modified = modificationTime(data) ?? result.modified;
  if (rockRidgeFieldSignatures.has(signature)) result.rockRidgeFields = true;
}

function hasCheckBytes(data: Uint8Array): boolean {
  const at = sharingProtocolFields.checkBytes;
  return data[at] === sharingProtocolCheckBytes[0] && data[at + 1] === sharingProtocolCheckBytes[1];
}

function collectName(data: Uint8Array, parts: Uint8Array[]): void {
  const { flags, name } = alternateNameFields;
  if (data.length < name || (u8(data, flags) & (alternateNameFlags.current | alternateNameFlags.parent)) !== 0) return;
  parts.push(data.subarray(name));
}

/** TF lists its stamps in flag-bit order (creation, modify, access, …), each 7 or 17 bytes long. */
function modificationTime(data: Uint8Array): Date | null {
  if (data.length < timestampFields.stamps) return null;
  const flags = u8(data, timestampFields.flags);
  if ((flags & timestampFlags.modify) === 0) return null;
  const longForm = (flags & timestampFlags.longForm) !== 0;
  const size = longForm ? volumeTimeLength : recordingTimeLength;
  const start = timestampFields.stamps + ((flags & timestampFlags.creation) !== 0 ? size : 0);
  if (start + size > data.length) return null;
  const stamp = data.subarray(start, start + size);
  return longForm ? decodeLongDate(stamp) : decodeShortDate(stamp);
}

/** CE: block, offset and length of the continuation area, each both-endian (the little-endian half read). */
function continuationArea(image: Uint8Array, data: Uint8Array, blockSize: number): Uint8Array {
  if (data.length < continuationEntryLength) return new Uint8Array(0);
  const offset = u32le(data, continuationFields.offset);
  const start = u32le(data, continuationFields.block) * blockSize + offset;
  const length = u32le(data, continuationFields.length);
  // SUSP 5.1: a continuation area lies within one logical block.
  if (offset + length > blockSize) {
    throw invalidImage(`a Rock Ridge continuation area of ${length} bytes at byte ${offset} of its block runs past the ${blockSize}-byte block`);
  }
  return sliceOf(image, start, length, 'a Rock Ridge continuation area');
}
