// The catalog of bad images: each one, given to `cloudseed inspect` as a user would, must end with exit
// 2 and an error that names the image and says what is wrong — never a stack trace, an exit 1 (our bug),
// a hang or a huge allocation. Images are good ones (cloudseed's own writers, qemu-img create, tar-stream)
// with bytes patched by hand, so each case states exactly which structure is damaged.
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { looksLikeStackTrace, runInProcess } from '../cli/support/run-cloudseed.js';
import { missingTools } from '../support/tools.js';
import { setFatEntry } from './support/fat-patches.js';
import {
  fat,
  fatEntryOffset,
  fixTarChecksum,
  iso,
  isoRecord,
  isoRootRecords,
  isoWithNames,
  replaceBytes,
  setBothEndian32,
  setU16,
  setU32,
  tarOf,
  utf8,
} from './support/hostile-images.js';
import { seedFiles, withWorkDirectory } from './support/seed-images.js';

type Patch = (image: Uint8Array) => void;

interface Case {
  name: string;
  image: () => Uint8Array | Promise<Uint8Array>;
  /** What the error line says after `error: <image>: `. */
  message: string;
}

const pvd = 16 * 2048;
const patched = (make: () => Uint8Array, patch: Patch) => () => {
  const image = make().slice();
  patch(image);
  return image;
};
const cut = (make: () => Uint8Array | Promise<Uint8Array>, length: number) => async () => (await make()).slice(0, length);

const isoImage = () => iso(seedFiles());
const isoPatched = (patch: Patch) => patched(isoImage, patch);
const userDataRecord = (image: Uint8Array) => isoRecord(image, 'USER_DAT').offset;
/** The sector of the volume descriptor set terminator (type 255). */
const terminatorSector = (image: Uint8Array) => {
  for (let sector = 16; ; sector += 1) if (image[sector * 2048] === 255) return sector;
};

