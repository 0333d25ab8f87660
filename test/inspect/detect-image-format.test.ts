import { describe, expect, it } from 'vitest';
import { CloudseedError } from '../../src/errors.js';
import { detectImageFormat, readImageVolume, requireImageFormat } from '../../src/inspect/index.js';
import { writeFat } from '../../src/formats/fat/index.js';
import { writeSeedTar } from '../../src/pack/seed-tar.js';
import { seedFiles, stagedTime } from './support/seed-images.js';

function withAscii(size: number, offset: number, text: string): Uint8Array {
  const bytes = new Uint8Array(size);
  bytes.set(new TextEncoder().encode(text), offset);
  return bytes;
}

describe('detectImageFormat', () => {
  it('knows each format by its magic', async () => {
    expect(detectImageFormat(withAscii(40_000, 32_769, 'CD001'))).toBe('iso9660');
    expect(detectImageFormat(new Uint8Array([0x51, 0x46, 0x49, 0xfb, 0, 0, 0, 3]))).toBe('qcow2');
    expect(detectImageFormat(await writeSeedTar(seedFiles(), { layout: 'tar', timestamp: stagedTime }))).toBe('tar');
    expect(detectImageFormat(writeFat(seedFiles(), { label: 'cidata', timestamp: stagedTime }))).toBe('vfat');
  });

  it('wants a sane BPB, not only 0x55AA, before calling something FAT', () => {
    const fat = writeFat(seedFiles(), { label: 'cidata', timestamp: stagedTime });
    const badSectorSize = fat.slice();
    badSectorSize[11] = 0x00;
    badSectorSize[12] = 0x03; // BPB_BytsPerSec 768
    expect(detectImageFormat(badSectorSize)).toBeNull();
    expect(() => requireImageFormat(badSectorSize)).toThrow(/as FAT, BPB_BytsPerSec is 768, not 512, 1024, 2048 or 4096/);
  });

  it('says what it expected when it knows none of them', async () => {
    const text = new TextEncoder().encode('#cloud-config\nhostname: x\n');
    expect(detectImageFormat(text)).toBeNull();
    const error = await readImageVolume(text).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CloudseedError);
    expect(error).toMatchObject({ code: 'SPEC_INVALID' });
    expect((error as Error).message).toBe(
      'not a seed image (26 bytes): expected ISO 9660 (CD001 at byte 32769), FAT (a boot sector with 0x55AA at byte 510 and a valid BPB), tar (ustar at byte 257) or qcow2 (QFI\\xfb at byte 0)',
    );
  });

  it('leaves qcow2 to inspectImage, which converts it first', async () => {
    await expect(readImageVolume(new Uint8Array([0x51, 0x46, 0x49, 0xfb]))).rejects.toThrow(/qcow2 image; convert it to raw first/);
  });
});
