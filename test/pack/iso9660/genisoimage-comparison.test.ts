// The native writer against genisoimage (what cloud-localds runs) on the same files: the same label, and
// the same names and bytes in the Joliet, Rock Ridge and plain ISO 9660 views — at a fraction of the size.
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { writeIso9660 } from '../../../src/formats/iso9660/index.js';
import type { SeedFile } from '../../../src/pack/seed-file.js';
import { missingTools } from '../../support/tools.js';
import { sampleSeedFiles, seedFile } from '../support/sample-seed-files.js';
import { findListing, isoinfo, isoinfoExtract, longListing } from './iso-readers.js';

const cloudLocaldsImageBytes = 374_784;

/** The typical seed plus a vendor-data: names whose 8.3 forms both writers choose alike. */
function seed(): SeedFile[] {
  return [...sampleSeedFiles(), seedFile('vendor-data', '#cloud-config\nruncmd: [true]\n', 0o640)];
}

/** Both images of `files`, genisoimage's made the way the genisoimage packer makes it. */
async function withBothImages(
  files: readonly SeedFile[],
  use: (images: { native: string; genisoimage: string }) => Promise<void>,
): Promise<void> {
  const directory = await mkdtemp(path.join(tmpdir(), 'cloudseed-iso-compare-'));
  try {
    const filePaths = await Promise.all(
      files.map(async (file) => {
        const filePath = path.join(directory, file.path);
        await writeFile(filePath, file.bytes);
        await chmod(filePath, file.mode);
        return filePath;
      }),
    );
    const images = { native: path.join(directory, 'native.iso'), genisoimage: path.join(directory, 'genisoimage.iso') };
    await execa('genisoimage', [
      '-quiet',
      '-output',
      images.genisoimage,
      '-volid',
      'cidata',
      '-joliet',
      '-rock',
      '-uid',
      '0',
      '-gid',
      '0',
      ...filePaths,
    ]);
    await writeFile(images.native, writeIso9660(files, { label: 'cidata', timestamp: 1_700_000_000 }));
    await use(images);
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

describe.skipIf(missingTools('genisoimage', 'isoinfo').length > 0)('native ISO compared with genisoimage', () => {
  it('has the same volume id and finds Joliet and Rock Ridge alike', async () => {
    await withBothImages(seed(), async ({ native, genisoimage }) => {
      const summary = async (imagePath: string): Promise<string[]> =>
        (await isoinfo(imagePath, '-d')).stdout
          .split('\n')
          .filter((line) => /^Volume id:|Joliet|Rock Ridge|block size/u.test(line));
      expect(await summary(native)).toEqual(await summary(genisoimage));
    });
  });

  it('lists the same names, modes and sizes in all three views', async () => {
    await withBothImages(seed(), async ({ native, genisoimage }) => {
      for (const view of [['-J'], ['-R'], []]) {
        expect(findListing((await isoinfo(native, ...view, '-f')).stdout)).toEqual(
          findListing((await isoinfo(genisoimage, ...view, '-f')).stdout),
        );
      }
      const modesAndSizes = async (imagePath: string): Promise<unknown> =>
        [...longListing((await isoinfo(imagePath, '-R', '-l')).stdout)]
          .map(([name, file]) => [name, file.mode, file.uid, file.gid, file.size])
          .sort();
      expect(await modesAndSizes(native)).toEqual(await modesAndSizes(genisoimage));
    });
  });

  it('gives back the same bytes for every file in every view', async () => {
    await withBothImages(seed(), async ({ native, genisoimage }) => {
      const plainNames = findListing((await isoinfo(genisoimage, '-f')).stdout);
      const reads: Array<['-J' | '-R' | null, string]> = [
        ...seed().flatMap((file): Array<['-J' | '-R', string]> => [
          ['-J', file.path],
          ['-R', file.path],
        ]),
        ...plainNames.map((name): [null, string] => [null, name]),
      ];
      for (const [view, name] of reads) {
        const nativeBytes = Buffer.from(await isoinfoExtract(native, view, `/${name}`));
        expect({ view, name, bytes: nativeBytes.toString('base64') }).toEqual({
          view,
          name,
          bytes: Buffer.from(await isoinfoExtract(genisoimage, view, `/${name}`)).toString('base64'),
        });
      }
    });
  });

  it('is under a quarter of the size of genisoimage and cloud-localds images', async () => {
    await withBothImages(seed(), async ({ native, genisoimage }) => {
      const [nativeBytes, genisoimageBytes] = await Promise.all([readFile(native), readFile(genisoimage)]);
      console.info(
        `seed of 4 small files: native ${nativeBytes.length} bytes, genisoimage ${genisoimageBytes.length} bytes`,
      );
      expect(nativeBytes.length * 4).toBeLessThan(genisoimageBytes.length);
      expect(nativeBytes.length * 4).toBeLessThan(cloudLocaldsImageBytes);
    });
  });
});
