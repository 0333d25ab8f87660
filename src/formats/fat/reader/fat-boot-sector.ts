// The boot sector and BPB (Microsoft's FAT specification, sections 3 and 4): sanity checks, where the
// FATs, root directory and data region are, and the FAT type, which the count of clusters alone decides.
import { sliceOf, u16le, u32le, u8 } from '../../byte-fields.js';
import { invalidImage } from '../../invalid-image.js';
import {
  bootSectorFields,
  bootSignature,
  bootSignatureOffset,
  directoryEntryLength,
  extendedBootRecordFields,
  extendedBootRecordStart,
  extendedBootSignature,
  fatTableBytes,
  maxClusters,
  nearJumpOpcode,
  noOperation,
  shortJumpOpcode,
  shortNameLength,
} from '../fat-layout.js';
import { decodeOemText } from './oem-code-page.js';

export type FatType = 12 | 16 | 32;

export interface FatRegions {
  fatType: FatType;
  bytesPerSector: number;
  clusterBytes: number;
  /** CountofClusters: data clusters, numbered 2 to clusterCount + 1. */
  clusterCount: number;
  /** Byte offset of the FAT in use (the first, unless FAT32 mirroring is off). */
  fatOffset: number;
  fatBytes: number;
  /** FAT12/16: the fixed root directory region; FAT32 keeps its root in clusters from `rootCluster`. */
  rootDirectoryOffset: number;
  rootDirectoryBytes: number;
  rootCluster: number | null;
  dataOffset: number;
  volumeBytes: number;
  bootSectorLabel: string | null;
  volumeSerial: number | null;
}

const at = bootSectorFields;

/** What is wrong with `bytes` as a FAT boot sector, or null if it looks like one. Never throws. */
export function bootSectorProblem(bytes: Uint8Array): string | null {
  if (bytes.length < 512) return `the image is ${bytes.length} bytes, smaller than one boot sector`;
  if (bytes[bootSignatureOffset] !== bootSignature[0] || bytes[bootSignatureOffset + 1] !== bootSignature[1]) {
    return 'there is no boot sector signature 0x55AA at byte 510';
  }
  const opcode = bytes[at.jumpBoot];
  const jump = opcode === nearJumpOpcode || (opcode === shortJumpOpcode && bytes[at.jumpBoot + 2] === noOperation);
  if (!jump) return 'BS_jmpBoot is neither EB ?? 90 nor E9 ?? ??';
  const bytesPerSector = u16le(bytes, at.bytesPerSector);
  if (![512, 1024, 2048, 4096].includes(bytesPerSector)) return `BPB_BytsPerSec is ${bytesPerSector}, not 512, 1024, 2048 or 4096`;
  const sectorsPerCluster = u8(bytes, at.sectorsPerCluster);
  if (![1, 2, 4, 8, 16, 32, 64, 128].includes(sectorsPerCluster)) return `BPB_SecPerClus is ${sectorsPerCluster}, not a power of two up to 128`;
  if (u16le(bytes, at.reservedSectors) === 0) return 'BPB_RsvdSecCnt is 0';
  if (u8(bytes, at.fatCount) === 0) return 'BPB_NumFATs is 0';
  const media = u8(bytes, at.media);
  if (media !== 0xf0 && media < 0xf8) return `BPB_Media is 0x${media.toString(16)}, not F0 or F8 to FF`;
  if (u16le(bytes, at.totalSectors16) === 0 && u32le(bytes, at.totalSectors32) === 0) return 'both BPB_TotSec16 and BPB_TotSec32 are 0';
  if (u16le(bytes, at.fatSectors16) === 0 && u32le(bytes, at.fatSectors32) === 0) return 'both BPB_FATSz16 and BPB_FATSz32 are 0';
  return null;
}

