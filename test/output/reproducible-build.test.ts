// SOURCE_DATE_EPOCH makes builds byte-identical for every packer whose tool allows it: two builds of
// the same spec, in different folders and at different times, give the same seed bytes.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFleet } from '../../src/output/index.js';
import { missingTools } from '../support/tools.js';

let work = '';
beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'cloudseed-repro-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

const environment = { kvmUsable: false, fileExists: () => true };

async function buildSeed(seed: string, run: string, sourceDateEpoch: number, buildTime: number): Promise<Buffer> {
  const spec = path.join(work, `${run}.yaml`);
  await writeFile(spec, `fleet: repro
vms:
  - name: vm1
    rootPassword: "same every time"
    writeFiles: [{ path: /etc/motd, content: "hello\\n" }]
    network: { nics: [{ address: 10.9.0.5/24, gateway: 10.9.0.1 }] }
    domain: { rootDisk: { base: /images/base.qcow2 } }
    seed: ${seed}
`);
  // The seed path inside the domain differs between the two folders; the seed image must not.
  const outputDir = path.join(work, run);
  await buildFleet(spec, { outputDir, sourceDateEpoch, buildTime, environment });
  const manifest = JSON.parse(await readFile(path.join(outputDir, 'manifest.json'), 'utf8')) as { vms: { seed: { file: string } }[] };
  return readFile(path.join(outputDir, 'vm1', manifest.vms[0]!.seed.file));
}

const reproducible = [
  { name: 'native iso9660', seed: '{ packer: native, filesystem: iso9660 }', tools: [] },
  { name: 'native vfat', seed: '{ packer: native, filesystem: vfat }', tools: [] },
  { name: 'native iso9660 as qcow2', seed: '{ packer: native, format: qcow2 }', tools: ['qemu-img'] },
  { name: 'xorriso', seed: '{ packer: xorriso }', tools: ['xorriso'] },
  { name: 'mtools', seed: '{ packer: mtools, filesystem: vfat }', tools: ['mkfs.vfat', 'mcopy'] },
  { name: 'tar-seed-local', seed: '{ format: tar-seed-local }', tools: [] },
];

describe('builds with SOURCE_DATE_EPOCH are byte-identical', () => {
  for (const { name, seed, tools } of reproducible) {
    it.skipIf(missingTools(...tools).length > 0)(name, async () => {
      const slug = name.replace(/\W+/g, '-');
      const first = await buildSeed(seed, `${slug}-a`, 1_700_000_000, 1_800_000_000);
      const second = await buildSeed(seed, `${slug}-b`, 1_700_000_000, 1_900_000_000);
      expect(first.length).toBeGreaterThan(0);
      expect(first.equals(second)).toBe(true);
    });
  }

  it('without it, native images carry the build time, so they differ between builds', async () => {
    const seed = '{ packer: native }';
    const spec = path.join(work, 'no-epoch.yaml');
    const build = async (run: string, buildTime: number) => {
      await writeFile(spec, `vms:\n  - name: vm1\n    domain: { rootDisk: { base: /images/base.qcow2 } }\n    seed: ${seed}\n`);
      await buildFleet(spec, { outputDir: path.join(work, run), sourceDateEpoch: null, buildTime, environment });
      return readFile(path.join(work, run, 'vm1', 'my-seed.img'));
    };
    const savedEpoch = process.env.SOURCE_DATE_EPOCH;
    delete process.env.SOURCE_DATE_EPOCH;
    try {
      const first = await build('t1', 1_800_000_000);
      const second = await build('t2', 1_800_000_100);
      expect(first.equals(second)).toBe(false);
      expect(first.length).toBe(second.length);
    } finally {
      if (savedEpoch !== undefined) process.env.SOURCE_DATE_EPOCH = savedEpoch;
    }
  });
});
