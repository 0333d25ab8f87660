// Which kind of image some bytes are, by the magic each format puts at a fixed place: ISO 9660's CD001
// in sector 16, qcow2's QFI\xfb at the start, tar's ustar at byte 257, and FAT's boot sector (0x55AA
// and a BPB that makes sense). ISO comes before FAT because hybrid ISOs carry a boot sector too.
import { hasAscii } from './byte-fields.js';
import { bootSectorProblem } from './fat/fat-boot-sector.js';
import { invalidImage } from './image-errors.js';
import { firstDescriptorSector, sectorBytes } from './iso9660/volume-descriptors.js';

export type ImageFormat = 'iso9660' | 'vfat' | 'tar' | 'qcow2';

const qcow2Magic = [0x51, 0x46, 0x49, 0xfb];
const tarMagicOffset = 257;
const hint = 'cloudseed inspect reads the images that cloudseed, cloud-localds, genisoimage, xorriso and mkfs.vfat write';

/** The image's format, or null when it is none of the four. Never throws. */
export function detectImageFormat(bytes: Uint8Array): ImageFormat | null {
  if (qcow2Magic.every((byte, index) => bytes[index] === byte)) return 'qcow2';
  if (hasAscii(bytes, firstDescriptorSector * sectorBytes + 1, 'CD001')) return 'iso9660';
  // POSIX writes "ustar\0" + "00", GNU tar "ustar  \0"; both start with these five letters.
  if (hasAscii(bytes, tarMagicOffset, 'ustar')) return 'tar';
  if (bootSectorProblem(bytes) === null) return 'vfat';
  return null;
}

/** The same, as an error for people when the format is unknown. */
export function requireImageFormat(bytes: Uint8Array): ImageFormat {
  const format = detectImageFormat(bytes);
  if (format !== null) return format;
  const expected =
    'expected ISO 9660 (CD001 at byte 32769), FAT (a boot sector with 0x55AA at byte 510 and a valid BPB), ' +
    'tar (ustar at byte 257) or qcow2 (QFI\\xfb at byte 0)';
  // A boot sector signature with a nonsensical BPB is most likely a damaged FAT volume: say what is wrong.
  const fatProblem = bytes[510] === 0x55 && bytes[511] === 0xaa ? `; as FAT, ${bootSectorProblem(bytes) ?? ''}` : '';
  throw invalidImage(`not a seed image (${bytes.length} bytes): ${expected}${fatProblem}`, hint);
}