const isoCases: Case[] = [
  { name: 'ISO cut inside its primary volume descriptor', image: cut(isoImage, 33_000), message: 'the volume descriptor in sector 16 lies at bytes 32768 to 34816, past the end of the image (33000 bytes)' },
  { name: 'ISO cut after its primary volume descriptor', image: cut(isoImage, 34_816), message: 'the volume descriptor in sector 17 lies at bytes 34816 to 36864, past the end of the image (34816 bytes)' },
  { name: 'ISO cut after its descriptors', image: cut(isoImage, 40_960), message: 'the image is 40960 bytes but its primary volume descriptor says the volume is 59392 bytes' },
  { name: 'ISO cut inside its file data', image: cut(isoImage, 59_000), message: 'the image is 59000 bytes but its primary volume descriptor says the volume is 59392 bytes' },
  { name: 'ISO whose volume size is 4 GiB', image: isoPatched((image) => setBothEndian32(image, pvd + 80, 0x200000)), message: 'primary volume descriptor says the volume is 4294967296 bytes' },
  { name: 'ISO with a 1000-byte logical block', image: isoPatched((image) => setU16(image, pvd + 128, 1000)), message: 'the volume descriptor gives a logical block size of 1000 bytes; expected 512, 1024 or 2048' },
  { name: 'ISO without a primary volume descriptor', image: isoPatched((image) => void (image[pvd] = 0)), message: 'the ISO 9660 image has no primary volume descriptor' },
  {
    name: 'ISO whose descriptor set never ends',
    image: isoPatched((image) => void (image[terminatorSector(image) * 2048] = 0)),
    message: 'holds no volume descriptor (CD001) although the set has not ended',
  },
  { name: 'ISO whose root directory lies past the end', image: isoPatched((image) => setBothEndian32(image, pvd + 156 + 2, 0xffffff)), message: 'the root directory lies at bytes 34359736320 to' },
  {
    name: 'ISO whose root directory claims 4 GiB',
    image: isoPatched((image) => setBothEndian32(image, pvd + 156 + 10, 0xffffffff)),
    message: 'the root directory brings the directories to more than 67108864 bytes; the directory tree is corrupt',
  },
  { name: 'ISO file whose extent lies past the end', image: isoPatched((image) => setBothEndian32(image, userDataRecord(image) + 2, 100_000)), message: 'the data of user-data lies at bytes 204800000 to 204800052, past the end of the image (59392 bytes)' },
  {
    name: 'ISO file claiming 4 GiB in a 58 KiB image',
    image: isoPatched((image) => setBothEndian32(image, userDataRecord(image) + 10, 0xffffffff)),
    message: 'the data of user-data lies at bytes',
  },
  { name: 'ISO directory record shorter than 34 bytes', image: isoPatched((image) => void (image[userDataRecord(image)] = 20)), message: 'the root directory has a 20-byte directory record at byte' },
  { name: 'ISO directory record with no identifier', image: isoPatched((image) => void (image[userDataRecord(image) + 32] = 0)), message: 'claims a 0-byte identifier' },
  {
    name: 'ISO directory that contains itself (a file record made a directory at the root’s extent)',
    image: isoPatched((image) => {
      const { root } = isoRootRecords(image);
      image[userDataRecord(image) + 25] = 0x02;
      setBothEndian32(image, userDataRecord(image) + 2, root.extent);
    }),
    message: 'the directory user-data points back at a directory already read (block',
  },
  { name: 'ISO interleaved file', image: isoPatched((image) => void (image[userDataRecord(image) + 26] = 1)), message: 'the root directory holds an interleaved file' },
  { name: 'ISO Rock Ridge name with a "/" inside', image: () => isoWithNames(['a/b']), message: 'the root directory holds an entry with the name "a/b", which holds a "/" inside one name' },
  { name: 'ISO Rock Ridge name ".."', image: () => isoWithNames(['..']), message: 'the root directory holds an entry with the name "..", which is reserved' },
  { name: 'ISO Rock Ridge name "."', image: () => isoWithNames(['.']), message: 'the root directory holds an entry with the name ".", which is reserved' },
  { name: 'ISO Rock Ridge name with a NUL', image: () => isoWithNames(['a\0b']), message: 'the root directory holds an entry with the name "a\\u0000b", which holds a NUL character' },
];

const fatImage = () => fat(seedFiles());
const fatPatched = (patch: Patch) => patched(fatImage, patch);
const userDataEntry = (image: Uint8Array) => fatEntryOffset(image, 'USER-D');
const firstCluster = (image: Uint8Array) => (image[userDataEntry(image) + 26] ?? 0) | ((image[userDataEntry(image) + 27] ?? 0) << 8);

/** user-data made a directory whose one entry, LOOP, is a directory at user-data's own cluster. */
function fatDirectoryLoop(): Uint8Array {
  const cluster = firstCluster(fatImage());
  const entry = new Uint8Array(32).fill(0x20, 0, 11);
  entry.set(utf8('LOOP'), 0);
  entry[11] = 0x10;
  setU16(entry, 26, cluster);
  const files = seedFiles().map((file) => (file.path === 'user-data' ? { ...file, bytes: entry } : file));
  const image = fat(files);
  if (firstCluster(image) !== cluster) throw new Error('the layout moved');
  image[userDataEntry(image) + 11] = 0x10;
  return image;
}

