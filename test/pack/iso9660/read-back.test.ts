// Read-back of native images by independent readers: isoinfo (Joliet, Rock Ridge and plain views),
// xorriso (libisofs), pycdlib, blkid (what cloud-init uses to find the seed), isovfy, optionally 7z and
// bsdtar, and the Linux kernel itself when this machine lets us mount a loop device.
import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { writeIso9660 } from '../../../src/formats/iso9660/index.js';
import type { SeedFile } from '../../../src/pack/seed-file.js';
import { hasTool, missingTools } from '../../support/tools.js';
import { expectSameBytes, withImageFile } from '../support/image-readers.js';
import { largeUserData, sampleSeedFiles, seedFile } from '../support/sample-seed-files.js';
import {
  blkidProbe,
  findListing,
  isoinfo,
  isoinfoExtract,
  longListing,
  pycdlibPython,
  readWithPycdlib,
  regularFileModeString,
  sha256,
} from './iso-readers.js';

const options = { label: 'cidata', timestamp: 1_700_000_000 };
const python = pycdlibPython();

/** user-data (0600), meta-data, network-config, a vendor-data, an empty file and one of 2048+1 bytes. */
function typicalSeed(): SeedFile[] {
  return [
    ...sampleSeedFiles(),
    seedFile('vendor-data', '#cloud-config\n{}\n', 0o640),
    seedFile('empty', ''),
    { ...largeUserData(2049, 7), path: 'big-data' },
  ];
}

/** Names of 62–64 three-byte UTF-8 characters: their NM does not fit beside PX and TF, so it goes to CE. */
function continuationSeed(): SeedFile[] {
  return ['€', '日', '한'].map((character, index) => seedFile(character.repeat(64 - index), `file ${index}\n`, 0o600));
}

/** Enough long names that the root directory and the continuation areas take several sectors each. */
function manyFilesSeed(): SeedFile[] {
  return Array.from({ length: 60 }, (_, index) =>
    seedFile(`${'€'.repeat(40)}-${'x'.repeat(index % 20)}-${index}`, `${index}\n`.repeat(index)),
  );
}

