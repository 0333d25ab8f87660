import { describe, expect, it } from 'vitest';
import { CloudseedError } from '../../src/errors.js';
import { readFat, type FatVolume } from '../../src/inspect/index.js';
import { writeFat } from '../../src/formats/fat/index.js';
import type { SeedFile } from '../../src/pack/seed-file.js';
import { missingTools } from '../support/tools.js';
import { setFatEntry, fatGeometry, rootDirectoryOffset } from './support/fat-patches.js';
import { cloudLocalds, expectHolds, mkfsVfat, patternBytes, run, seedFiles, stagedTime, textFile, withWorkDirectory } from './support/seed-images.js';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';

/** Names that need long-name entries in every way: spaces, case, non-ASCII, length, folders; and plain 8.3 ones. */
function longNameFiles(): SeedFile[] {
  return [
    ...seedFiles(),
    textFile('A Long Name with spaces.yaml', 'spaces'),
    textFile('café-ünïcode.yaml', 'unicode'),
    textFile('MixedCase.Yaml', 'mixed'),
    textFile('abc.txt', 'lower-case 8.3, kept by the NT case bits'),
    textFile('éa', 'an 8.3 name in the OEM code page (É is 0x90), lower-cased by the NT case bit'),
    textFile('README.TXT', 'a plain 8.3 name'),
    textFile(`${'long-name-'.repeat(19)}end`, 'a 193-character name'),
    textFile('scripts/setup/inner-file.cfg', 'in a folder'),
    { path: 'big.bin', bytes: patternBytes(100_001, 3), mode: 0o644 },
    textFile('empty', ''),
  ];
}

async function withImagePath<T>(image: Uint8Array, use: (imagePath: string) => Promise<T>): Promise<T> {
  return withWorkDirectory(async (directory) => {
    const imagePath = path.join(directory, 'seed.img');
    await writeFile(imagePath, image);
    return use(imagePath);
  });
}

async function blkid(image: Uint8Array): Promise<Record<string, string>> {
  const text = await withImagePath(image, (imagePath) => run('blkid', ['-p', '-o', 'export', imagePath]));
  return Object.fromEntries(text.split('\n').filter((line) => line.includes('=')).map((line) => line.split(/=(.*)/s).slice(0, 2)));
}

/** What blkid says of the volume, in blkid's own terms, from our reader. */
function asBlkid(volume: FatVolume): Record<string, string> {
  const fields: Record<string, string> = { VERSION: `FAT${volume.fatType}` };
  if (volume.label !== null) fields.LABEL = volume.label;
  if (volume.bootSectorLabel !== null) fields.LABEL_FATBOOT = volume.bootSectorLabel;
  if (volume.volumeSerial !== null) fields.UUID = volume.volumeSerial;
  return fields;
}

function pickBlkid(probe: Record<string, string>): Record<string, string> {
  const keys = ['VERSION', 'LABEL', 'LABEL_FATBOOT', 'UUID'];
  return Object.fromEntries(Object.entries(probe).filter(([key]) => keys.includes(key)));
}

describe.skipIf(missingTools('cloud-localds', 'mkfs.vfat', 'mcopy').length > 0)('readFat on cloud-localds -f vfat', () => {
  it('reads the 128 KiB FAT12 volume cloud-localds makes: label cidata in both places, the three files', async () => {
    const volume = readFat(await cloudLocalds(seedFiles(), ['-f', 'vfat']));
    expect(volume).toMatchObject({ format: 'vfat', fatType: 12, label: 'cidata', directoryLabel: 'cidata', bootSectorLabel: 'cidata' });
    expectHolds(volume, seedFiles());
  });
});