const fatCases: Case[] = [
  { name: 'FAT with 515 bytes per sector', image: fatPatched((image) => setU16(image, 11, 515)), message: 'not a seed image (16384 bytes): expected ISO 9660' },
  { name: 'FAT with 3 sectors per cluster', image: fatPatched((image) => void (image[13] = 3)), message: 'as FAT, BPB_SecPerClus is 3, not a power of two up to 128' },
  { name: 'FAT with no reserved sectors', image: fatPatched((image) => setU16(image, 14, 0)), message: 'as FAT, BPB_RsvdSecCnt is 0' },
  { name: 'FAT with no FATs', image: fatPatched((image) => void (image[16] = 0)), message: 'as FAT, BPB_NumFATs is 0' },
  { name: 'FAT with media byte 0x12', image: fatPatched((image) => void (image[21] = 0x12)), message: 'as FAT, BPB_Media is 0x12, not F0 or F8 to FF' },
  { name: 'FAT with no sectors', image: fatPatched((image) => (setU16(image, 19, 0), setU32(image, 32, 0))), message: 'as FAT, both BPB_TotSec16 and BPB_TotSec32 are 0' },
  { name: 'FAT whose FATs have no size', image: fatPatched((image) => (setU16(image, 22, 0), setU32(image, 36, 0))), message: 'as FAT, both BPB_FATSz16 and BPB_FATSz32 are 0' },
  { name: 'FAT whose data region starts past the volume', image: fatPatched((image) => setU16(image, 14, 60_000)), message: 'the boot sector puts the data region at sector' },
  { name: 'FAT cut in half', image: cut(fatImage, 8192), message: 'the image is 8192 bytes but its boot sector says the volume is 16384 bytes' },
  { name: 'FAT cut inside its boot sector', image: cut(fatImage, 400), message: 'not a seed image (400 bytes)' },
  { name: 'FAT cluster chain that loops', image: fatPatched((image) => setFatEntry(image, firstCluster(image), firstCluster(image))), message: 'the cluster chain of user-data loops: it comes back to cluster' },
  { name: 'FAT cluster chain that leaves the volume', image: fatPatched((image) => setFatEntry(image, firstCluster(image), 4000)), message: "to cluster 4000, outside the volume's clusters 2 to" },
  { name: 'FAT cluster chain into a free cluster', image: fatPatched((image) => setFatEntry(image, firstCluster(image), 0)), message: 'the cluster chain of user-data goes from cluster' },
  { name: 'FAT cluster chain into a bad cluster', image: fatPatched((image) => setFatEntry(image, firstCluster(image), 0xff7)), message: 'the cluster chain of user-data reaches a cluster marked bad' },
  { name: 'FAT file starting outside the volume', image: fatPatched((image) => setU16(image, userDataEntry(image) + 26, 3000)), message: "user-data starts at cluster 3000, outside the volume's clusters 2 to" },
  { name: 'FAT file claiming 4 GiB in a 16 KiB image', image: fatPatched((image) => setU32(image, userDataEntry(image) + 28, 0xffffffff)), message: 'user-data is 4294967295 bytes, but its cluster chain holds only 1 cluster(s) of 512 bytes' },
  {
    name: 'FAT files cross-linked into one chain',
    image: fatPatched((image) => setU16(image, fatEntryOffset(image, 'META-D') + 26, firstCluster(image))),
    message: 'which user-data already uses',
  },
  { name: 'FAT short name with a "/" inside', image: fatPatched((image) => void replaceBytes(image, utf8('USER-D~1'), utf8('US/R-D~1'))), message: 'the root directory holds an entry with the name "US/R-D~1", which holds a "/" inside one name' },
  { name: 'FAT directory that contains itself', image: fatDirectoryLoop, message: 'the directory user-data/LOOP starts at cluster' },
];

const tarImage = () => tarOf([{ header: { name: 'user-data', size: 3 }, body: 'abc' }]);
const tarPatched = (patch: Patch) => async () => {
  const image = (await tarImage()).slice();
  patch(image);
  return image;
};

const tarCases: Case[] = [
  { name: 'tar with a bad header checksum', image: tarPatched((image) => void (image[0] = 0x55)), message: 'not a readable tar archive: Invalid tar header' },
  { name: 'tar entry claiming 8 GiB', image: tarPatched((image) => (image.set(utf8('77777777777\0'), 124), fixTarChecksum(image))), message: 'not a readable tar archive: Unexpected end of data' },
  { name: 'tar cut inside its first header', image: cut(tarImage, 300), message: 'not a readable tar archive: Unexpected end of data' },
  { name: 'tar cut inside a file', image: cut(tarImage, 514), message: 'not a readable tar archive: Unexpected end of data' },
];

