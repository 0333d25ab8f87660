// 200 random seed file sets, each packed by genisoimage (Joliet + Rock Ridge) and by mkfs.vfat + mcopy,
// then read back by readIso9660 and readFat: same names, sizes, bytes, and (Rock Ridge) modes. The tools
// run ahead of the property in one shell per batch (a process start costs milliseconds); the property
// then finds its images made, and only a shrunk counterexample makes its own.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readFat, readIso9660 } from '../../src/inspect/index.js';
import type { SeedFile } from '../../src/pack/seed-file.js';
import { missingTools } from '../support/tools.js';
import { expectHolds, patternBytes, readBytes, stageFiles, toolEnv, withWorkDirectory } from './support/seed-images.js';

const runs = 200;
const batchSize = 50;
const seed = Number(process.env.FC_SEED ?? Date.now() % 0x7fffffff);

interface FileShape {
  name: string;
  size: number;
  mode: number;
  seed: number;
}

// What both a FAT long name and a Joliet name may hold (Joliet forbids ; and FAT " * : < > ? \ |),
// a few non-ASCII letters among them; never a leading period (mcopy's glob would skip it). No `~`:
// mcopy 4.0.32 writes a corrupt 8.3 entry (NUL bytes, wrong checksum; fsck.vfat agrees) for names
// such as `a,~`, which this test found; the reader then rightly drops the long name.
const characters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.$%'@!(){}^#&+,=[] éüß日".split('');
const edgeCharacters = characters.filter((character) => character !== ' ' && character !== '.');
const nameArbitrary = fc.oneof(
  fc.constantFrom('user-data', 'meta-data', 'network-config', 'vendor-data', 'README.TXT', 'abc.txt', 'A'),
  fc
    .tuple(fc.constantFrom(...edgeCharacters), fc.string({ unit: fc.constantFrom(...characters), maxLength: 62 }), fc.constantFrom(...edgeCharacters))
    .map(([first, middle, last]) => `${first}${middle}${last}`)
    // mcopy silently refuses DOS device names (`nuL` failed a run with exit 1 and no message).
    .filter((name) => !/^(CON|PRN|AUX|NUL|COM[1-9]|LPT[1-9])$/i.test(name)),
);
const sizeArbitrary = fc.oneof(
  { weight: 6, arbitrary: fc.nat({ max: 5000 }) },
  { weight: 2, arbitrary: fc.constant(0) },
  { weight: 3, arbitrary: fc.tuple(fc.integer({ min: 1, max: 20 }), fc.constantFrom(512, 2048), fc.integer({ min: -1, max: 1 })).map(([count, unit, offset]) => count * unit + offset) },
  { weight: 1, arbitrary: fc.integer({ min: 50_000, max: 300_000 }) },
);
const setArbitrary = fc.uniqueArray(
  fc.record({ name: nameArbitrary, size: sizeArbitrary, mode: fc.constantFrom(0o600, 0o644, 0o640, 0o755, 0o400), seed: fc.nat() }),
  { minLength: 1, maxLength: 30, selector: (file) => file.name.toUpperCase() }, // FAT ignores case
);

function seedFiles(shapes: readonly FileShape[]): SeedFile[] {
  return shapes.map((shape) => ({ path: shape.name, bytes: patternBytes(shape.size, shape.seed), mode: shape.mode }));
}

interface Images {
  iso: Uint8Array;
  fat: Uint8Array;
}

/** Room for every file in 4 KiB clusters plus 256 KiB; -r 512 so long names never fill the root directory. */
function fatKiB(shapes: readonly FileShape[]): number {
  return 256 + shapes.reduce((total, shape) => total + Math.ceil(shape.size / 4096) * 4, 0);
}

const packScript = [
  'for set in "$@"; do',
  '  genisoimage -quiet -input-charset utf-8 -o "$set/iso" -V cidata -J -R "$set/content" || exit 1',
  '  truncate -s "$(cat "$set/kib")K" "$set/fat" && mkfs.vfat -r 512 -n CIDATA "$set/fat" >/dev/null || exit 1',
  '  mcopy -m -i "$set/fat" "$set/content"/* :: || exit 1',
  'done',
].join('\n');

/** Packs every set into `<set>/iso` and `<set>/fat`, one shell per batch, two batches at a time. */
async function packAll(sets: readonly FileShape[][]): Promise<Images[]> {
  return withWorkDirectory(async (directory) => {
    const setDirectories = sets.map((_, index) => path.join(directory, `set-${index}`));
    for (const [index, shapes] of sets.entries()) {
      await stageFiles(path.join(setDirectories[index] ?? '', 'content'), seedFiles(shapes));
      await writeFile(path.join(setDirectories[index] ?? '', 'kib'), String(fatKiB(shapes)));
    }
    const batches: string[][] = [];
    for (let start = 0; start < setDirectories.length; start += batchSize) batches.push(setDirectories.slice(start, start + batchSize));
    for (let start = 0; start < batches.length; start += 2) {
      // allSettled: a failed batch must not let the work folder be removed under the other, still running.
      const outcomes = await Promise.allSettled(batches.slice(start, start + 2).map((batch) => execa('sh', ['-c', packScript, 'sh', ...batch], { env: toolEnv })));
      for (const outcome of outcomes) if (outcome.status === 'rejected') throw outcome.reason;
    }
    return Promise.all(setDirectories.map(async (setDirectory) => ({ iso: await readBytes(path.join(setDirectory, 'iso')), fat: await readBytes(path.join(setDirectory, 'fat')) })));
  });
}

function expectReadBack(images: Images, shapes: readonly FileShape[]): void {
  const files = seedFiles(shapes);
  const iso = readIso9660(images.iso);
  expectHolds(iso, files);
  expect(Object.fromEntries(iso.entries.map((entry) => [entry.path, entry.mode]))).toEqual(Object.fromEntries(files.map((file) => [file.path, file.mode])));
  expectHolds(readFat(images.fat), files);
}

describe.skipIf(missingTools('genisoimage', 'mkfs.vfat', 'mcopy').length > 0)('reading back random file sets packed by the real tools', () => {
  it(`reads ${runs} genisoimage and mkfs.vfat + mcopy images back as the files that went in (seed ${seed})`, async () => {
    // fc.sample and fc.assert draw the same values from the same seed, so the images are made in bulk first.
    const sets = fc.sample(setArbitrary, { seed, numRuns: runs });
    const made = new Map<string, Images>();
    (await packAll(sets)).forEach((images, index) => made.set(JSON.stringify(sets[index]), images));
    let madeLate = 0;
    await fc.assert(
      fc.asyncProperty(setArbitrary, async (shapes) => {
        let images = made.get(JSON.stringify(shapes));
        if (images === undefined) {
          madeLate += 1;
          images = (await packAll([shapes]))[0] as Images;
        }
        expectReadBack(images, shapes);
      }),
      { seed, numRuns: runs },
    );
    expect(madeLate, 'sets the bulk packing missed (fc.sample and fc.assert disagreed)').toBe(0);
  });
});
