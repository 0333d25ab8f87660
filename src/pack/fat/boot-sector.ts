// Sector 0 of a FAT12/16 volume: the jump, OEM name and BIOS parameter block, the extended boot
// signature with volume id, label and type string, a tiny non-boot stub, and the 0x55AA signature.
import type { FatGeometry } from './fat-geometry.js';

export interface BootSectorFields {
  geometry: FatGeometry;
  /** 11 bytes, upper case, space-padded. */
  label: string;
  volumeId: number;
}

/** 0xF8: the spec's standard media byte for fixed (non-removable) media; FAT[0] repeats it. */
export const mediaDescriptor = 0xf8;
// The spec recommends this OEM name as "the setting least likely to cause compatibility problems".
const oemName = 'MSWIN4.1';
const bootCodeOffset = 0x3e;
// JMP SHORT to the boot code at 0x3E, then NOP: the spec's EB ?? 90 form.
const jumpInstruction = [0xeb, bootCodeOffset - 2, 0x90];
// The seed is never meant to boot: INT 18h hands the BIOS on to its next boot device, then halt forever.
const notBootableStub = [0xcd, 0x18, 0xf4, 0xeb, 0xfd];

export function encodeBootSector(fields: BootSectorFields): Uint8Array {
  const { geometry } = fields;
  const sector = new Uint8Array(geometry.bytesPerSector);
  const view = new DataView(sector.buffer);
  sector.set(jumpInstruction, 0);
  writeAscii(sector, 3, oemName); // BS_OEMName
  view.setUint16(11, geometry.bytesPerSector, true); // BPB_BytsPerSec
  sector[13] = geometry.sectorsPerCluster; // BPB_SecPerClus
  view.setUint16(14, geometry.reservedSectors, true); // BPB_RsvdSecCnt
  sector[16] = geometry.fatCount; // BPB_NumFATs
  view.setUint16(17, geometry.rootEntryCount, true); // BPB_RootEntCnt
  // BPB_TotSec16 holds counts below 0x10000; larger ones go to BPB_TotSec32 with TotSec16 = 0.
  view.setUint16(19, geometry.totalSectors < 0x10000 ? geometry.totalSectors : 0, true);
  sector[21] = mediaDescriptor; // BPB_Media
  view.setUint16(22, geometry.fatSectors, true); // BPB_FATSz16
  view.setUint16(24, geometry.sectorsPerTrack, true); // BPB_SecPerTrk
  view.setUint16(26, geometry.heads, true); // BPB_NumHeads
  view.setUint32(28, 0, true); // BPB_HiddSec: an unpartitioned image
  view.setUint32(32, geometry.totalSectors < 0x10000 ? 0 : geometry.totalSectors, true); // BPB_TotSec32
  sector[36] = 0x80; // BS_DrvNum: a hard disk, as the seed is attached
  sector[38] = 0x29; // BS_BootSig: the next three fields are present
  view.setUint32(39, fields.volumeId, true); // BS_VolID
  writeAscii(sector, 43, fields.label); // BS_VolLab
  writeAscii(sector, 54, `FAT${geometry.fatType}`.padEnd(8, ' ')); // BS_FilSysType
  sector.set(notBootableStub, bootCodeOffset);
  sector[510] = 0x55;
  sector[511] = 0xaa;
  return sector;
}

function writeAscii(target: Uint8Array, offset: number, text: string): void {
  for (let index = 0; index < text.length; index += 1) target[offset + index] = text.charCodeAt(index);
}
