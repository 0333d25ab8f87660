// Property tests. 1,000 random seed volumes per run are packed natively and read back by isoinfo and by
// pycdlib. isoinfo runs in two shell loops (starting a process costs milliseconds here): its listings of
// the three trees give every file's name, mode, size and extent, the bytes at each extent must be the
// file's, and it extracts one file per volume end to end; pycdlib reads every file of every tree in one
// process. Then reproducibility: the same files give the same bytes, and a new timestamp changes only
// time bytes. A failure prints the fast-check seed; FC_SEED=<seed> replays the same volumes.
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { writeIso9660 } from '../../../src/formats/iso9660/index.js';
import { missingTools } from '../../support/tools.js';
import { isoinfoBatchScript, pycdlibPython, readWithPycdlib, sha256 } from './iso-readers.js';
import { checkCase, type WrittenCase } from './read-back-checks.js';
import { randomSeed, type RandomSeed, toSeedFiles } from './random-seeds.js';
import { changesOutsideTimes } from './recorded-times.js';

const runCount = 1000;
const batchCount = 2;
const fcSeed = Number(process.env.FC_SEED ?? Math.floor(Math.random() * 0x7fff_ffff));
const python = pycdlibPython();

function writeCase(root: string, seed: RandomSeed, index: number): WrittenCase {
  const directory = path.join(root, `batch-${index % batchCount}`, `case-${String(index).padStart(4, '0')}`);
  mkdirSync(directory, { recursive: true });
  const files = toSeedFiles(seed);
  const image = writeIso9660(files, { label: 'cidata', timestamp: seed.timestamp });
  const imagePath = path.join(directory, 'image.iso');
  writeFileSync(imagePath, image);
  writeFileSync(path.join(directory, 'names'), files.map((file) => `${file.path}\n`).join(''));
  writeFileSync(path.join(directory, 'view'), index % 2 === 0 ? '-R\n' : '-J\n');
  const expected = files.map((file) => ({
    name: file.path,
    size: file.bytes.length,
    sha256: sha256(file.bytes),
    mode: file.mode,
  }));
  return { directory, imagePath, imageLength: image.length, files: expected };
}

describe.skipIf(missingTools('isoinfo').length > 0 || python === null)(
  'random seed volumes read back by isoinfo and pycdlib',
  () => {
    it(`packs ${runCount} random file sets that both read back identically`, async () => {
      const root = await mkdtemp(path.join(tmpdir(), 'cloudseed-iso-property-'));
      try {
        const written = fc
          .sample(randomSeed, { numRuns: runCount, seed: fcSeed })
          .map((seed, index) => writeCase(root, seed, index));
        const imagePaths = written.map((each) => each.imagePath);
        // Every reader finishes before anything is checked or removed.
        const [views, ...batches] = await Promise.allSettled([
          readWithPycdlib(python ?? 'python3', imagePaths),
          ...Array.from({ length: batchCount }, (_, batch) =>
            execa('sh', [isoinfoBatchScript, path.join(root, `batch-${batch}`)], { timeout: 100_000 }),
          ),
        ]);
        for (const batch of batches) if (batch.status === 'rejected') throw batch.reason;
        if (views.status === 'rejected') throw views.reason;
        const viewByImage = new Map(views.value.map((view) => [view.image, view]));
        const problems = written.flatMap((each) => checkCase(each, viewByImage.get(each.imagePath)));
        expect(problems.slice(0, 20), `fast-check seed ${fcSeed}: rerun with FC_SEED=${fcSeed}`).toEqual([]);
      } finally {
        await rm(root, { recursive: true, force: true });
      }
    });
  },
);

describe('random seed volumes are reproducible', () => {
  it('gives identical bytes for the same files twice and in another order', () => {
    fc.assert(
      fc.property(randomSeed, fc.nat(), (seed, salt) => {
        const files = toSeedFiles(seed);
        const image = Buffer.from(writeIso9660(files, { label: 'cidata', timestamp: seed.timestamp }));
        expect(image.equals(writeIso9660(files, { label: 'cidata', timestamp: seed.timestamp }))).toBe(true);
        expect(image.equals(writeIso9660(shuffled(files, salt), { label: 'cidata', timestamp: seed.timestamp }))).toBe(
          true,
        );
      }),
      { numRuns: runCount, seed: fcSeed },
    );
  });

  it('changes only recorded times when only the timestamp changes', () => {
    fc.assert(
      fc.property(randomSeed, fc.integer({ min: 0, max: 4_102_444_800 }), (seed, otherTimestamp) => {
        const files = toSeedFiles(seed);
        const before = writeIso9660(files, { label: 'cidata', timestamp: seed.timestamp });
        const after = writeIso9660(files, { label: 'cidata', timestamp: otherTimestamp });
        expect(after.length).toBe(before.length);
        expect(changesOutsideTimes(before, after, seed.timestamp)).toEqual([]);
      }),
      { numRuns: 300, seed: fcSeed },
    );
  });
});

/** Fisher–Yates with a small LCG from `salt`: another order of the same files. */
function shuffled<T>(items: readonly T[], salt: number): T[] {
  const copy = [...items];
  let state = salt >>> 0;
  for (let index = copy.length - 1; index > 0; index -= 1) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    const other = state % (index + 1);
    [copy[index], copy[other]] = [copy[other] as T, copy[index] as T];
  }
  return copy;
}
