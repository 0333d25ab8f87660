import { afterEach, describe, expect, it } from 'vitest';
import { convertDiskFormat } from '../../src/pack/disk-format.js';
import { missingTools } from '../support/tools.js';
import { failingToolsDirectory, prependToPath, restorePath } from './support/fake-tools.js';
import { convertBackToRaw, expectSameBytes } from './support/image-readers.js';
import { largeUserData } from './support/sample-seed-files.js';

afterEach(restorePath);

/** A raw "disk" of 1 MiB whose contents qemu-img must carry over exactly. */
const rawImage = largeUserData(1024 * 1024, 7).bytes;

describe('convertDiskFormat', () => {
  it('returns a raw image unchanged, without running qemu-img', async () => {
    prependToPath(failingToolsDirectory);
    expect(await convertDiskFormat(rawImage, 'raw')).toBe(rawImage);
  });

  it('reports a failing qemu-img', async () => {
    prependToPath(failingToolsDirectory);
    await expect(convertDiskFormat(rawImage, 'qcow2')).rejects.toMatchObject({
      code: 'TOOL_FAILED',
      message: expect.stringMatching(/qemu-img convert -f raw -O qcow2 .* failed with exit code 3/),
    });
  });
});

describe.skipIf(missingTools('qemu-img').length > 0)('convertDiskFormat to qcow2', () => {
  it('makes a qcow2 image that qemu-img converts back to the same raw bytes', async () => {
    const qcow2 = await convertDiskFormat(rawImage, 'qcow2');
    const { format, virtualSize, raw } = await convertBackToRaw(qcow2);
    expect({ format, virtualSize }).toEqual({ format: 'qcow2', virtualSize: rawImage.byteLength });
    expectSameBytes(raw, rawImage, 'raw image converted back');
  });

  it('keeps a seed small: 4 KiB clusters, so metadata and part-used clusters add little to the content', async () => {
    const qcow2 = await convertDiskFormat(rawImage, 'qcow2');
    // qcow2's header, L1 and refcount tables take a few clusters; 64 KiB clusters made that 384 KiB.
    expect(qcow2.byteLength).toBeLessThan(rawImage.byteLength + 64 * 1024);
    expect(Buffer.from(qcow2).readUInt32BE(20), "cluster_bits").toBe(12);
  });
});