describe.skipIf(missingTools('isoinfo', 'xorriso', 'blkid', 'isovfy').length > 0)(
  'native ISO read back by isoinfo, xorriso, blkid, isovfy',
  () => {
    it('isoinfo -d finds label cidata, Joliet, Rock Ridge and the exact volume size, without complaint', async () => {
      const image = writeIso9660(typicalSeed(), options);
      await withImageFile(image, async (imagePath) => {
        const { stdout, stderr } = await isoinfo(imagePath, '-d');
        expect(stdout).toMatch(/^Volume id: cidata$/mu);
        expect(stdout).toContain('Joliet with UCS level 3 found');
        expect(stdout).toContain('Rock Ridge signatures version 1 found');
        expect(stdout).toMatch(new RegExp(`^Volume size is: ${image.length / 2048}$`, 'mu'));
        expect(stderr).toBe('');
      });
    });

    it("isoinfo -p finds the path table of each tree, pointing at that tree's root", async () => {
      await withImageFile(writeIso9660(typicalSeed(), options), async (imagePath) => {
        for (const view of [[], ['-J']]) {
          const table = (await isoinfo(imagePath, ...view, '-p')).stdout;
          const rootExtent = /\[\s*(\d+) 02\]  \. $/mu.exec((await isoinfo(imagePath, ...view, '-l')).stdout)?.[1];
          expect(table).toMatch(/^Path table starts at block \d+, size 10$/mu);
          // isoinfo prints the extent in hexadecimal.
          expect(/^\s+1:\s+1 ([0-9a-f]+) $/mu.exec(table)?.[1]).toBe(Number(rootExtent).toString(16));
        }
      });
    });

    it('lists the same names in the Joliet and Rock Ridge views and 8.3 names in the plain view', async () => {
      const files = typicalSeed();
      await withImageFile(writeIso9660(files, options), async (imagePath) => {
        const names = files.map((file) => file.path).sort();
        expect(findListing((await isoinfo(imagePath, '-J', '-f')).stdout)).toEqual(names);
        expect(findListing((await isoinfo(imagePath, '-R', '-f')).stdout)).toEqual(names);
        expect(findListing((await isoinfo(imagePath, '-f')).stdout)).toEqual([
          'BIG_DATA.;1',
          'EMPTY.;1',
          'META_DAT.;1',
          'NETWORK_.;1',
          'USER_DAT.;1',
          'VENDOR_D.;1',
        ]);
      });
    });

    it('gives back every file byte for byte through Joliet, Rock Ridge and the plain names', async () => {
      const files = typicalSeed();
      await withImageFile(writeIso9660(files, options), async (imagePath) => {
        const plain = longListing((await isoinfo(imagePath, '-l')).stdout);
        for (const file of files) {
          expectSameBytes(await isoinfoExtract(imagePath, '-J', `/${file.path}`), file.bytes, `Joliet ${file.path}`);
          expectSameBytes(
            await isoinfoExtract(imagePath, '-R', `/${file.path}`),
            file.bytes,
            `Rock Ridge ${file.path}`,
          );
        }
        const plainName = [...plain.keys()].find((name) => name.startsWith('USER_DAT'));
        expectSameBytes(
          await isoinfoExtract(imagePath, null, `/${plainName}`),
          sampleSeedFiles()[0]?.bytes ?? new Uint8Array(),
          'plain USER_DAT',
        );
      });
    });

    it('keeps modes, root owner, one link and sizes in Rock Ridge; empty files at extent 0; data aligned', async () => {
      const files = typicalSeed();
      const image = writeIso9660(files, options);
      await withImageFile(image, async (imagePath) => {
        const listing = longListing((await isoinfo(imagePath, '-R', '-l')).stdout);
        for (const file of files) {
          expect(listing.get(file.path)).toMatchObject({
            mode: regularFileModeString(file.mode),
            links: 1,
            uid: 0,
            gid: 0,
            size: file.bytes.length,
          });
        }
        expect(listing.get('empty')?.extent).toBe(0);
        const big = listing.get('big-data');
        expectSameBytes(
          image.subarray((big?.extent ?? 0) * 2048, (big?.extent ?? 0) * 2048 + 2049),
          files[5]?.bytes ?? new Uint8Array(),
          'big-data at its extent',
        );
      });
    });

    // libisofs, like the Linux kernel, uses Rock Ridge only when the root's SP and ER are found; without
    // them it falls back to Joliet and every mode reads -r-xr-xr-x.
    it('xorriso loads the tree without a complaint and lists every file with its Rock Ridge mode', async () => {
      const files = typicalSeed();
      await withImageFile(writeIso9660(files, options), async (imagePath) => {
        const { stdout, stderr } = await execa('xorriso', [
          '-indev',
          imagePath,
          '-find',
          '/',
          '-type',
          'f',
          '-exec',
          'lsdl',
          '--',
        ]);
        expect(stderr).not.toMatch(/SORRY|FAILURE|WARNING|damaged/iu);
        const listed = stdout
          .split('\n')
          .map((line) => /^(\S{10})\s+1\s+0\s+0\s+(\d+) .* '\/(.*)'$/u.exec(line))
          .filter((match) => match !== null);
        expect(listed.map(([, mode, size, name]) => [name, mode, Number(size)]).sort()).toEqual(
          files.map((file) => [file.path, regularFileModeString(file.mode), file.bytes.length]).sort(),
        );
      });
    });

    it('blkid sees an iso9660 filesystem labelled cidata, and isovfy finds no errors', async () => {
      await withImageFile(writeIso9660(typicalSeed(), options), async (imagePath) => {
        expect(await blkidProbe(imagePath)).toMatchObject({ LABEL: 'cidata', TYPE: 'iso9660' });
        const { stdout } = await execa('isovfy', ['-i', imagePath], { all: true });
        expect(stdout).toContain('No errors found');
      });
    });

    it('reads names through CE continuation areas and directories longer than one sector', async () => {
      for (const files of [continuationSeed(), manyFilesSeed()]) {
        await withImageFile(writeIso9660(files, options), async (imagePath) => {
          const { stdout, stderr } = await isoinfo(imagePath, '-R', '-f');
          expect(stderr).toBe('');
          expect(findListing(stdout)).toEqual(files.map((file) => file.path).sort());
          for (const file of files)
            expectSameBytes(await isoinfoExtract(imagePath, '-R', `/${file.path}`), file.bytes, file.path);
          expect(
            (await execa('xorriso', ['-indev', imagePath, '-find', '/', '-type', 'f'])).stdout.split('\n'),
          ).toHaveLength(files.length);
        });
      }
    });
  },
);

