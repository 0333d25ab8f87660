// Damage for FAT images, written from the BPB by hand (not with the reader under test): where the
// first FAT and the root directory are, and how to set a FAT12/16 entry.
export interface FatGeometry {
  fatType: 12 | 16;
  clusterBytes: number;
  fatOffset: number;
}

function u16(image: Uint8Array, offset: number): number {
  return (image[offset] ?? 0) | ((image[offset + 1] ?? 0) << 8);
}

export function fatGeometry(image: Uint8Array): FatGeometry {
  const bytesPerSector = u16(image, 11);
  const filSysType = new TextDecoder().decode(image.subarray(54, 59));
  return {
    fatType: filSysType === 'FAT12' ? 12 : 16,
    clusterBytes: (image[13] ?? 0) * bytesPerSector,
    fatOffset: u16(image, 14) * bytesPerSector,
  };
}

export function rootDirectoryOffset(image: Uint8Array): number {
  const bytesPerSector = u16(image, 11);
  return (u16(image, 14) + (image[16] ?? 0) * u16(image, 22)) * bytesPerSector;
}

/** Sets FAT entry `cluster` of the first FAT (FAT12 packs two entries in three bytes). */
export function setFatEntry(image: Uint8Array, cluster: number, value: number): void {
  const { fatType, fatOffset } = fatGeometry(image);
  if (fatType === 16) {
    image[fatOffset + cluster * 2] = value & 0xff;
    image[fatOffset + cluster * 2 + 1] = value >> 8;
    return;
  }
  const offset = fatOffset + cluster + (cluster >> 1);
  const pair = u16(image, offset);
  const packed = cluster % 2 === 0 ? (pair & 0xf000) | value : (pair & 0x000f) | (value << 4);
  image[offset] = packed & 0xff;
  image[offset + 1] = packed >> 8;
}
