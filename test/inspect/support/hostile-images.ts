// Hostile and damaged images, made from good ones by patching bytes found by hand (not with the reader
// under test): Rock Ridge names and records in cloudseed's ISO writer's root directory, FAT directory
// entries, and tar archives built with tar-stream, which writes any name and entry type it is given.
import { pack } from 'tar-stream';
import { writeFat, writeIso9660 } from '../../../src/pack/index.js';
import type { SeedFile } from '../../../src/pack/seed-file.js';
import { rootDirectoryOffset } from './fat-patches.js';
import { stagedTime } from './seed-images.js';

const encoder = new TextEncoder();

/** Replaces every occurrence of `from` by `to` (the same length) in place; returns how many there were. */
export function replaceBytes(image: Uint8Array, from: Uint8Array, to: Uint8Array): number {
  if (from.length !== to.length) throw new Error(`replaceBytes: ${from.length} bytes cannot become ${to.length}`);
  let count = 0;
  for (let offset = image.indexOf(from[0] ?? 0); offset !== -1 && offset + from.length <= image.length; offset = image.indexOf(from[0] ?? 0, offset + 1)) {
    if (from.every((byte, index) => image[offset + index] === byte)) {
      image.set(to, offset);
      count += 1;
    }
  }
  return count;
}

export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

function utf16le(text: string): Uint8Array {
  const bytes = new Uint8Array(text.length * 2);
  for (let index = 0; index < text.length; index += 1) {
    bytes[index * 2] = text.charCodeAt(index) & 0xff;
    bytes[index * 2 + 1] = text.charCodeAt(index) >> 8;
  }
  return bytes;
}

/** A placeholder name of `length` bytes, unlike any other name or byte run in the images. */
function placeholder(length: number, letter = 'q'): string {
  return `${letter}${'z'.repeat(length - 1)}`;
}

export function iso(files: readonly SeedFile[], label = 'cidata'): Uint8Array {
  return writeIso9660(files, { label, timestamp: stagedTime });
}

/** An ISO (Rock Ridge) whose files carry `names` exactly as given, whatever bytes they are. */
export function isoWithNames(names: readonly string[], extra: readonly SeedFile[] = []): Uint8Array {
  const placeholders = names.map((name, index) => placeholder(utf8(name).length, String.fromCharCode(0x61 + index)));
  const image = iso([...extra, ...placeholders.map((name, index) => ({ path: name, bytes: utf8(`file ${index}\n`), mode: 0o644 }))]);
  // Only inside the Rock Ridge NM field (signature, length, version 1, flags 0, name), so even a
  // one-byte name is found in just one place.
  const nameField = (bytes: Uint8Array) => new Uint8Array([0x4e, 0x4d, 5 + bytes.length, 1, 0, ...bytes]);
  names.forEach((name, index) => {
    const count = replaceBytes(image, nameField(utf8(placeholders[index] as string)), nameField(utf8(name)));
    if (count !== 1) throw new Error(`isoWithNames: ${placeholders[index]} found ${count} times`);
  });
  return image;
}

/** An ISO with its primary volume identifier (the label) set to `label`'s bytes, space-padded. */
export function isoWithLabel(label: Uint8Array): Uint8Array {
  const image = iso([{ path: 'user-data', bytes: utf8('#cloud-config\n'), mode: 0o600 }]);
  image.fill(0x20, 16 * 2048 + 40, 16 * 2048 + 72);
  image.set(label, 16 * 2048 + 40);
  return image;
}

export interface IsoRecord {
  /** Byte offset of the directory record in the image. */
  offset: number;
  extent: number;
  dataLength: number;
}

/** The root directory record in the primary volume descriptor, and the root's own records by plain ISO name. */
export function isoRootRecords(image: Uint8Array): { root: IsoRecord; records: Map<string, IsoRecord> } {
  const view = new DataView(image.buffer, image.byteOffset, image.byteLength);
  const rootOffset = 16 * 2048 + 156;
  const root = { offset: rootOffset, extent: view.getUint32(rootOffset + 2, true), dataLength: view.getUint32(rootOffset + 10, true) };
  const records = new Map<string, IsoRecord>();
  for (let offset = root.extent * 2048; offset < root.extent * 2048 + root.dataLength; ) {
    const length = image[offset] ?? 0;
    if (length === 0) break;
    const nameLength = image[offset + 32] ?? 0;
    const name = new TextDecoder('latin1').decode(image.subarray(offset + 33, offset + 33 + nameLength));
    records.set(name, { offset, extent: view.getUint32(offset + 2, true), dataLength: view.getUint32(offset + 10, true) });
    offset += length;
  }
  return { root, records };
}

