import { describe, expect, it } from 'vitest';
import { genisoimagePacker } from '../../src/pack/genisoimage-packer.js';
import { missingTools } from '../support/tools.js';
import { expectIsoHolds, isoRockRidgeModes, withImageFile } from './support/image-readers.js';
import { describePackerFailures, packOptions } from './support/packer-failures.js';
import { sampleSeedFiles } from './support/sample-seed-files.js';

describe.skipIf(missingTools('genisoimage', 'isoinfo', 'xorriso').length > 0)('genisoimagePacker', () => {
  it('writes an iso9660 volume labelled cidata that holds every file byte for byte', async () => {
    const files = sampleSeedFiles();
    await expectIsoHolds(await genisoimagePacker.pack(files, packOptions()), files);
  });

  it('keeps each file mode in Rock Ridge, so user-data stays 0600', async () => {
    const image = await genisoimagePacker.pack(sampleSeedFiles(), packOptions());
    const modes = await withImageFile(image, isoRockRidgeModes);
    expect(Object.fromEntries(modes)).toEqual({
      'user-data': '-rw-------',
      'meta-data': '-rw-r--r--',
      'network-config': '-rw-r--r--',
    });
  });

  it('uses the label it is given', async () => {
    const files = sampleSeedFiles();
    await expectIsoHolds(await genisoimagePacker.pack(files, packOptions({ label: 'CIDATA' })), files, 'CIDATA');
  });

  // genisoimage ignores SOURCE_DATE_EPOCH and stamps the volume with the current time; this documents
  // it, so the day a genisoimage honours it this test says so and the xorriso advice can go.
  it('is not reproducible even with a source date epoch', async () => {
    const options = packOptions({ sourceDateEpoch: 1_700_000_000 });
    const first = await genisoimagePacker.pack(sampleSeedFiles(), options);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const second = await genisoimagePacker.pack(sampleSeedFiles(), options);
    expect(Buffer.from(first).equals(Buffer.from(second))).toBe(false);
  });
});

describePackerFailures(genisoimagePacker, {
  filesystem: 'iso9660',
  firstProgram: 'genisoimage',
  missingHint: 'apt-get install -y genisoimage',
  unsupportedFilesystem: 'vfat',
});
