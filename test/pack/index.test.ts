import { describe, expect, it } from 'vitest';
import { listPackers, packSeed, selectPacker } from '../../src/pack/index.js';
import { missingTools } from '../support/tools.js';
import { convertBackToRaw, expectIsoHolds, expectSameBytes, expectVfatHolds } from './support/image-readers.js';
import { packOptions } from './support/packer-failures.js';
import { sampleSeedFiles } from './support/sample-seed-files.js';

describe('the pack stage entry module', () => {
  it('exports the registry functions', () => {
    expect(listPackers().length).toBeGreaterThan(0);
    expect(typeof selectPacker).toBe('function');
  });
});

describe.skipIf(missingTools('genisoimage', 'xorriso', 'isoinfo').length > 0)('packSeed', () => {
  it('packs with the packer auto chose and says which', async () => {
    const files = sampleSeedFiles();
    const packed = await packSeed(files, { ...packOptions(), packer: 'auto' });
    expect(packed.packer).toBe('native');
    await expectIsoHolds(packed.bytes, files);
  });

  it.skipIf(missingTools('mkfs.vfat', 'mcopy', 'fsck.vfat').length > 0)('packs vfat with a named packer', async () => {
    const files = sampleSeedFiles();
    const packed = await packSeed(files, { ...packOptions({ filesystem: 'vfat' }), packer: 'mtools' });
    expect(packed.packer).toBe('mtools');
    await expectVfatHolds(packed.bytes, files);
  });

  it.skipIf(missingTools('qemu-img').length > 0)('converts to qcow2 after the packer made the raw image', async () => {
    const files = sampleSeedFiles();
    const options = packOptions({ sourceDateEpoch: 1_700_000_000 });
    const raw = await packSeed(files, { ...options, packer: 'xorriso' });
    const qcow2 = await packSeed(files, { ...options, diskFormat: 'qcow2', packer: 'xorriso' });
    const back = await convertBackToRaw(qcow2.bytes);
    expect(back.format).toBe('qcow2');
    // xorriso is reproducible, so the qcow2 must hold exactly the raw image packed the same way.
    expectSameBytes(back.raw, raw.bytes, 'qcow2 converted back to raw');
    await expectIsoHolds(back.raw, files);
  });
});
