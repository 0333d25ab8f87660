// Independent readers for packed images: isoinfo (genisoimage), xorriso, mtools and fsck.vfat read what
// a packer wrote, and the assertions compare every file byte for byte with what went in.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { expect } from 'vitest';
import type { SeedFile } from '../../../src/pack/seed-file.js';

// fsck.vfat lives in /usr/sbin, which a normal user's PATH lacks.
const toolEnv = { PATH: `${process.env.PATH ?? ''}:/usr/sbin:/sbin` };

async function output(program: string, args: readonly string[]): Promise<string> {
  return (await execa(program, args, { env: toolEnv })).stdout;
}

async function outputBytes(program: string, args: readonly string[]): Promise<Uint8Array> {
  return (await execa(program, args, { env: toolEnv, encoding: 'buffer', stripFinalNewline: false })).stdout;
}

/** Writes `image` to a temporary file for the readers and removes it afterwards. */
export async function withImageFile<T>(image: Uint8Array, use: (imagePath: string) => Promise<T>): Promise<T> {
  const directory = await mkdtemp(path.join(tmpdir(), 'cloudseed-test-'));
  try {
    const imagePath = path.join(directory, 'seed.img');
    await writeFile(imagePath, image);
    return await use(imagePath);
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

/** Same length and no differing byte; reports the first difference instead of a megabyte-long diff. */
export function expectSameBytes(actual: Uint8Array, expected: Uint8Array, what: string): void {
  if (Buffer.from(actual.buffer, actual.byteOffset, actual.byteLength).equals(expected)) return;
  const length = Math.min(actual.length, expected.length);
  let firstDifference = -1;
  for (let index = 0; index < length && firstDifference < 0; index += 1) {
    if (actual[index] !== expected[index]) firstDifference = index;
  }
  const found = { what, length: actual.length, firstDifference };
  expect(found).toEqual({ what, length: expected.length, firstDifference: -1 });
}

export async function isoVolumeId(imagePath: string): Promise<string | undefined> {
  return /^Volume id: (.*)$/m.exec(await output('isoinfo', ['-d', '-i', imagePath]))?.[1];
}

/** Rock Ridge permission strings by file name, from `isoinfo -R -l`, e.g. `user-data` → `-rw-------`. */
export async function isoRockRidgeModes(imagePath: string): Promise<Map<string, string>> {
  const listing = await output('isoinfo', ['-R', '-l', '-i', imagePath]);
  const modes = new Map<string, string>();
  for (const match of listing.matchAll(/^(-[rwx-]{9})\s.*\]\s+(\S+)\s*$/gm)) {
    if (match[1] !== undefined && match[2] !== undefined) modes.set(match[2], match[1]);
  }
  return modes;
}

/** The volume creation time xorriso reads from the primary volume descriptor, e.g. `2023111422132000`. */
export async function isoCreationTime(imagePath: string): Promise<string | undefined> {
  return /^Creation Time: (\d+)/m.exec(await output('xorriso', ['-indev', imagePath, '-pvd_info']))?.[1];
}

export async function xorrisoFileNames(imagePath: string): Promise<string[]> {
  const listing = await output('xorriso', ['-indev', imagePath, '-find', '/', '-type', 'f']);
  return listing.split('\n').map((line) => line.replace(/^'\/(.*)'$/, '$1')).sort();
}

/** Reads back an ISO with isoinfo (Joliet and Rock Ridge names) and xorriso; checks label and bytes. */
export async function expectIsoHolds(image: Uint8Array, files: readonly SeedFile[], label = 'cidata'): Promise<void> {
  await withImageFile(image, async (imagePath) => {
    expect(await isoVolumeId(imagePath)).toBe(label);
    expect(await xorrisoFileNames(imagePath)).toEqual(files.map((file) => file.path).sort());
    for (const file of files) {
      const viaJoliet = await outputBytes('isoinfo', ['-J', '-x', `/${file.path}`, '-i', imagePath]);
      expectSameBytes(viaJoliet, file.bytes, `Joliet ${file.path}`);
      const viaRockRidge = await outputBytes('isoinfo', ['-R', '-x', `/${file.path}`, '-i', imagePath]);
      expectSameBytes(viaRockRidge, file.bytes, `Rock Ridge ${file.path}`);
    }
  });
}

export async function vfatLabel(imagePath: string): Promise<string | undefined> {
  return /Volume label is (\S*)/.exec(await output('mlabel', ['-s', '-i', imagePath, '::']))?.[1];
}

export async function vfatFileNames(imagePath: string): Promise<string[]> {
  const listing = await output('mdir', ['-b', '-i', imagePath, '::']);
  return listing.split('\n').map((line) => line.replace(/^::\//, '')).sort();
}

/** Checks the filesystem with fsck.vfat, then label, names and bytes with mtools (one mcopy for all files). */
export async function expectVfatHolds(image: Uint8Array, files: readonly SeedFile[], label = 'cidata'): Promise<void> {
  await withImageFile(image, async (imagePath) => {
    await execa('fsck.vfat', ['-n', imagePath], { env: toolEnv });
    expect((await vfatLabel(imagePath))?.toLowerCase()).toBe(label.toLowerCase());
    expect(await vfatFileNames(imagePath)).toEqual(files.map((file) => file.path).sort());
    const copiedOut = path.join(path.dirname(imagePath), 'copied-out');
    await mkdir(copiedOut);
    await execa('mcopy', ['-n', '-i', imagePath, '::/*', `${copiedOut}/`], { env: toolEnv });
    for (const file of files) {
      const bytes = new Uint8Array(await readFile(path.join(copiedOut, file.path)));
      expectSameBytes(bytes, file.bytes, `FAT ${file.path}`);
    }
  });
}

/** What `qemu-img info` calls the image's format and size, and the raw bytes qemu-img converts it back to. */
export async function convertBackToRaw(
  image: Uint8Array,
): Promise<{ format: unknown; virtualSize: unknown; raw: Uint8Array }> {
  return withImageFile(image, async (imagePath) => {
    const info = JSON.parse(await output('qemu-img', ['info', '--output=json', imagePath])) as Record<string, unknown>;
    const rawPath = `${imagePath}.raw`;
    await execa('qemu-img', ['convert', '-O', 'raw', imagePath, rawPath]);
    return { format: info.format, virtualSize: info['virtual-size'], raw: new Uint8Array(await readFile(rawPath)) };
  });
}