let qcow2Base = new Uint8Array(0);
const qcow2Patched = (patch: (view: DataView, image: Uint8Array) => void) => () => {
  const image = qcow2Base.slice();
  patch(new DataView(image.buffer), image);
  return image;
};

const qcow2Cases: Case[] = [
  { name: 'qcow2 cut inside its header', image: () => qcow2Base.slice(0, 40), message: 'the qcow2 header lies at bytes 0 to 72, past the end of the image (40 bytes)' },
  { name: 'qcow2 version 4', image: qcow2Patched((view) => view.setUint32(4, 4)), message: 'the qcow2 header gives version 4; expected 2 or 3' },
  { name: 'qcow2 with a backing file', image: qcow2Patched((view) => view.setBigUint64(8, 0x200n)), message: 'the qcow2 image names a backing file; a seed image must stand alone' },
  { name: 'qcow2 with only a backing file name length', image: qcow2Patched((view) => view.setUint32(16, 11)), message: 'the qcow2 image names a backing file' },
  { name: 'qcow2 that is encrypted', image: qcow2Patched((view) => view.setUint32(32, 1)), message: 'the qcow2 image is encrypted' },
  { name: 'qcow2 with an external data file', image: qcow2Patched((_view, image) => void (image[79] = 0x04)), message: 'the qcow2 image keeps its data in an external file' },
  { name: 'qcow2 with cluster_bits 40', image: qcow2Patched((view) => view.setUint32(20, 40)), message: 'the qcow2 header gives cluster_bits 40; expected 9 to 21' },
  { name: 'qcow2 with cluster_bits 0', image: qcow2Patched((view) => view.setUint32(20, 0)), message: 'the qcow2 header gives cluster_bits 0; expected 9 to 21' },
  { name: 'qcow2 with a 2 GiB L1 table', image: qcow2Patched((view) => view.setUint32(36, 0x10000000)), message: 'the qcow2 header gives an L1 table of 2147483648 bytes; QEMU allows at most 33554432' },
  { name: 'qcow2 whose L1 table lies past the end', image: qcow2Patched((view) => view.setBigUint64(40, 0x7fff0000n)), message: 'the qcow2 L1 table lies at bytes 2147418112 to 2147418120, past the end of the 196616-byte file' },
  { name: 'qcow2 whose refcount table lies past the end', image: qcow2Patched((view) => view.setUint32(56, 0xffff)), message: 'the qcow2 refcount table lies at bytes 65536 to' },
  { name: 'qcow2 holding a 1 TiB disk', image: qcow2Patched((view) => view.setBigUint64(24, 1n << 40n)), message: 'the qcow2 image holds a 1099511627776-byte disk; seed images are far smaller' },
  { name: 'qcow2 listing a million snapshots', image: qcow2Patched((view) => view.setUint32(60, 1_000_000)), message: 'the qcow2 header lists 1000000 snapshots' },
  { name: 'qcow2 whose header claims 8 bytes', image: qcow2Patched((view) => view.setUint32(100, 8)), message: 'the qcow2 header says it is 8 bytes long; expected 104 to one 65536-byte cluster' },
];

