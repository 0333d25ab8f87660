import { describe, expect, it } from 'vitest';
import { pack } from 'tar-stream';
import { CloudseedError } from '../../src/errors.js';
import { readTar } from '../../src/inspect/index.js';
import { writeSeedTar } from '../../src/pack/seed-tar.js';
import type { SeedFile } from '../../src/pack/seed-file.js';
import { missingTools } from '../support/tools.js';
import { cloudLocalds, expectHolds, makeImage, run, seedFiles, stagedTime, textFile } from './support/seed-images.js';

const seedFolder = { 'tar-seed-local': 'var/lib/cloud/seed/nocloud', 'tar-seed-net': 'var/lib/cloud/seed/nocloud-net' } as const;

function under(folder: string, files: readonly SeedFile[]): SeedFile[] {
  return files.map((file) => ({ ...file, path: `${folder}/${file.path}` }));
}

describe.skipIf(missingTools('cloud-localds', 'tar').length > 0)('readTar on cloud-localds -d tar…', () => {
  it('reads `-d tar`: the files at the top, with their modes', async () => {
    const archive = await readTar(await cloudLocalds(seedFiles(), ['-d', 'tar']));
    expect(archive).toMatchObject({ format: 'tar', layout: 'tar', label: null });
    expectHolds(archive, seedFiles());
    expect(archive.entries.find((entry) => entry.path === 'user-data')?.mode).toBe(0o600);
  });

  it.each(['tar-seed-local', 'tar-seed-net'] as const)('reads `-d %s`: the files in NoCloud’s seed folder', async (layout) => {
    const archive = await readTar(await cloudLocalds(seedFiles(), ['-d', layout]));
    expect(archive.layout).toBe(layout);
    expectHolds(archive, under(seedFolder[layout], seedFiles()));
    expect(archive.entries.find((entry) => entry.type === 'directory')?.path).toBe(seedFolder[layout]);
  });
});

describe('readTar on other archives', () => {
  it.each(['tar', 'tar-seed-local', 'tar-seed-net'] as const)('reads cloudseed’s own %s archives', async (layout) => {
    const archive = await readTar(await writeSeedTar(seedFiles(), { layout, timestamp: stagedTime }));
    expect(archive.layout).toBe(layout);
    expectHolds(archive, layout === 'tar' ? seedFiles() : under(seedFolder[layout], seedFiles()));
    expect(archive.entries.every((entry) => entry.modified?.getTime() === stagedTime * 1000)).toBe(true);
  });

  it.skipIf(missingTools('tar').length > 0)('reads a GNU tar pax archive with a name longer than 100 bytes', async () => {
    const files = [textFile(`${'deep/'.repeat(30)}user-data`, '#cloud-config\n', 0o600)];
    const bytes = await makeImage(files, (content, image) => run('tar', ['--format=pax', '-C', content, '-cf', image, '.']));
    const archive = await readTar(bytes);
    expect(archive.layout).toBeNull();
    expectHolds(archive, files);
    // `./` itself is no entry; `./deep/` is `deep`.
    expect(archive.entries[0]?.path).toBe('deep');
  });

  it('rejects bytes that are not a tar archive, or a truncated one, with SPEC_INVALID', async () => {
    const whole = await writeSeedTar(seedFiles(), { layout: 'tar', timestamp: stagedTime });
    const damaged = whole.slice();
    damaged[0] = (damaged[0] ?? 0) ^ 0xff; // the first name byte; the header checksum no longer matches
    await expect(readTar(damaged)).rejects.toThrow(/not a readable tar archive: Invalid tar header/);
    await expect(readTar(whole.subarray(0, 600))).rejects.toThrow(CloudseedError);
  });

  it('lists a name that climbs out of the archive as it is (extraction refuses it)', async () => {
    const archive = pack();
    archive.entry({ name: '../evil', size: 1 }, 'x');
    archive.finalize();
    const chunks: Buffer[] = [];
    for await (const chunk of archive) chunks.push(chunk as Buffer);
    const listing = await readTar(new Uint8Array(Buffer.concat(chunks)));
    expect(listing.entries.map((entry) => entry.path)).toEqual(['../evil']);
  });
});