describe.skipIf(missingTools('mkfs.vfat', 'mcopy', 'mmd', 'mshortname', 'blkid').length > 0)('readFat on mkfs.vfat + mcopy', () => {
  const cases = [
    { fatType: 12, sizeKiB: 1024 },
    { fatType: 16, sizeKiB: 16_384 },
    { fatType: 32, sizeKiB: 34_000 },
  ] as const;

  it.each(cases)('reads long names, folders, sizes, times and bytes on FAT$fatType', async ({ fatType, sizeKiB }) => {
    const image = await mkfsVfat(longNameFiles(), { fatType, sizeKiB });
    const volume = readFat(image);
    expect(volume.fatType).toBe(fatType);
    expectHolds(volume, longNameFiles());
    expect(volume.entries.find((entry) => entry.path === 'scripts/setup')?.type).toBe('directory');
    expect(volume.entries.find((entry) => entry.path === 'user-data')?.modified?.getTime()).toBe(stagedTime * 1000);
    expect(asBlkid(volume)).toEqual(pickBlkid(await blkid(image)));
  });

  it('agrees with blkid when only the boot sector has a label (LABEL_FATBOOT, no LABEL)', async () => {
    const image = await mkfsVfat(seedFiles(), { sizeKiB: 1024 });
    image[rootDirectoryOffset(image)] = 0xe5; // the label entry, deleted
    const volume = readFat(image);
    expect(volume).toMatchObject({ label: null, directoryLabel: null, bootSectorLabel: 'CIDATA' });
    expect(asBlkid(volume)).toEqual(pickBlkid(await blkid(image)));
  });

  it('agrees with blkid when only the root directory has a label (boot sector NO NAME)', async () => {
    const image = await mkfsVfat(seedFiles(), { sizeKiB: 1024 });
    image.set(new TextEncoder().encode('NO NAME    '), 43);
    const volume = readFat(image);
    expect(volume).toMatchObject({ label: 'CIDATA', directoryLabel: 'CIDATA', bootSectorLabel: null });
    expect(asBlkid(volume)).toEqual(pickBlkid(await blkid(image)));
  });

  it('drops a long name whose checksum does not match its 8.3 entry and shows the 8.3 name, as mtools does', async () => {
    const name = 'A Long Name with spaces.yaml';
    const image = await mkfsVfat([textFile(name, 'x')], { sizeKiB: 1024 });
    const alias = await withImagePath(image, (imagePath) => run('mshortname', ['-i', imagePath, `::/${name}`]));
    const root = rootDirectoryOffset(image);
    // Entry 0 is the label, then the long-name entries (last part first), then the 8.3 entry. Every long
    // entry gets the same wrong checksum, so they agree with each other and only the 8.3 entry tells.
    let entry = 1;
    for (; image[root + entry * 32 + 11] === 0x0f; entry += 1) {
      image[root + entry * 32 + 13] = ((image[root + entry * 32 + 13] ?? 0) + 1) & 0xff;
    }
    expect(entry).toBe(4); // 28 characters: three long-name entries
    expect(readFat(image).entries.map((entry) => entry.path)).toEqual([alias.trim().replace('::/', '')]);
  });

  it('drops a long name whose sequence is broken (an entry missing)', async () => {
    const image = await mkfsVfat([textFile('A Long Name with spaces.yaml', 'x')], { sizeKiB: 1024 });
    const root = rootDirectoryOffset(image);
    image[root + 64] = 0xe5; // the long-name entry with sequence 1, deleted
    expect(readFat(image).entries.map((entry) => entry.path)).toEqual(['ALONGN~1.YAM']);
  });
});

describe('readFat on cloudseed’s own FAT writer', () => {
  it('reads the label, names, sizes, times and bytes writeFat wrote', () => {
    const files = [...longNameFiles().filter((file) => !file.path.includes('/')), { path: 'large', bytes: patternBytes(5_000_000, 9), mode: 0o600 }];
    const volume = readFat(writeFat(files, { label: 'cidata', timestamp: stagedTime }));
    expect(volume).toMatchObject({ fatType: 16, label: 'cidata', bootSectorLabel: 'cidata' });
    expectHolds(volume, files);
    expect(volume.entries.every((entry) => entry.modified?.getTime() === stagedTime * 1000)).toBe(true);
  });
});

describe('readFat on damaged volumes', () => {
  const files = [{ path: 'user-data', bytes: patternBytes(20_000, 5), mode: 0o600 }, textFile('meta-data', 'instance-id: x\n')];
  const image = () => writeFat(files, { label: 'cidata', timestamp: stagedTime });
  // writeFat puts user-data in clusters 2 to 41 (512-byte clusters on this small FAT12 volume).

  function expectInvalid(damaged: Uint8Array, message: RegExp): void {
    let error: unknown;
    try {
      readFat(damaged);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(CloudseedError);
    expect((error as CloudseedError).code).toBe('SPEC_INVALID');
    expect((error as CloudseedError).message).toMatch(message);
  }

  it('sees the layout the other cases assume', () => {
    expect(fatGeometry(image())).toMatchObject({ fatType: 12, clusterBytes: 512 });
  });

  it('reports a cluster chain that loops, naming the file and the cluster', () => {
    const damaged = image();
    setFatEntry(damaged, 6, 3);
    expectInvalid(damaged, /cluster chain of user-data loops: it comes back to cluster 3/);
  });

  it('reports a chain that leaves the volume', () => {
    const damaged = image();
    setFatEntry(damaged, 4, 4000);
    expectInvalid(damaged, /user-data goes from cluster 4 to cluster 4000, outside the volume's clusters 2 to \d+/);
  });

  it('reports a chain that runs into a free cluster or a bad-cluster mark', () => {
    const free = image();
    setFatEntry(free, 4, 0);
    expectInvalid(free, /goes from cluster 4 to a free cluster/);
    const bad = image();
    setFatEntry(bad, 4, 0xff7);
    expectInvalid(bad, /reaches a cluster marked bad after cluster 4/);
  });

  it('reports a chain too short for the file size', () => {
    const damaged = image();
    setFatEntry(damaged, 3, 0xfff);
    expectInvalid(damaged, /user-data is 20000 bytes, but its cluster chain holds only 2 cluster/);
  });

  it('reports a truncated volume with both sizes', () => {
    expectInvalid(image().subarray(0, 10_000), /the image is 10000 bytes but its boot sector says the volume is \d+ bytes/);
  });
});
