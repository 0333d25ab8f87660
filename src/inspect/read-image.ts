// One entry point for image bytes: detect the format and hand the bytes to its reader. qcow2 needs
// qemu-img to become raw first, which is I/O, so it is refused here and done by `inspectImage`.
import { invalidImage, readFat, readIso9660, requireImageFormat } from '../formats/index.js';
import type { ImageVolume } from './image-volume.js';
import { readTar } from './read-tar.js';

/** Pure: a raw ISO 9660 or FAT volume or a tar archive in, its structure out. */
export async function readImageVolume(bytes: Uint8Array): Promise<ImageVolume> {
  const format = requireImageFormat(bytes);
  if (format === 'iso9660') return readIso9660(bytes);
  if (format === 'vfat') return readFat(bytes);
  if (format === 'tar') return readTar(bytes);
  throw invalidImage('this is a qcow2 image; convert it to raw first (inspectImage does, with qemu-img)');
}
