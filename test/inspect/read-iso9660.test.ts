import { describe, expect, it } from 'vitest';
import { CloudseedError } from '../../src/errors.js';
import { readIso9660 } from '../../src/inspect/index.js';
import { missingTools } from '../support/tools.js';
import { cloudLocalds, expectHolds, genisoimage, patternBytes, seedFiles, stagedTime, textFile, xorriso } from './support/seed-images.js';

const modesOf = (volume: ReturnType<typeof readIso9660>) =>
  Object.fromEntries(volume.entries.map((entry) => [entry.path, entry.mode]));

describe.skipIf(missingTools('genisoimage').length > 0)('readIso9660 on genisoimage images', () => {
  it('reads label, Joliet, Rock Ridge, names, sizes, modes, times and bytes of `genisoimage -joliet -rock`', async () => {
    const volume = readIso9660(await genisoimage(seedFiles()));
    expect(volume).toMatchObject({ format: 'iso9660', label: 'cidata', jolietLabel: 'cidata', joliet: true, rockRidge: true });
    expectHolds(volume, seedFiles());
    expect(modesOf(volume)).toEqual({ 'user-data': 0o600, 'meta-data': 0o644, 'network-config': 0o644 });
    for (const entry of volume.entries) expect(entry.modified?.getTime()).toBe(stagedTime * 1000);
  });

  it.each(['Asia/Kolkata', 'America/St_Johns'])('reads times recorded in local time with a GMT offset (TZ=%s)', async (zone) => {
    for (const flags of [['-rock'], []]) {
      // With -rock the time comes from Rock Ridge TF, without it from the directory record; both carry the offset.
      const volume = readIso9660(await genisoimage(seedFiles(), flags, { TZ: zone }));
      for (const entry of volume.entries) expect(entry.modified?.getTime(), `${zone} ${flags.join(' ')}`).toBe(stagedTime * 1000);
    }
  });

  it('takes Joliet names, without modes, when there is no Rock Ridge', async () => {
    const volume = readIso9660(await genisoimage(seedFiles(), ['-joliet']));
    expect(volume).toMatchObject({ joliet: true, rockRidge: false });
    expectHolds(volume, seedFiles());
    expect(volume.entries.every((entry) => entry.mode === null)).toBe(true);
  });

  it('takes Rock Ridge names when there is no Joliet', async () => {
    const volume = readIso9660(await genisoimage(seedFiles(), ['-rock']));
    expect(volume).toMatchObject({ joliet: false, rockRidge: true, jolietLabel: null });
    expectHolds(volume, seedFiles());
  });

  it('falls back to the plain ISO 9660 names without ;1 when there is neither', async () => {
    const volume = readIso9660(await genisoimage(seedFiles(), []));
    expect(volume).toMatchObject({ joliet: false, rockRidge: false });
    // genisoimage's level-1 names: 8.3, upper case, `-` made `_`.
    expect(volume.entries.map((entry) => entry.path).sort()).toEqual(['META_DAT', 'NETWORK_', 'USER_DAT']);
    expect(new TextDecoder().decode(volume.readFile('USER_DAT'))).toContain('#cloud-config');
  });

  it('lists subdirectories, parents first, and reads files inside them', async () => {
    const files = [...seedFiles(), textFile('scripts/setup/run.sh', '#!/bin/sh\necho hi\n', 0o755), textFile('scripts/notes', 'n', 0o640)];
    const volume = readIso9660(await genisoimage(files));
    expectHolds(volume, files);
    const paths = volume.entries.map((entry) => entry.path);
    expect(paths.indexOf('scripts')).toBeLessThan(paths.indexOf('scripts/setup'));
    expect(paths.indexOf('scripts/setup')).toBeLessThan(paths.indexOf('scripts/setup/run.sh'));
    expect(volume.entries.find((entry) => entry.path === 'scripts/setup')?.type).toBe('directory');
    expect(modesOf(volume)['scripts/setup/run.sh']).toBe(0o755);
  });

  it('follows CE continuation areas for Rock Ridge names too long for the directory record', async () => {
    // 200 characters of NM do not fit the 255-byte record beside PX and TF, so genisoimage continues the area.
    const longName = `${'a-very-long-seed-file-name-'.repeat(7)}end`.slice(0, 200);
    const files = [textFile(longName, 'long'), textFile('user-data', '#cloud-config\n', 0o600)];
    const volume = readIso9660(await genisoimage(files, ['-rock']));
    expectHolds(volume, files);
  });

  it('reads files that span many blocks, byte for byte', async () => {
    const files = [{ path: 'big', bytes: patternBytes(300_001, 7), mode: 0o644 }, textFile('empty', '')];
    expectHolds(readIso9660(await genisoimage(files)), files);
  });
});

describe.skipIf(missingTools('xorriso').length > 0)('readIso9660 on xorriso images', () => {
  it('reads `xorriso -as mkisofs -V cidata -J -r`, whose -r makes every file r--r--r--', async () => {
    const volume = readIso9660(await xorriso(seedFiles()));
    expect(volume).toMatchObject({ label: 'cidata', joliet: true, rockRidge: true });
    expectHolds(volume, seedFiles());
    expect(new Set(Object.values(modesOf(volume)))).toEqual(new Set([0o444]));
  });
});

describe.skipIf(missingTools('cloud-localds', 'genisoimage').length > 0)('readIso9660 on cloud-localds images', () => {
  it('reads `cloud-localds seed.img user-data meta-data -N network-config`', async () => {
    const volume = readIso9660(await cloudLocalds(seedFiles(), []));
    expect(volume).toMatchObject({ label: 'cidata', joliet: true, rockRidge: true });
    expectHolds(volume, seedFiles());
  });
});

describe('readIso9660 on what is not an ISO 9660 image', () => {
  it('says which sector lacks a volume descriptor', () => {
    const image = new Uint8Array(40 * 2048);
    expect(() => readIso9660(image)).toThrow(/sector 16 holds no volume descriptor/);
    expect(() => readIso9660(image)).toThrow(CloudseedError);
  });
});
