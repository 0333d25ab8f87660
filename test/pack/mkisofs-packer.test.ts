import { describe, expect, it } from 'vitest';
import { mkisofsPacker } from '../../src/pack/mkisofs-packer.js';
import { missingTools } from '../support/tools.js';
import { expectIsoHolds, isoRockRidgeModes, withImageFile } from './support/image-readers.js';
import { describePackerFailures, packOptions } from './support/packer-failures.js';
import { sampleSeedFiles } from './support/sample-seed-files.js';

describe.skipIf(missingTools('mkisofs', 'isoinfo', 'xorriso').length > 0)('mkisofsPacker', () => {
  it('writes an iso9660 volume labelled cidata that holds every file byte for byte', async () => {
    const files = sampleSeedFiles();
    await expectIsoHolds(await mkisofsPacker.pack(files, packOptions()), files);
  });

  it('keeps user-data at mode 0600', async () => {
    const image = await mkisofsPacker.pack(sampleSeedFiles(), packOptions());
    expect((await withImageFile(image, isoRockRidgeModes)).get('user-data')).toBe('-rw-------');
  });
});

describePackerFailures(mkisofsPacker, {
  filesystem: 'iso9660',
  firstProgram: 'mkisofs',
  missingHint: 'apt-get install -y genisoimage',
  unsupportedFilesystem: 'vfat',
});
