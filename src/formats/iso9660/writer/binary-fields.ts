// Field encoders for ECMA-119's recorded formats. Numbers in volume descriptors, directory records and
// SUSP entries are "both-endian" (ECMA-119 7.2.3, 7.3.3): a little-endian copy, then a big-endian one,
// so a reader on either kind of machine needs no byte swap. Text fields are fixed width and padded.
import { sectorSize } from '../iso9660-layout.js';

/** Sectors needed for `byteLength` bytes; data always starts on a sector boundary. */
export function sectorsFor(byteLength: number): number {
  return Math.ceil(byteLength / sectorSize);
}

export function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** ECMA-119 7.2.3: a 16-bit number recorded little-endian then big-endian (4 bytes). */
export function setUint16Both(view: DataView, offset: number, value: number): void {
  view.setUint16(offset, value, true);
  view.setUint16(offset + 2, value, false);
}

/** ECMA-119 7.3.3: a 32-bit number recorded little-endian then big-endian (8 bytes). */
export function setUint32Both(view: DataView, offset: number, value: number): void {
  view.setUint32(offset, value, true);
  view.setUint32(offset + 4, value, false);
}

/** Writes `text` as single bytes into a field of `width` bytes, padded with spaces (0x20). */
export function setPaddedAscii(bytes: Uint8Array, offset: number, width: number, text: string): void {
  bytes.fill(0x20, offset, offset + width);
  for (let index = 0; index < Math.min(text.length, width); index += 1) {
    bytes[offset + index] = text.charCodeAt(index) & 0xff;
  }
}

/** UCS-2 big-endian, as Joliet records every name and identifier. */
export function encodeUcs2(text: string): Uint8Array {
  const bytes = new Uint8Array(text.length * 2);
  const view = viewOf(bytes);
  for (let index = 0; index < text.length; index += 1) view.setUint16(index * 2, text.charCodeAt(index), false);
  return bytes;
}

/**
 * Writes `text` in UCS-2 into a field of `width` bytes padded with UCS-2 spaces (00 20). The 37-byte
 * file identifier fields have one odd byte left over, which stays 00.
 */
export function setPaddedUcs2(bytes: Uint8Array, offset: number, width: number, text: string): void {
  const characters = Math.floor(width / 2);
  const encoded = encodeUcs2(text.padEnd(characters, ' ').slice(0, characters));
  bytes.fill(0, offset, offset + width);
  bytes.set(encoded, offset);
}

export function encodeAscii(text: string): Uint8Array {
  // A plain loop: Uint8Array.from with a mapping function goes through the iterator protocol, and this
  // runs for every SUSP entry and identifier of every image (a fifth of the writer's time in a fleet).
  const bytes = new Uint8Array(text.length);
  for (let index = 0; index < text.length; index += 1) bytes[index] = text.charCodeAt(index) & 0xff;
  return bytes;
}

export { concatBytes } from '../../../concat-bytes.js';

/** Unsigned byte-wise order: Joliet sorts directory records by their UCS-2 code units this way. */
export function compareBytes(left: Uint8Array, right: Uint8Array): number {
  const length = Math.min(left.length, right.length);
  for (let index = 0; index < length; index += 1) {
    const difference = (left[index] ?? 0) - (right[index] ?? 0);
    if (difference !== 0) return difference;
  }
  return left.length - right.length;
}
