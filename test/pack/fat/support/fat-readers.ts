// Independent readers for FAT images: dosfstools (fsck.vfat), mtools, util-linux (blkid) and file(1).
// None of them shares code with the writer, so an image they all read back is a real FAT volume.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'vitest';
import type { SeedFile } from '../../../../src/pack/seed-file.js';

const run = promisify(execFile);
// fsck.vfat and blkid live in /usr/sbin, which a normal user's PATH lacks; C.UTF-8 lets mtools print
// non-ASCII long names as UTF-8.
const toolEnv = { ...process.env, PATH: `${process.env.PATH ?? ''}:/usr/sbin:/sbin`, LC_ALL: 'C.UTF-8' };
const maxBuffer = 64 * 1024 * 1024;

export async function output(program: string, args: readonly string[]): Promise<string> {
  return (await run(program, args, { env: toolEnv, maxBuffer })).stdout;
}

export async function outputBytes(program: string, args: readonly string[]): Promise<Uint8Array> {
  const { stdout } = await run(program, args, { env: toolEnv, maxBuffer, encoding: 'buffer' });
  return new Uint8Array(stdout.buffer, stdout.byteOffset, stdout.byteLength);
}

/**
 * A private temporary directory for `use`, removed afterwards. `inMemory` puts it on /dev/shm where there
 * is one: creating thousands of small files there is several times faster than on a disk.
 */
export async function withTemporaryDirectory<T>(use: (directory: string) => Promise<T>, { inMemory = false } = {}): Promise<T> {
  const base = inMemory && existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
  const directory = await mkdtemp(path.join(base, 'cloudseed-fat-'));
  try {
    return await use(directory);
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

/** Writes `image` to a temporary file for the readers. */
export async function withImageFile<T>(image: Uint8Array, use: (imagePath: string) => Promise<T>): Promise<T> {
  return withTemporaryDirectory(async (directory) => {
    const imagePath = path.join(directory, 'seed.img');
    await writeFile(imagePath, image);
    return use(imagePath);
  });
}

/**
 * `fsck.vfat -n` lines beyond its version banner and its one-line summary. fsck.vfat exits 0 even when it
 * reports, e.g., a wrong long-name checksum ("Not auto-correcting this"), so the exit code is not enough.
 */
export async function fsckComplaints(imagePath: string): Promise<string[]> {
  const text = await output('fsck.vfat', ['-n', imagePath]);
  const summary = /^.*: \d+ files, \d+\/\d+ clusters$/;
  return text.split('\n').filter((line) => line !== '' && !line.startsWith('fsck.fat ') && !summary.test(line));
}

export async function mtoolsLabel(imagePath: string): Promise<string | undefined> {
  return /Volume label is (.*?)\s*$/m.exec(await output('mlabel', ['-s', '-i', imagePath, '::']))?.[1];
}

/** Names in the root directory as mtools shows them (long names where there are some). */
export async function mtoolsNames(imagePath: string): Promise<string[]> {
  const listing = await output('mdir', ['-b', '-i', imagePath, '::']);
  return listing.split('\n').filter((line) => line !== '').map((line) => line.replace(/^::\//, '')).sort();
}

export async function mtoolsFile(imagePath: string, name: string): Promise<Uint8Array> {
  return outputBytes('mcopy', ['-n', '-i', imagePath, `::/${name}`, '-']);
}

/** `blkid -p` (low-level probe, no cache) as a map: LABEL, LABEL_FATBOOT, TYPE, VERSION, UUID, …. */
export async function blkidProbe(imagePath: string): Promise<Record<string, string>> {
  const text = await output('blkid', ['-p', '-o', 'export', imagePath]);
  const pairs = text.split('\n').filter((line) => line.includes('=')).map((line) => line.split(/=(.*)/s).slice(0, 2));
  return Object.fromEntries(pairs);
}

/** Same length and no differing byte; names the first difference instead of printing megabytes. */
export function expectSameBytes(actual: Uint8Array, expected: Uint8Array, what: string): void {
  expect({ what, length: actual.length, firstDifference: firstDifference(actual, expected) }).toEqual({
    what,
    length: expected.length,
    firstDifference: -1,
  });
}

export function firstDifference(actual: Uint8Array, expected: Uint8Array): number {
  const length = Math.min(actual.length, expected.length);
  for (let index = 0; index < length; index += 1) if (actual[index] !== expected[index]) return index;
  return actual.length === expected.length ? -1 : length;
}

/** Checks the image with every reader: fsck clean, label, names and every byte of every file. */
export async function expectFatHolds(image: Uint8Array, files: readonly SeedFile[], label = 'cidata'): Promise<void> {
  await withImageFile(image, async (imagePath) => {
    expect(await fsckComplaints(imagePath)).toEqual([]);
    expect(await mtoolsLabel(imagePath)).toBe(label);
    expect(await mtoolsNames(imagePath)).toEqual(files.map((file) => file.path).sort());
    for (const file of files) expectSameBytes(await mtoolsFile(imagePath, file.path), file.bytes, `mcopy ${file.path}`);
  });
}

export async function readBytes(filePath: string): Promise<Uint8Array> {
  const buffer = await readFile(filePath);
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}