const otherCases: Case[] = [
  { name: 'an empty file', image: () => new Uint8Array(0), message: 'the file is empty; expected a seed image' },
  { name: 'a text file', image: () => utf8('#cloud-config\n'), message: 'not a seed image (14 bytes): expected ISO 9660' },
  {
    name: 'a boot sector signature on nothing else',
    image: () => Object.assign(new Uint8Array(512), { 510: 0x55, 511: 0xaa }),
    message: 'not a seed image (512 bytes): expected ISO 9660 (CD001 at byte 32769), FAT (a boot sector with 0x55AA at byte 510 and a valid BPB), tar (ustar at byte 257) or qcow2 (QFI\\xfb at byte 0); as FAT, BS_jmpBoot is neither',
  },
];

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Runs `cloudseed inspect <target> [flags]` and checks the outcome is exactly exit 2 with `message`, fast. */
async function expectRefused(target: string, message: string, flags: string[] = []): Promise<void> {
  const started = Date.now();
  const result = await runInProcess(['inspect', target, ...flags]);
  expect({ code: result.code, stdout: result.stdout }).toEqual({ code: 2, stdout: '' });
  const [firstLine] = result.stderr.split('\n');
  expect(firstLine).toMatch(new RegExp(`^error: ${escapeRegExp(target)}: `));
  expect(firstLine).toContain(message);
  expect(looksLikeStackTrace(result.stderr), result.stderr).toBe(false);
  expect(Date.now() - started).toBeLessThan(5000);
}

async function expectImageRefused(image: Uint8Array, message: string): Promise<void> {
  await withWorkDirectory(async (directory) => {
    const imagePath = path.join(directory, 'bad.img');
    await writeFile(imagePath, image);
    await expectRefused(imagePath, message);
  });
}

describe('cloudseed inspect refuses damaged ISO 9660 images', () => {
  it.each(isoCases)('$name', async ({ image, message }) => expectImageRefused(await image(), message));
});

describe('cloudseed inspect refuses damaged FAT images', () => {
  it.each(fatCases)('$name', async ({ image, message }) => expectImageRefused(await image(), message));
});

describe('cloudseed inspect refuses damaged tar archives', () => {
  it.each(tarCases)('$name', async ({ image, message }) => expectImageRefused(await image(), message));
});

describe.skipIf(missingTools('qemu-img').length > 0)('cloudseed inspect refuses hostile qcow2 headers before qemu-img sees them', () => {
  beforeAll(async () => {
    await withWorkDirectory(async (directory) => {
      await execa('qemu-img', ['create', '-q', '-f', 'qcow2', path.join(directory, 'base.qcow2'), '1M']);
      qcow2Base = new Uint8Array(await readFile(path.join(directory, 'base.qcow2')));
    });
    expect(qcow2Base.length).toBe(196_616);
  });

  it.each(qcow2Cases)('$name', async ({ image, message }) => expectImageRefused(await image(), message));
});

describe('cloudseed inspect refuses what is no image file', () => {
  it.each(otherCases)('$name', async ({ image, message }) => expectImageRefused(await image(), message));

  it('a directory', async () => {
    await withWorkDirectory((directory) => expectRefused(directory, 'is a directory, not a regular file; expected a seed image file'));
  });

  it('a missing file', async () => {
    await withWorkDirectory((directory) => expectRefused(path.join(directory, 'nothing.img'), 'no such file; expected a seed image file'));
  });

  it('a FIFO, without waiting for a writer', async () => {
    await withWorkDirectory(async (directory) => {
      const fifo = path.join(directory, 'seed.img');
      execFileSync('mkfifo', [fifo]);
      await expectRefused(fifo, 'is a FIFO, not a regular file; expected a seed image file');
    });
  });

  it('/dev/zero, without reading it', async () => {
    await expectRefused('/dev/zero', 'is a character device, not a regular file; expected a seed image file');
  });

  it('a FIFO given to --extract, without reading or writing anything', async () => {
    await withWorkDirectory(async (directory) => {
      const fifo = path.join(directory, 'seed.img');
      execFileSync('mkfifo', [fifo]);
      await mkdir(path.join(directory, 'out'));
      await expectRefused(fifo, 'is a FIFO, not a regular file', ['--extract', path.join(directory, 'out')]);
    });
  });
});
