// Bounds-checked reads of on-disk fields. Everything the readers take from an image goes through here,
// so a field past the end of a truncated or corrupt image is a clean SPEC_INVALID, never a RangeError.
import { invalidImage } from './invalid-image.js';
export { concatBytes } from '../concat-bytes.js';

/** `length` bytes at `offset` (a view, not a copy), or an error naming `what` if they are not all there. */
export function sliceOf(bytes: Uint8Array, offset: number, length: number, what: string): Uint8Array {
  const fits = Number.isSafeInteger(offset) && Number.isSafeInteger(length) && offset >= 0 && length >= 0;
  if (!fits || offset + length > bytes.length) {
    throw invalidImage(
      `${what} lies at bytes ${offset} to ${offset + length}, past the end of the image (${bytes.length} bytes)`,
      'the image is truncated or corrupt; write it again from its seed files',
    );
  }
  return bytes.subarray(offset, offset + length);
}

export function u8(bytes: Uint8Array, offset: number): number {
  const value = bytes[offset];
  if (value === undefined) throw invalidImage(`a field at byte ${offset} lies past the end of its structure (${bytes.length} bytes)`);
  return value;
}

export function u16le(bytes: Uint8Array, offset: number): number {
  return u8(bytes, offset) | (u8(bytes, offset + 1) << 8);
}

export function u32le(bytes: Uint8Array, offset: number): number {
  return u16le(bytes, offset) + u16le(bytes, offset + 2) * 0x1_0000;
}

export function u16be(bytes: Uint8Array, offset: number): number {
  return (u8(bytes, offset) << 8) | u8(bytes, offset + 1);
}

export function u32be(bytes: Uint8Array, offset: number): number {
  return u16be(bytes, offset) * 0x1_0000 + u16be(bytes, offset + 2);
}

/** Bytes as ISO-8859-1 characters: each byte one character, so nothing is lost or rejected. */
export function latin1(bytes: Uint8Array, offset: number, length: number): string {
  let text = '';
  for (let index = offset; index < offset + length; index += 1) text += String.fromCharCode(u8(bytes, index));
  return text;
}

/** Whether `bytes` at `offset` spell `text` in ASCII; false (not an error) when the bytes are not there. */
export function hasAscii(bytes: Uint8Array, offset: number, text: string): boolean {
  if (offset + text.length > bytes.length) return false;
  for (let index = 0; index < text.length; index += 1) {
    if (bytes[offset + index] !== text.charCodeAt(index)) return false;
  }
  return true;
}

const utf8 = new TextDecoder('utf-8');

/** UTF-8 text; malformed sequences become U+FFFD rather than an exception. */
export function utf8Text(bytes: Uint8Array): string {
  return utf8.decode(bytes);
}
