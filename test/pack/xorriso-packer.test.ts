import { afterEach, describe, expect, it, vi } from 'vitest';
import { xorrisoPacker } from '../../src/pack/xorriso-packer.js';
import { missingTools } from '../support/tools.js';
import {
  expectIsoHolds,
  expectSameBytes,
  isoCreationTime,
  isoRockRidgeModes,
  withImageFile,
} from './support/image-readers.js';
import { describePackerFailures, packOptions } from './support/packer-failures.js';
import { sampleSeedFiles, seedFile } from './support/sample-seed-files.js';

describe.skipIf(missingTools('xorriso', 'isoinfo').length > 0)('xorrisoPacker', () => {
  it('writes an iso9660 volume labelled cidata that holds every file byte for byte', async () => {
    const files = sampleSeedFiles();
    await expectIsoHolds(await xorrisoPacker.pack(files, packOptions()), files);
  });

  it('keeps each file mode in Rock Ridge, so user-data stays 0600', async () => {
    const image = await xorrisoPacker.pack(sampleSeedFiles(), packOptions());
    const modes = await withImageFile(image, isoRockRidgeModes);
    expect(modes.get('user-data')).toBe('-rw-------');
    expect(modes.get('meta-data')).toBe('-rw-r--r--');
  });

  it('uses the label it is given', async () => {
    const files = sampleSeedFiles();
    await expectIsoHolds(await xorrisoPacker.pack(files, packOptions({ label: 'SEED' })), files, 'SEED');
  });

  it('gives identical bytes twice for the same source date epoch', async () => {
    const options = packOptions({ sourceDateEpoch: 1_700_000_000 });
    const first = await xorrisoPacker.pack(sampleSeedFiles(), options);
    // Long enough for a second-resolution clock to tick, so a timestamp we failed to pin would show.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const second = await xorrisoPacker.pack(sampleSeedFiles(), options);
    expectSameBytes(second, first, 'second xorriso image');
  });

  it('gives different bytes for a different epoch or different contents', async () => {
    const base = await xorrisoPacker.pack(sampleSeedFiles(), packOptions({ sourceDateEpoch: 1_700_000_000 }));
    const laterEpoch = await xorrisoPacker.pack(sampleSeedFiles(), packOptions({ sourceDateEpoch: 1_700_000_001 }));
    const otherMetaData = [...sampleSeedFiles().slice(0, 1), seedFile('meta-data', 'instance-id: vm-02\n')];
    const otherContents = await xorrisoPacker.pack(otherMetaData, packOptions({ sourceDateEpoch: 1_700_000_000 }));
    expect(Buffer.from(laterEpoch).equals(Buffer.from(base))).toBe(false);
    expect(Buffer.from(otherContents).equals(Buffer.from(base))).toBe(false);
  });
});

describe.skipIf(missingTools('xorriso').length > 0)('xorrisoPacker time', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('stamps the epoch it is given as the volume creation time', async () => {
    const image = await xorrisoPacker.pack(sampleSeedFiles(), packOptions({ sourceDateEpoch: 1_700_000_000 }));
    expect(await withImageFile(image, isoCreationTime)).toBe('2023111422132000');
  });

  it('uses its own clock without an epoch, even when the shell exports SOURCE_DATE_EPOCH', async () => {
    vi.stubEnv('SOURCE_DATE_EPOCH', '1700000000');
    const image = await xorrisoPacker.pack(sampleSeedFiles(), packOptions({ sourceDateEpoch: null }));
    expect(await withImageFile(image, isoCreationTime)).not.toMatch(/^2023/);
  });
});

describePackerFailures(xorrisoPacker, {
  filesystem: 'iso9660',
  firstProgram: 'xorriso',
  missingHint: 'apt-get install -y xorriso',
  unsupportedFilesystem: 'vfat',
});