/** The record of the file whose plain ISO name starts with `prefix` (`USER_DAT`, `META_DAT`). */
export function isoRecord(image: Uint8Array, prefix: string): IsoRecord {
  const { records } = isoRootRecords(image);
  for (const [name, record] of records) if (name.startsWith(prefix)) return record;
  throw new Error(`no ISO record starting with ${prefix}: ${[...records.keys()].join(', ')}`);
}

/** Sets a both-endian 32-bit field (little-endian, then big-endian) at `offset`. */
export function setBothEndian32(image: Uint8Array, offset: number, value: number): void {
  const view = new DataView(image.buffer, image.byteOffset, image.byteLength);
  view.setUint32(offset, value, true);
  view.setUint32(offset + 4, value, false);
}

export function fat(files: readonly SeedFile[], label = 'cidata'): Uint8Array {
  return writeFat(files, { label, timestamp: stagedTime });
}

/** A FAT volume whose files' long names are `names` (UTF-16 units patched in place; the checksum still holds). */
export function fatWithLongNames(names: readonly string[]): Uint8Array {
  // Lower case letters force a long-name entry; at most 5 characters keeps each name in one LDIR_Name1.
  const placeholders = names.map((name, index) => placeholder(name.length, String.fromCharCode(0x61 + index)));
  if (names.some((name) => name.length > 5)) throw new Error('fatWithLongNames: names of at most 5 UTF-16 units');
  const image = fat(placeholders.map((name, index) => ({ path: name, bytes: utf8(`file ${index}\n`), mode: 0o644 })));
  names.forEach((name, index) => {
    const count = replaceBytes(image, utf16le(placeholders[index] as string), utf16le(name));
    if (count !== 1) throw new Error(`fatWithLongNames: ${placeholders[index]} found ${count} times`);
  });
  return image;
}

/** The 32-byte root directory entries of a FAT12/16 volume that are short entries (not long-name parts or the label). */
export function fatShortEntries(image: Uint8Array): Map<string, number> {
  const entries = new Map<string, number>();
  const start = rootDirectoryOffset(image);
  for (let offset = start; image[offset] !== 0; offset += 32) {
    const attribute = image[offset + 11] ?? 0;
    if ((attribute & 0x0f) === 0x0f || (attribute & 0x08) !== 0) continue;
    entries.set(new TextDecoder('latin1').decode(image.subarray(offset, offset + 11)), offset);
  }
  return entries;
}

export function fatEntryOffset(image: Uint8Array, shortNamePrefix: string): number {
  for (const [name, offset] of fatShortEntries(image)) if (name.startsWith(shortNamePrefix)) return offset;
  throw new Error(`no FAT entry starting with ${shortNamePrefix}: ${[...fatShortEntries(image).keys()].join(', ')}`);
}

export function setU16(image: Uint8Array, offset: number, value: number): void {
  image[offset] = value & 0xff;
  image[offset + 1] = (value >> 8) & 0xff;
}

export function setU32(image: Uint8Array, offset: number, value: number): void {
  new DataView(image.buffer, image.byteOffset, image.byteLength).setUint32(offset, value >>> 0, true);
}

export interface TarItem {
  header: Parameters<ReturnType<typeof pack>['entry']>[0];
  body?: string;
}

/** A tar archive of exactly these entries (names, types and link targets as given). */
export async function tarOf(items: readonly TarItem[]): Promise<Uint8Array> {
  const archive = pack();
  for (const { header, body } of items) {
    if (body === undefined) archive.entry(header);
    else archive.entry(header, body);
  }
  archive.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of archive) chunks.push(chunk as Buffer);
  return new Uint8Array(Buffer.concat(chunks));
}

/** Recomputes a tar header's checksum after its bytes were changed. */
export function fixTarChecksum(archive: Uint8Array, headerOffset = 0): void {
  const header = archive.subarray(headerOffset, headerOffset + 512);
  header.fill(0x20, 148, 156);
  const sum = header.reduce((total, byte) => total + byte, 0);
  header.set(utf8(`${sum.toString(8).padStart(6, '0')}\0 `), 148);
}
