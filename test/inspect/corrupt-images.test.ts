// Damaged images must give a clean CloudseedError, never another exception, a hang or a crash: every
// truncation of the metadata, and 500 runs of random byte flips over the structures each format reads.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { CloudseedError, formatError } from '../../src/errors.js';
import { inspectImage, readImageVolume } from '../../src/inspect/index.js';
import { writeFat } from '../../src/formats/fat/index.js';
import { writeSeedTar } from '../../src/pack/seed-tar.js';
import type { SeedFile } from '../../src/pack/seed-file.js';
import { missingTools } from '../support/tools.js';
import { cloudLocalds, genisoimage, mkfsVfat, patternBytes, seedFiles, stagedTime, textFile, withWorkDirectory } from './support/seed-images.js';

interface Sample {
  name: string;
  image: Uint8Array;
  /** Where the structures are that the reader interprets: [start, end) in bytes. */
  metadata: readonly [number, number];
}

function richFiles(): SeedFile[] {
  return [
    ...seedFiles(),
    textFile(`${'long-name-'.repeat(18)}end`, 'long'),
    textFile('scripts/setup/run.sh', '#!/bin/sh\n', 0o755),
    { path: 'big.bin', bytes: patternBytes(40_000, 2), mode: 0o644 },
  ];
}

/** Reads everything the image holds; returns normally or throws what the reader throws. */
async function readEverything(image: Uint8Array): Promise<void> {
  const volume = await readImageVolume(image);
  for (const entry of volume.entries) if (entry.type === 'file') volume.readFile(entry.path);
}

async function outcome(image: Uint8Array): Promise<'read' | 'clean error' | string> {
  try {
    await readEverything(image);
    return 'read';
  } catch (error) {
    if (error instanceof CloudseedError && (error.code === 'SPEC_INVALID' || error.code === 'USAGE')) return 'clean error';
    return `${(error as Error).constructor.name}: ${(error as Error).message}`;
  }
}

const tools = ['genisoimage', 'mkfs.vfat', 'mcopy', 'mmd', 'cloud-localds'];

describe.skipIf(missingTools(...tools).length > 0)('damaged images', () => {
  const samples: Sample[] = [];

  beforeAll(async () => {
    const iso = await genisoimage(richFiles());
    samples.push({ name: 'genisoimage', image: iso, metadata: [16 * 2048, 40 * 2048] });
    samples.push({ name: 'mkfs.vfat FAT12', image: await mkfsVfat(richFiles(), { sizeKiB: 1024 }), metadata: [0, 24 * 1024] });
    samples.push({ name: 'mkfs.vfat FAT32', image: await mkfsVfat(richFiles(), { sizeKiB: 34_000, fatType: 32 }), metadata: [0, 600 * 1024] });
    samples.push({ name: 'writeFat', image: writeFat(seedFiles(), { label: 'cidata', timestamp: stagedTime }), metadata: [0, 8 * 1024] });
    const tar = await cloudLocalds(seedFiles(), ['-d', 'tar-seed-local']);
    samples.push({ name: 'cloud-localds tar-seed-local', image: tar, metadata: [0, tar.length] });
    samples.push({ name: 'writeSeedTar', image: await writeSeedTar(richFiles(), { layout: 'tar', timestamp: stagedTime }), metadata: [0, 4096] });
    for (const sample of samples) expect(await outcome(sample.image), sample.name).toBe('read');
  });

  it('gives a clean error for every truncation of an ISO or FAT image, and never a crash for tar', async () => {
    for (const sample of samples) {
      const [, end] = sample.metadata;
      const lengths = [0, 1, 511, 512, 513, 2047, 32_768, 32_769];
      for (let length = 0; length < Math.min(end + 4096, sample.image.length); length += 509) lengths.push(length);
      for (const length of lengths.filter((candidate) => candidate < sample.image.length)) {
        const result = await outcome(sample.image.subarray(0, length));
        const allowed = sample.name.includes('tar') ? ['read', 'clean error'] : ['clean error'];
        expect(allowed, `${sample.name} cut to ${length} bytes: ${result}`).toContain(result);
      }
    }
  });

  it('reads or cleanly refuses images with random byte flips in their structures (500 runs)', async () => {
    const flipsArbitrary = fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 6 });
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: samples.length - 1 }), flipsArbitrary, async (which, flips) => {
        const sample = samples[which] as Sample;
        const [start, end] = sample.metadata;
        const image = sample.image;
        const offsets = flips.map(([position]) => start + Math.floor(position * (Math.min(end, image.length) - start)));
        const saved = offsets.map((offset) => image[offset] ?? 0);
        // Flipped in place and restored after: copying a 34 MB FAT32 image 500 times would dominate the run.
        flips.forEach(([, mask], index) => (image[offsets[index] as number] = (saved[index] as number) ^ mask));
        try {
          const result = await outcome(image);
          expect(['read', 'clean error'], `${sample.name} with bytes ${offsets.join(', ')} flipped: ${result}`).toContain(result);
        } finally {
          [...offsets].reverse().forEach((offset, index) => (image[offset] = saved[saved.length - 1 - index] as number));
        }
      }),
      { numRuns: 500 },
    );
  });

  it('names the file in the error inspectImage gives for a damaged image', async () => {
    const damaged = (samples.find((sample) => sample.name === 'mkfs.vfat FAT12') as Sample).image.slice();
    damaged[11] = 0x03; // BPB_BytsPerSec 0x0203
    await withWorkDirectory(async (directory) => {
      const imagePath = path.join(directory, 'broken.img');
      await writeFile(imagePath, damaged);
      const error = await inspectImage(imagePath).then(() => null, (reason: unknown) => reason);
      expect(error).toBeInstanceOf(CloudseedError);
      expect(formatError(error as CloudseedError)).toMatch(/^error: \S+broken\.img: not a seed image \(1048576 bytes\): expected .*; as FAT, BPB_BytsPerSec is 515/);
    });
  });
});

describe.skipIf(missingTools('cloud-localds', 'genisoimage', 'qemu-img').length > 0)('damaged qcow2 images', () => {
  async function inspectQcow2(bytes: Uint8Array): Promise<{ imagePath: string; error: CloudseedError }> {
    return withWorkDirectory(async (directory) => {
      const imagePath = path.join(directory, 'seed.qcow2');
      await writeFile(imagePath, bytes);
      const error = await inspectImage(imagePath).then(() => null, (reason: unknown) => reason);
      expect(error).toBeInstanceOf(CloudseedError);
      expect(error).toMatchObject({ code: 'SPEC_INVALID' });
      return { imagePath, error: error as CloudseedError };
    });
  }

  it('is SPEC_INVALID naming the file when qemu-img cannot read the image', async () => {
    const qcow2 = await cloudLocalds(seedFiles(), ['-d', 'qcow2']);
    qcow2[47] = 0x01; // l1_table_offset, no longer cluster-aligned
    const { imagePath, error } = await inspectQcow2(qcow2);
    expect(formatError(error)).toContain(`error: ${imagePath}: qemu-img cannot read this qcow2 image: `);
  });

  it('is SPEC_INVALID when a truncated image converts to a disk that holds no volume', async () => {
    // qemu-img reads clusters past the end of the file as zeros, so the conversion itself succeeds.
    const qcow2 = await cloudLocalds(seedFiles(), ['-d', 'qcow2']);
    const { imagePath, error } = await inspectQcow2(qcow2.subarray(0, 200_000));
    expect(formatError(error)).toContain(`error: ${imagePath}: not a seed image`);
  });
});
