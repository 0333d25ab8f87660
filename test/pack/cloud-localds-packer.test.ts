import { describe, expect, it } from 'vitest';
import { cloudLocaldsPacker } from '../../src/pack/cloud-localds-packer.js';
import { missingTools } from '../support/tools.js';
import { expectIsoHolds, expectVfatHolds } from './support/image-readers.js';
import { describePackerFailures, packError, packOptions } from './support/packer-failures.js';
import { largeUserData, sampleSeedFiles, seedFile } from './support/sample-seed-files.js';

const isoToolsMissing = missingTools('cloud-localds', 'genisoimage', 'isoinfo', 'xorriso').length > 0;
const vfatToolsMissing = missingTools('cloud-localds', 'mkfs.vfat', 'mcopy', 'fsck.vfat').length > 0;

describe.skipIf(isoToolsMissing)('cloudLocaldsPacker iso9660', () => {
  it('writes an iso9660 volume labelled cidata that holds every file byte for byte', async () => {
    const files = sampleSeedFiles();
    await expectIsoHolds(await cloudLocaldsPacker.pack(files, packOptions()), files);
  });

  it('carries vendor-data with -V', async () => {
    const files = [...sampleSeedFiles(), seedFile('vendor-data', '#cloud-config\npackages: [htop]\n')];
    await expectIsoHolds(await cloudLocaldsPacker.pack(files, packOptions()), files);
  });

  it('passes our meta-data through, never its own iid-local01', async () => {
    const files = sampleSeedFiles().filter((file) => file.path !== 'network-config');
    await expectIsoHolds(await cloudLocaldsPacker.pack(files, packOptions()), files);
  });
});

describe.skipIf(vfatToolsMissing)('cloudLocaldsPacker vfat', () => {
  it('writes a vfat volume labelled cidata that holds every file byte for byte', async () => {
    const files = sampleSeedFiles();
    await expectVfatHolds(await cloudLocaldsPacker.pack(files, packOptions({ filesystem: 'vfat' })), files);
  });

  it('fails with TOOL_FAILED on a 200 KB user-data: its vfat image is a fixed 128 KiB', async () => {
    const files = [largeUserData(200_000), ...sampleSeedFiles().slice(1)];
    const error = await packError(cloudLocaldsPacker, packOptions({ filesystem: 'vfat' }), files);
    expect(error.code).toBe('TOOL_FAILED');
    expect(error.message).toMatch(/cloud-localds .*exit code 1/);
    expect(error.message).toContain('Disk full');
  });
});

describe('cloudLocaldsPacker refuses what cloud-localds cannot do', () => {
  it('a label other than cidata', async () => {
    const error = await packError(cloudLocaldsPacker, packOptions({ label: 'seed' }));
    expect(error.code).toBe('USAGE');
    expect(error.message).toContain('always labels the volume cidata');
  });

  it('files other than user-data, meta-data, network-config and vendor-data', async () => {
    const files = [...sampleSeedFiles(), seedFile('toString', 'x'), seedFile('extra', 'y')];
    const error = await packError(cloudLocaldsPacker, packOptions(), files);
    expect(error.code).toBe('USAGE');
    expect(error.message).toContain('cannot carry toString, extra');
  });

  it('a seed without meta-data, for which it would invent iid-local01', async () => {
    const files = sampleSeedFiles().filter((file) => file.path !== 'meta-data');
    await expect(cloudLocaldsPacker.pack(files, packOptions())).rejects.toMatchObject({
      code: 'USAGE',
      message: 'cloud-localds needs meta-data',
    });
  });
});

describePackerFailures(cloudLocaldsPacker, {
  filesystem: 'iso9660',
  firstProgram: 'cloud-localds',
  missingHint: 'apt-get install -y cloud-image-utils',
});
