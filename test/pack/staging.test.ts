import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CloudseedError } from '../../src/errors.js';
import { readImage, withStagedSeed } from '../../src/pack/staging.js';
import { sampleSeedFiles, seedFile } from './support/sample-seed-files.js';

const reproducible = { sourceDateEpoch: 1_700_000_000 };
const ownClock = { sourceDateEpoch: null };

describe('withStagedSeed', () => {
  it('stages every file with its bytes and exact mode in a private directory, then removes it', async () => {
    const files = [...sampleSeedFiles(), seedFile('vendor-data', '#cloud-config\n', 0o640)];
    const previousUmask = process.umask(0o077);
    let stagedDirectory = '';
    try {
      await withStagedSeed(files, ownClock, async (staged) => {
        stagedDirectory = path.dirname(staged.imagePath);
        expect((await stat(stagedDirectory)).mode & 0o777).toBe(0o700);
        expect(staged.filePaths).toHaveLength(files.length);
        for (const [index, file] of files.entries()) {
          const stagedPath = staged.filePaths[index] ?? '';
          expect(path.basename(stagedPath)).toBe(file.path);
          expect(staged.pathByName.get(file.path)).toBe(stagedPath);
          expect((await stat(stagedPath)).mode & 0o777).toBe(file.mode);
          expect(new Uint8Array(await readFile(stagedPath))).toEqual(file.bytes);
        }
        expect(existsSync(staged.imagePath)).toBe(false);
      });
    } finally {
      process.umask(previousUmask);
    }
    expect(stagedDirectory).not.toBe('');
    expect(existsSync(stagedDirectory)).toBe(false);
  });

  it('sets every file time to the source date epoch', async () => {
    await withStagedSeed(sampleSeedFiles(), reproducible, async (staged) => {
      for (const stagedPath of staged.filePaths) {
        expect((await stat(stagedPath)).mtimeMs).toBe(reproducible.sourceDateEpoch * 1000);
      }
    });
  });

  it('removes the directory when the tool fails too', async () => {
    let stagedDirectory = '';
    const failure = withStagedSeed(sampleSeedFiles(), ownClock, async (staged) => {
      stagedDirectory = path.dirname(staged.imagePath);
      throw new Error('tool failed');
    });
    await expect(failure).rejects.toThrow('tool failed');
    expect(stagedDirectory).not.toBe('');
    expect(existsSync(stagedDirectory)).toBe(false);
  });

  it.each([
    ['a path', [seedFile('nested/user-data', '')], /not a plain file name/],
    ['a leading dash, which a tool would read as an option', [seedFile('-o', '')], /not a plain file name/],
    ['a dot name', [seedFile('..', '')], /not a plain file name/],
    ['the same name twice', [seedFile('user-data', 'a'), seedFile('user-data', 'b')], /given twice/],
    ['a mode its owner cannot read', [seedFile('user-data', '', 0o200)], /mode 0o200/],
    ['a mode beyond permission bits', [seedFile('user-data', '', 0o4755)], /mode 0o4755/],
    ['no files at all', [], /no seed files/],
  ])('refuses %s', async (_what, files, message) => {
    let ran = false;
    const staging = withStagedSeed(files, ownClock, async () => {
      ran = true;
    });
    await expect(staging).rejects.toThrow(message);
    await expect(staging).rejects.toBeInstanceOf(CloudseedError);
    expect(ran).toBe(false);
  });

  it.each([-1, 1.5, Number.NaN])('refuses the source date epoch %s', async (sourceDateEpoch) => {
    await expect(withStagedSeed(sampleSeedFiles(), { sourceDateEpoch }, async () => {})).rejects.toThrow(
      /source date epoch/,
    );
  });
});

describe('readImage', () => {
  it('returns a plain Uint8Array, not a Buffer', async () => {
    await withStagedSeed([seedFile('user-data', 'abc')], ownClock, async (staged) => {
      const bytes = await readImage(staged.pathByName.get('user-data') ?? '');
      expect(bytes.constructor).toBe(Uint8Array);
      expect(bytes).toEqual(new TextEncoder().encode('abc'));
    });
  });
});
