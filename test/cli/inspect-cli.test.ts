// `cloudseed inspect` as a user runs it, on the seeds `cloudseed build` writes: the listing names the
// format, the label and every file with its size, and --print gives a file's exact bytes.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliCommand as cli } from './support/run-cloudseed.js';

let out = '';

beforeAll(async () => {
  out = await mkdtemp(path.join(tmpdir(), 'cloudseed-inspect-cli-'));
  await execa('node', [...cli, 'build', 'seeds/debian12-netplan.yaml', '-o', out, '-q']);
});
afterAll(async () => {
  await rm(out, { recursive: true, force: true });
});

describe('cloudseed inspect', () => {
  it('lists a built vfat-in-qcow2 seed: format, label, files and sizes', async () => {
    const { stdout } = await execa('node', [...cli, 'inspect', path.join(out, 'web1', 'my-seed.img'), '--json']);
    const report = JSON.parse(stdout) as Record<string, unknown>;
    const text = JSON.stringify(report);
    expect(text).toContain('qcow2');
    expect(text).toContain('CIDATA');
    for (const name of ['user-data', 'meta-data', 'network-config']) {
      const size = (await readFile(path.join(out, 'web1', name))).length;
      expect(text).toMatch(new RegExp(`"${name}"[^}]*"size":${size}`));
    }
  });

  it('prints one file byte for byte', async () => {
    const { stdout } = await execa('node', [...cli, 'inspect', path.join(out, 'web1', 'my-seed.img'), '--print', 'network-config'], { stripFinalNewline: false });
    expect(stdout).toBe(await readFile(path.join(out, 'web1', 'network-config'), 'utf8'));
  });

  it('answers a file that is no seed image with exit 2 and its name', async () => {
    const result = await execa('node', [...cli, 'inspect', path.join(out, 'web1', 'domain.xml')], { reject: false });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('domain.xml');
  });
});
