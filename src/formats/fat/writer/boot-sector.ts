// Sector 0 of a FAT12/16 volume: the jump, OEM name and BIOS parameter block, the extended boot
// signature with volume id, label and type string, a tiny non-boot stub, and the 0x55AA signature.
import {
  bootSectorFields,
  bootSignature,
  bootSignatureOffset,
  extendedBootRecordFields,
  extendedBootRecordStart,
  extendedBootSignature,
  noOperation,
  shortJumpOpcode,
} from '../fat-layout.js';
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
// The boot code follows the FAT12/16 extended boot record, which ends with the 8-byte type string.
const bootCodeOffset = extendedBootRecordStart.fat16 + extendedBootRecordFields.fileSystemType + 8;
// JMP SHORT to the boot code, then NOP: the spec's EB ?? 90 form.
const jumpInstruction = [shortJumpOpcode, bootCodeOffset - 2, noOperation];
// The seed is never meant to boot: INT 18h hands the BIOS on to its next boot device, then halt forever.
const notBootableStub = [0xcd, 0x18, 0xf4, 0xeb, 0xfd];
// A hard disk, as the seed is attached.
const hardDiskDriveNumber = 0x80;

export function encodeBootSector(fields: BootSectorFields): Uint8Array {
  const { geometry } = fields;
  const sector = new Uint8Array(geometry.bytesPerSector);
  const view = new DataView(sector.buffer);
  const at = bootSectorFields;
  sector.set(jumpInstruction, at.jumpBoot);
  writeAscii(sector, at.oemName, oemName);
  view.setUint16(at.bytesPerSector, geometry.bytesPerSector, true);
  sector[at.sectorsPerCluster] = geometry.sectorsPerCluster;
  view.setUint16(at.reservedSectors, geometry.reservedSectors, true);
  sector[at.fatCount] = geometry.fatCount;
  view.setUint16(at.rootEntryCount, geometry.rootEntryCount, true);
  // BPB_TotSec16 holds counts below 0x10000; larger ones go to BPB_TotSec32 with TotSec16 = 0.
  view.setUint16(at.totalSectors16, geometry.totalSectors < 0x10000 ? geometry.totalSectors : 0, true);
  sector[at.media] = mediaDescriptor;
  view.setUint16(at.fatSectors16, geometry.fatSectors, true);
  view.setUint16(at.sectorsPerTrack, geometry.sectorsPerTrack, true);
  view.setUint16(at.heads, geometry.heads, true);
  view.setUint32(at.hiddenSectors, 0, true); // an unpartitioned image
  view.setUint32(at.totalSectors32, geometry.totalSectors < 0x10000 ? 0 : geometry.totalSectors, true);
  writeExtendedBootRecord(sector, fields);
  sector.set(notBootableStub, bootCodeOffset);
  sector.set(bootSignature, bootSignatureOffset);
  return sector;
}

function writeExtendedBootRecord(sector: Uint8Array, fields: BootSectorFields): void {
  const view = new DataView(sector.buffer);
  const start = extendedBootRecordStart.fat16;
  const at = extendedBootRecordFields;
  sector[start + at.driveNumber] = hardDiskDriveNumber;
  sector[start + at.bootSignature] = extendedBootSignature;
  view.setUint32(start + at.volumeId, fields.volumeId, true);
  writeAscii(sector, start + at.volumeLabel, fields.label);
  writeAscii(sector, start + at.fileSystemType, `FAT${fields.geometry.fatType}`.padEnd(8, ' '));
}

function writeAscii(target: Uint8Array, offset: number, text: string): void {
  for (let index = 0; index < text.length; index += 1) target[offset + index] = text.charCodeAt(index);
}
