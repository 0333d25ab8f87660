// Which kind of image some bytes are, by the magic each format puts at a fixed place: ISO 9660's CD001
// in sector 16, qcow2's QFI\xfb at the start, tar's ustar at byte 257, and FAT's boot sector (0x55AA
// and a BPB that makes sense). ISO comes before FAT because hybrid ISOs carry a boot sector too.
import { hasAscii } from './byte-fields.js';
import { bootSignature, bootSignatureOffset } from './fat/fat-layout.js';
import { bootSectorProblem } from './fat/reader/fat-boot-sector.js';
import { invalidImage } from './invalid-image.js';
import { descriptorFields, firstDescriptorSector, sectorSize, standardIdentifier } from './iso9660/iso9660-layout.js';
import { qcow2Magic } from './qcow2/qcow2-layout.js';
import { ustarMagic, ustarMagicOffset } from './tar/tar-layout.js';

export type ImageFormat = 'iso9660' | 'vfat' | 'tar' | 'qcow2';

const hint = 'cloudseed inspect reads the images that cloudseed, cloud-localds, genisoimage, xorriso and mkfs.vfat write';
const isoMagicOffset = firstDescriptorSector * sectorSize + descriptorFields.standardIdentifier;

/** The image's format, or null when it is none of the four. Never throws. */
export function detectImageFormat(bytes: Uint8Array): ImageFormat | null {
  if (qcow2Magic.every((byte, index) => bytes[index] === byte)) return 'qcow2';
  if (hasAscii(bytes, isoMagicOffset, standardIdentifier)) return 'iso9660';
  if (hasAscii(bytes, ustarMagicOffset, ustarMagic)) return 'tar';
  if (bootSectorProblem(bytes) === null) return 'vfat';
  return null;
}

/** The same, as an error for people when the format is unknown. */
export function requireImageFormat(bytes: Uint8Array): ImageFormat {
  const format = detectImageFormat(bytes);
  if (format !== null) return format;
  const expected =
    `expected ISO 9660 (${standardIdentifier} at byte ${isoMagicOffset}), FAT (a boot sector with 0x55AA at byte ${bootSignatureOffset} and a valid BPB), ` +
    `tar (${ustarMagic} at byte ${ustarMagicOffset}) or qcow2 (QFI\\xfb at byte 0)`;
  // A boot sector signature with a nonsensical BPB is most likely a damaged FAT volume: say what is wrong.
  const hasBootSignature = bytes[bootSignatureOffset] === bootSignature[0] && bytes[bootSignatureOffset + 1] === bootSignature[1];
  const fatProblem = hasBootSignature ? `; as FAT, ${bootSectorProblem(bytes) ?? ''}` : '';
  throw invalidImage(`not a seed image (${bytes.length} bytes): ${expected}${fatProblem}`, hint);
}