export function readFatRegions(image: Uint8Array): FatRegions {
  const problem = bootSectorProblem(image);
  if (problem !== null) throw invalidImage(`not a FAT volume: ${problem}`);
  const bytesPerSector = u16le(image, at.bytesPerSector);
  const sectorsPerCluster = u8(image, at.sectorsPerCluster);
  const reservedSectors = u16le(image, at.reservedSectors);
  const fatCount = u8(image, at.fatCount);
  const rootEntryCount = u16le(image, at.rootEntryCount);
  const totalSectors = u16le(image, at.totalSectors16) || u32le(image, at.totalSectors32);
  const fatSectors = u16le(image, at.fatSectors16) || u32le(image, at.fatSectors32);
  const rootDirectorySectors = Math.ceil((rootEntryCount * directoryEntryLength) / bytesPerSector);
  const firstDataSector = reservedSectors + fatCount * fatSectors + rootDirectorySectors;
  if (firstDataSector >= totalSectors) {
    throw invalidImage(`the boot sector puts the data region at sector ${firstDataSector}, past the volume's ${totalSectors} sectors`);
  }
  const clusterCount = Math.floor((totalSectors - firstDataSector) / sectorsPerCluster);
  const fatType: FatType = clusterCount <= maxClusters[12] ? 12 : clusterCount <= maxClusters[16] ? 16 : 32;
  checkRootDirectory(fatType, rootEntryCount, u16le(image, at.fatSectors16));
  const activeFat = fatType === 32 ? activeFatIndex(image, fatCount) : 0;
  const regions: FatRegions = {
    fatType,
    bytesPerSector,
    clusterBytes: sectorsPerCluster * bytesPerSector,
    clusterCount,
    fatOffset: (reservedSectors + activeFat * fatSectors) * bytesPerSector,
    fatBytes: fatSectors * bytesPerSector,
    rootDirectoryOffset: (reservedSectors + fatCount * fatSectors) * bytesPerSector,
    rootDirectoryBytes: rootDirectorySectors * bytesPerSector,
    rootCluster: fatType === 32 ? u32le(image, at.rootCluster) : null,
    dataOffset: firstDataSector * bytesPerSector,
    volumeBytes: totalSectors * bytesPerSector,
    ...volumeIdentity(image, fatType),
  };
  checkSizes(image, regions);
  return regions;
}

function checkRootDirectory(fatType: FatType, rootEntryCount: number, fatSectors16: number): void {
  if (fatType === 32 && (rootEntryCount !== 0 || fatSectors16 !== 0)) {
    throw invalidImage('the cluster count makes this FAT32, but the BPB has FAT12/16 fields (BPB_RootEntCnt, BPB_FATSz16) set');
  }
  if (fatType !== 32 && rootEntryCount === 0) {
    throw invalidImage(`the cluster count makes this FAT${fatType}, but BPB_RootEntCnt gives it no root directory`);
  }
}

/** BPB_ExtFlags: bit 7 set means only the FAT numbered in bits 0–3 is in use. */
function activeFatIndex(image: Uint8Array, fatCount: number): number {
  const flags = u16le(image, at.extendedFlags);
  if ((flags & 0x80) === 0) return 0;
  const index = flags & 0x0f;
  if (index >= fatCount) throw invalidImage(`BPB_ExtFlags makes FAT ${index} the active one, but there are ${fatCount}`);
  return index;
}

/** BS_VolID and BS_VolLab sit at 39/43 on FAT12/16 and 67/71 on FAT32, present when BS_BootSig is 0x29. */
function volumeIdentity(image: Uint8Array, fatType: FatType): Pick<FatRegions, 'bootSectorLabel' | 'volumeSerial'> {
  const base = fatType === 32 ? extendedBootRecordStart.fat32 : extendedBootRecordStart.fat16;
  const record = extendedBootRecordFields;
  if (u8(image, base + record.bootSignature) !== extendedBootSignature) return { bootSectorLabel: null, volumeSerial: null };
  const label = decodeOemText(sliceOf(image, base + record.volumeLabel, shortNameLength, 'BS_VolLab')).trimEnd();
  // "NO NAME" is what formatters write when there is no label; blkid does not report it either.
  return { bootSectorLabel: label === 'NO NAME' || label === '' ? null : label, volumeSerial: u32le(image, base + record.volumeId) };
}

function checkSizes(image: Uint8Array, regions: FatRegions): void {
  const needed = fatTableBytes(regions.fatType, regions.clusterCount);
  if (regions.fatBytes < needed) {
    throw invalidImage(`the FAT is ${regions.fatBytes} bytes, too small for the ${regions.clusterCount} clusters the BPB describes`);
  }
  if (image.length < regions.volumeBytes) {
    throw invalidImage(
      `the image is ${image.length} bytes but its boot sector says the volume is ${regions.volumeBytes} bytes`,
      'the image is truncated; write it again from its seed files',
    );
  }
  sliceOf(image, regions.fatOffset, regions.fatBytes, 'the FAT');
}
