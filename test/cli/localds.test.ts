// `cloudseed localds` against cloud-localds itself: the same flags on the same inputs must give images
// with the same label and the same files, byte for byte, as read by isoinfo, mtools and tar.
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/run-cli.js';
import { missingTools } from '../support/tools.js';
import { isoVolumeId, vfatLabel } from '../pack/support/image-readers.js';

const toolEnv = { PATH: `${process.env.PATH ?? ''}:/usr/sbin:/sbin` };
let work = '';

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'cloudseed-localds-'));
  await writeFile(path.join(work, 'user-data'), '#cloud-config\npassword: "p: #\'\\"\\\\"\nchpasswd: { expire: false }\n');
  await writeFile(path.join(work, 'meta-data'), 'instance-id: iid-given\nlocal-hostname: given\n');
  await writeFile(path.join(work, 'network-config'), 'version: 2\nethernets:\n  eth0: { dhcp4: true }\n');
  await writeFile(path.join(work, 'vendor-data'), '#cloud-config\nruncmd: [true]\n');
  await writeFile(path.join(work, 'interfaces'), 'auto eth0\niface eth0 inet dhcp\n');
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** The files in an image, by name, read with the real tools; qcow2 is converted back to raw first. */
async function readImage(image: string, kind: 'iso' | 'vfat' | 'tar'): Promise<{ label: string | undefined; files: Map<string, string> }> {
  const out = await mkdtemp(path.join(work, 'read-'));
  const files = new Map<string, string>();
  if (kind === 'tar') {
    await execa('tar', ['-xf', image, '-C', out]);
    const walk = async (dir: string): Promise<void> => {
      for (const entry of await readdir(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) await walk(full);
        else files.set(path.relative(out, full), await readFile(full, 'latin1'));
      }
    };
    await walk(out);
    return { label: undefined, files };
  }
  if (kind === 'vfat') {
    await execa('mcopy', ['-n', '-i', image, '::/*', `${out}/`], { env: toolEnv });
    for (const name of await readdir(out)) files.set(name, await readFile(path.join(out, name), 'latin1'));
    return { label: (await vfatLabel(image))?.toLowerCase(), files };
  }
  const listing = (await execa('isoinfo', ['-J', '-f', '-i', image])).stdout.split('\n').filter(Boolean);
  for (const name of listing) {
    files.set(name.replace(/^\//, ''), (await execa('isoinfo', ['-J', '-x', name, '-i', image], { encoding: 'latin1' })).stdout);
  }
  return { label: await isoVolumeId(image), files };
}

async function raw(image: string, diskFormat: string): Promise<string> {
  if (diskFormat !== 'qcow2') return image;
  await execa('qemu-img', ['convert', '-f', 'qcow2', '-O', 'raw', image, `${image}.raw`]);
  return `${image}.raw`;
}

const cases: { name: string; flags: string[]; metaData: boolean; kind: 'iso' | 'vfat' | 'tar'; diskFormat: string }[] = [
  { name: 'defaults', flags: [], metaData: false, kind: 'iso', diskFormat: 'raw' },
  { name: 'hostname and dsmode', flags: ['-H', 'vm3', '-m', 'local'], metaData: false, kind: 'iso', diskFormat: 'raw' },
  { name: 'interfaces', flags: ['--interfaces', 'interfaces'], metaData: false, kind: 'iso', diskFormat: 'raw' },
  { name: 'meta-data, network-config, vendor-data', flags: ['-N', 'network-config', '-V', 'vendor-data'], metaData: true, kind: 'iso', diskFormat: 'raw' },
  { name: 'vfat', flags: ['-f', 'vfat', '-N', 'network-config'], metaData: true, kind: 'vfat', diskFormat: 'raw' },
  { name: 'qcow2', flags: ['-d', 'qcow2'], metaData: true, kind: 'iso', diskFormat: 'qcow2' },
  { name: 'tar', flags: ['-d', 'tar', '-N', 'network-config'], metaData: true, kind: 'tar', diskFormat: 'tar' },
  { name: 'tar-seed-local', flags: ['-d', 'tar-seed-local'], metaData: true, kind: 'tar', diskFormat: 'tar-seed-local' },
  { name: 'tar-seed-net', flags: ['--disk-format', 'tar-seed-net', '-H', 'h1'], metaData: false, kind: 'tar', diskFormat: 'tar-seed-net' },
];

describe.skipIf(missingTools('cloud-localds', 'genisoimage', 'isoinfo', 'mcopy', 'qemu-img', 'tar').length > 0)('cloudseed localds as a drop-in for cloud-localds', () => {
  it.each(cases)('$name: the same label and files as cloud-localds', async ({ name, flags, metaData, kind, diskFormat }) => {
    const dir = path.join(work, `case-${name.replace(/\W+/g, '-')}`);
    await mkdir(dir);
    const inputs = ['user-data', ...(metaData ? ['meta-data'] : [])].map((file) => path.join(work, file));
    const absoluteFlags = flags.map((flag) => (['network-config', 'vendor-data', 'interfaces'].includes(flag) ? path.join(work, flag) : flag));
    await execa('cloud-localds', [...absoluteFlags, path.join(dir, 'theirs.img'), ...inputs], { env: toolEnv });
    expect(await main(['localds', ...absoluteFlags, path.join(dir, 'ours.img'), ...inputs])).toBe(0);
    const theirs = await readImage(await raw(path.join(dir, 'theirs.img'), diskFormat), kind);
    const ours = await readImage(await raw(path.join(dir, 'ours.img'), diskFormat), kind);
    expect(ours.label).toBe(theirs.label);
    expect([...ours.files.keys()].sort()).toEqual([...theirs.files.keys()].sort());
    for (const [file, bytes] of theirs.files) expect(ours.files.get(file), file).toBe(bytes);
    expect(ours.files.size).toBeGreaterThanOrEqual(2);
  });

  it('refuses a meta-data file together with --hostname, as cloud-localds does', async () => {
    const code = await main(['localds', '-H', 'x', path.join(work, 'no.img'), path.join(work, 'user-data'), path.join(work, 'meta-data')]);
    expect(code).toBe(2);
    await expect(readFile(path.join(work, 'no.img'))).rejects.toThrow();
  });
});
