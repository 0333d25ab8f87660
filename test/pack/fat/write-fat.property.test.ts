// 1,000 random seed file sets per run, packed natively and read back by mtools: one `mcopy -s` per image in
// one shell loop per batch of 50, so the run stays well under a minute; fsck.vfat checks every 10th image.
import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { writeFat } from '../../../src/formats/fat/index.js';
import type { SeedFile } from '../../../src/pack/seed-file.js';
import { missingTools } from '../../support/tools.js';
import { firstDifference, fsckComplaints, withTemporaryDirectory } from './support/fat-readers.js';
import { patternBytes } from './support/fat-seed-files.js';

const run = promisify(execFile);
const batches = 20;
const setsPerBatch = 50;
const options = { label: 'cidata', timestamp: 1_700_000_000 };

/** A file as the generator describes it; the bytes are made from the seed, so a counterexample stays short. */
interface FileShape {
  name: string;
  size: number;
  seed: number;
}

// Every character a FAT long name may hold in ASCII (a space and periods only inside the name).
const nameCharacters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.~$%'@!(){}^#&+,;=[]` ".split('');
const lastCharacters = nameCharacters.filter((character) => character !== ' ' && character !== '.');

const fixedNames = ['user-data', 'meta-data', 'network-config', 'network-config2', 'vendor-data', 'USER-D~1', 'README.TXT']
  .concat(['a', 'x.tar.gz', '.hidden', 'cidata']);
const stems = ['network-config', 'user-data', 'LongName', 'ab'];
const shortTail = fc.string({ unit: fc.constantFrom(...lastCharacters), maxLength: 4 });

const nameArbitrary: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...fixedNames) },
  // Names that share their first six characters, so their 8.3 aliases need numeric tails.
  { weight: 3, arbitrary: fc.tuple(fc.constantFrom(...stems), shortTail).map(([stem, tail]) => stem + tail) },
  { weight: 6, arbitrary: freeName(1, 24) },
  { weight: 1, arbitrary: freeName(60, 255) },
);

function freeName(minLength: number, maxLength: number): fc.Arbitrary<string> {
  const body = fc.string({ unit: fc.constantFrom(...nameCharacters), minLength: minLength - 1, maxLength: maxLength - 1 });
  return fc
    .tuple(body, fc.constantFrom(...lastCharacters))
    .map(([body, last]) => body.trimStart() + last)
    .filter((name) => name.length >= minLength);
}

const sizeArbitrary: fc.Arbitrary<number> = fc.oneof(
  { weight: 50, arbitrary: fc.nat({ max: 3000 }) },
  { weight: 15, arbitrary: fc.constant(0) },
  // Whole clusters of every size the writer picks for these volumes, and one byte either side.
  {
    weight: 25,
    arbitrary: fc
      .tuple(fc.integer({ min: 1, max: 40 }), fc.constantFrom(512, 1024, 2048), fc.integer({ min: -1, max: 1 }))
      .map(([count, cluster, offset]) => count * cluster + offset),
  },
  { weight: 1, arbitrary: fc.integer({ min: 100_000, max: 3_000_000 }) },
);

const fileSetArbitrary = fc.uniqueArray(fc.record({ name: nameArbitrary, size: sizeArbitrary, seed: fc.nat() }), {
  minLength: 1,
  maxLength: 40,
  selector: (file) => file.name.toUpperCase(), // FAT ignores case; ASCII-only names fold like this
});

function seedFiles(shapes: readonly FileShape[]): SeedFile[] {
  return shapes.map((shape) => ({ path: shape.name, bytes: patternBytes(shape.size, shape.seed), mode: 0o644 }));
}

/** Packs every set, reads all images back with mtools, one shell loop per core, and returns what went wrong. */
async function readBackBatch(sets: readonly FileShape[][]): Promise<string[]> {
  return withTemporaryDirectory(
    async (directory) => {
      const problems: string[] = [];
      const report = (index: number, problem: string): void => {
        const shapes = sets[index]?.map(({ name, size }) => ({ name, size }));
        problems.push(`set ${index}: ${problem} in ${JSON.stringify(shapes)}`);
      };
      const fileSets = sets.map(seedFiles);
      for (const [index, files] of fileSets.entries()) {
        const image = writeFat(files, options);
        if (firstDifference(writeFat(files, options), image) !== -1) report(index, 'packing twice gave different bytes');
        writeFileSync(path.join(directory, `${index}.img`), image);
        mkdirSync(path.join(directory, `${index}.out`));
      }
      const indices = fileSets.map((_, index) => String(index));
      const halves = [indices.filter((_, index) => index % 2 === 0), indices.filter((_, index) => index % 2 === 1)];
      for (const { stderr } of await Promise.all(halves.map((half) => mcopyEach(directory, half)))) {
        if (stderr.trim() !== '') problems.push(stderr.trim());
      }
      for (const [index, files] of fileSets.entries()) {
        for (const problem of compareReadBack(path.join(directory, `${index}.out`), files)) report(index, problem);
      }
      const sample = fileSets.map((_, index) => index).filter((index) => index % 10 === 0);
      const complaints = await Promise.all(sample.map((index) => fsckComplaints(path.join(directory, `${index}.img`))));
      complaints.forEach((lines, position) => {
        if (lines.length > 0) report(sample[position] ?? -1, `fsck.vfat says ${lines.join(' / ')}`);
      });
      return problems;
    },
    { inMemory: true },
  );
}

/** One `mcopy -s` per image (`N.img` into `N.out/`), all from one shell: a process start costs milliseconds here. */
async function mcopyEach(directory: string, indices: readonly string[]): Promise<{ stderr: string }> {
  const loop = [
    'cd "$1" && shift',
    'for i in "$@"; do mcopy -s -n -i "$i.img" :: "$i.out/" || echo "mcopy failed on set $i" >&2; done',
  ].join('\n');
  return run('sh', ['-c', loop, 'sh', directory, ...indices], { maxBuffer: 1 << 24 });
}

// Synchronous reads: for thousands of small files they are much faster than a trip through libuv's pool.
function compareReadBack(outDirectory: string, files: readonly SeedFile[]): string[] {
  const names = readdirSync(outDirectory).sort();
  const expected = files.map((file) => file.path).sort();
  if (JSON.stringify(names) !== JSON.stringify(expected)) {
    return [`mtools shows ${JSON.stringify(names)}, not ${JSON.stringify(expected)}`];
  }
  return files.flatMap((file) => {
    const at = firstDifference(new Uint8Array(readFileSync(path.join(outDirectory, file.path))), file.bytes);
    return at === -1 ? [] : [`${file.path} differs from byte ${at}`];
  });
}

describe.skipIf(missingTools('mcopy', 'fsck.vfat').length > 0)('writeFat on random seed file sets', () => {
  it(`packs ${batches * setsPerBatch} random file sets that mtools reads back byte for byte and fsck finds clean`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fileSetArbitrary, { minLength: setsPerBatch, maxLength: setsPerBatch }), async (sets) => {
        expect(await readBackBatch(sets)).toEqual([]);
      }),
      // Shrinking would re-run mtools on whole batches; each problem already names its (small) file set.
      { numRuns: batches, endOnFailure: true },
    );
  });
});