describe.skipIf(python === null)('native ISO read back by pycdlib', () => {
  it('opens it, finds Joliet and Rock Ridge 1.09, and reads every file via joliet_path and rr_path', async () => {
    for (const files of [typicalSeed(), continuationSeed(), manyFilesSeed()]) {
      const [view] = await withImageFile(writeIso9660(files, options), (imagePath) =>
        readWithPycdlib(python ?? 'python3', [imagePath]),
      );
      expect({ joliet: view?.joliet, rockRidge: view?.rockRidge, versions: view?.rockRidgeVersions }).toEqual({
        joliet: true,
        rockRidge: true,
        versions: ['1.09'],
      });
      const expected = Object.fromEntries(files.map((file) => [file.path, sha256(file.bytes)]));
      expect(view?.jolietFiles).toEqual(expected);
      expect(view?.rockRidgeFiles).toEqual(expected);
      expect(Object.values(view?.isoFiles ?? {}).sort()).toEqual(Object.values(expected).sort());
      expect(view?.modes).toEqual(Object.fromEntries(files.map((file) => [file.path, 0o100000 | file.mode])));
    }
  });
});

describe('native ISO read back by optional readers', () => {
  it.skipIf(!hasTool('7z'))('7z lists and extracts every file', async () => {
    await expectExtractedBy((imagePath, directory) => execa('7z', ['x', '-y', `-o${directory}`, imagePath]));
  });

  it.skipIf(!hasTool('bsdtar'))('bsdtar (libarchive) lists and extracts every file', async () => {
    await expectExtractedBy((imagePath, directory) => execa('bsdtar', ['-xf', imagePath, '-C', directory]));
  });

  it('the Linux kernel mounts it and reads every file with its mode', async (context) => {
    const reason = loopMountRefusal();
    if (reason !== null) {
      console.warn(`skipping the kernel mount: ${reason}`);
      context.skip(reason);
    }
    const files = typicalSeed();
    await withImageFile(writeIso9660(files, options), (imagePath) =>
      withExtractDirectory(async (mountPoint) => {
        await execa('mount', ['-o', 'loop,ro', '-t', 'iso9660', imagePath, mountPoint]);
        try {
          await expectDirectoryHolds(mountPoint, files, true);
        } finally {
          await execa('umount', [mountPoint]);
        }
      }),
    );
  });
});

async function expectExtractedBy(extract: (imagePath: string, directory: string) => Promise<unknown>): Promise<void> {
  const files = typicalSeed();
  await withImageFile(writeIso9660(files, options), (imagePath) =>
    withExtractDirectory(async (directory) => {
      await extract(imagePath, directory);
      await expectDirectoryHolds(directory, files, false);
    }),
  );
}

async function expectDirectoryHolds(directory: string, files: readonly SeedFile[], checkModes: boolean): Promise<void> {
  expect((await readdir(directory)).sort()).toEqual(files.map((file) => file.path).sort());
  for (const file of files) {
    expectSameBytes(new Uint8Array(await readFile(path.join(directory, file.path))), file.bytes, file.path);
    if (checkModes) expect((await stat(path.join(directory, file.path))).mode & 0o7777).toBe(file.mode);
  }
}

async function withExtractDirectory<T>(use: (directory: string) => Promise<T>): Promise<T> {
  const directory = await mkdtemp(path.join(tmpdir(), 'cloudseed-iso-read-'));
  try {
    return await use(directory);
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

/** Why this machine cannot loop-mount an ISO 9660 image, or null when it can. */
function loopMountRefusal(): string | null {
  if (process.getuid?.() !== 0) return 'mounting needs root';
  if (!hasTool('mount')) return 'no mount command';
  try {
    const filesystems = execFileSync('cat', ['/proc/filesystems'], { encoding: 'utf8' });
    if (!/\biso9660\b/u.test(filesystems)) return 'this kernel has no iso9660 driver (not in /proc/filesystems)';
  } catch {
    return 'cannot read /proc/filesystems';
  }
  return null;
}
