// Seed images made by the real tools for the inspect tests: genisoimage, xorriso, cloud-localds,
// mkfs.vfat + mcopy, tar and qemu-img, each run on files staged with known bytes, modes and times.
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { expect } from 'vitest';
import type { SeedFile } from '../../../src/pack/seed-file.js';
import type { ImageVolume } from '../../../src/inspect/index.js';
// The text-to-SeedFile helper and the byte patterns the pack tests use.
import { patternBytes, seedFile as textFile } from '../../pack/support/sample-seed-files.js';

// mkfs.vfat lives in /usr/sbin, which a normal user's PATH lacks; C.UTF-8 lets mtools take UTF-8 names.
export const toolEnv = { PATH: `${process.env.PATH ?? ''}:/usr/sbin:/sbin`, LC_ALL: 'C.UTF-8', TZ: 'UTC' };
/** Every staged file's modification time: 2023-11-14 22:13:20 UTC. */
export const stagedTime = 1_700_000_000;

export { patternBytes, textFile };

/** user-data (secret, 0600, non-ASCII, CRLF), meta-data and network-config; the inspect listings expect these sizes. */
export function seedFiles(): SeedFile[] {
  return [
    textFile('user-data', '#cloud-config\nhostname: café-01\r\npassword: "$6$s$h"', 0o600),
    textFile('meta-data', 'instance-id: vm-01\nlocal-hostname: café-01\n'),
    textFile('network-config', 'version: 2\nethernets:\n  eth0:\n    dhcp4: true\n'),
  ];
}

/** A private directory for `use` (in memory where /dev/shm exists), removed afterwards. */
export async function withWorkDirectory<T>(use: (directory: string) => Promise<T>): Promise<T> {
  const base = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
  const directory = await mkdtemp(path.join(base, 'cloudseed-inspect-'));
  try {
    return await use(directory);
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

/** Writes the files (paths may have folders) under `directory` with their modes and `stagedTime`. */
export async function stageFiles(directory: string, files: readonly SeedFile[]): Promise<string[]> {
  const paths: string[] = [];
  for (const file of files) {
    const filePath = path.join(directory, file.path);
    await mkdir(path.dirname(filePath), { recursive: true });
    await writeFile(filePath, file.bytes);
    await chmod(filePath, file.mode);
    await utimes(filePath, stagedTime, stagedTime);
    paths.push(filePath);
  }
  return paths;
}

export async function run(program: string, args: readonly string[], env: Record<string, string> = {}): Promise<string> {
  const result = await execa(program, args, { env: { ...toolEnv, ...env }, stdin: 'ignore' });
  return result.stdout;
}

export async function readBytes(filePath: string): Promise<Uint8Array> {
  return new Uint8Array(await readFile(filePath));
}

/** Stages `files` in `<directory>/content`, runs `make(contentDirectory, imagePath)`, returns the image. */
export async function makeImage(
  files: readonly SeedFile[],
  make: (content: string, image: string, stagedPaths: string[]) => Promise<unknown>,
): Promise<Uint8Array> {
  return withWorkDirectory(async (directory) => {
    const content = path.join(directory, 'content');
    const stagedPaths = await stageFiles(content, files);
    const image = path.join(directory, 'seed.img');
    await make(content, image, stagedPaths);
    return readBytes(image);
  });
}

/** `genisoimage -volid cidata [flags]`; `env` can set TZ, since genisoimage records local time and its offset. */
export function genisoimage(
  files: readonly SeedFile[],
  flags: readonly string[] = ['-joliet', '-rock'],
  env: Record<string, string> = {},
): Promise<Uint8Array> {
  return makeImage(files, (content, image) => run('genisoimage', ['-quiet', '-output', image, '-volid', 'cidata', ...flags, content], env));
}

export function xorriso(files: readonly SeedFile[]): Promise<Uint8Array> {
  return makeImage(files, (content, image) => run('xorriso', ['-as', 'mkisofs', '-quiet', '-V', 'cidata', '-J', '-r', '-o', image, content]));
}

/** `cloud-localds [flags] seed.img user-data meta-data [network-config via -N]`. */
export function cloudLocalds(files: readonly SeedFile[], flags: readonly string[]): Promise<Uint8Array> {
  return makeImage(files, (content, image) => {
    const network = files.some((file) => file.path === 'network-config') ? ['-N', path.join(content, 'network-config')] : [];
    return run('cloud-localds', [...flags, ...network, image, path.join(content, 'user-data'), path.join(content, 'meta-data')]);
  });
}

export interface VfatOptions {
  sizeKiB: number;
  /** mkfs.vfat -F; left to mkfs.vfat when absent. */
  fatType?: 12 | 16 | 32;
  label?: string;
}

/** `mkfs.vfat` on a blank image, then `mmd` for folders and `mcopy` for every file, long names and all. */
export function mkfsVfat(files: readonly SeedFile[], options: VfatOptions): Promise<Uint8Array> {
  return makeImage(files, async (content, image, stagedPaths) => {
    await run('truncate', ['-s', `${options.sizeKiB}K`, image]);
    const fatType = options.fatType === undefined ? [] : ['-F', String(options.fatType)];
    await run('mkfs.vfat', [...fatType, '-n', options.label ?? 'CIDATA', image]);
    const folders = [...new Set(files.flatMap((file) => parentFolders(file.path)))];
    for (const folder of folders) await run('mmd', ['-i', image, `::/${folder}`]);
    for (const [index, file] of files.entries()) await run('mcopy', ['-m', '-i', image, stagedPaths[index] ?? '', `::/${file.path}`]);
  });
}

function parentFolders(filePath: string): string[] {
  const parts = filePath.split('/').slice(0, -1);
  return parts.map((_, index) => parts.slice(0, index + 1).join('/'));
}

/** The image's files as path → bytes, and the names, sizes and bytes compared with what went in. */
export function expectHolds(volume: ImageVolume, files: readonly SeedFile[]): void {
  const listed = volume.entries.filter((entry) => entry.type === 'file');
  expect(listed.map((entry) => entry.path).sort()).toEqual(files.map((file) => file.path).sort());
  for (const file of files) {
    const entry = listed.find((candidate) => candidate.path === file.path);
    expect(entry?.size, `size of ${file.path}`).toBe(file.bytes.length);
    expectSameBytes(volume.readFile(file.path), file.bytes, file.path);
  }
}

/** Same length and bytes; names the first difference instead of printing the arrays. */
export function expectSameBytes(actual: Uint8Array, expected: Uint8Array, what: string): void {
  let firstDifference = -1;
  const length = Math.min(actual.length, expected.length);
  for (let index = 0; index < length && firstDifference < 0; index += 1) if (actual[index] !== expected[index]) firstDifference = index;
  expect({ what, length: actual.length, firstDifference }).toEqual({ what, length: expected.length, firstDifference: -1 });
}
