// Warnings for people: on stderr, never on stdout, and one line for one message however many VMs
// share it, naming how many and the first and last of them.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { warningLines } from '../../src/cli/warning-lines.js';
import { fleetSpec } from '../output/support/output-state.js';
import { runInProcess } from './support/run-cloudseed.js';

let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'cloudseed-warnings-'));
});

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

const missingDisk = 'base image /var/lib/libvirt/images/base.qcow2 is not on this machine; it must exist on the hypervisor';

describe('warnings', () => {
  it('of 24 VMs with one root disk missing here are one line on stderr, and stdout holds none', async () => {
    const spec = path.join(scratch, 'runners.yaml');
    const names = Array.from({ length: 24 }, (_, index) => `runner-${String(index + 1).padStart(2, '0')}`);
    await writeFile(spec, fleetSpec(names));
    for (const command of ['validate', 'build']) {
      const run = await runInProcess([command, spec, '-o', path.join(scratch, 'out')]);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr.split('\n').filter((line) => line.startsWith('warning:'))).toEqual([
        `warning: 24 VMs (runner-01 … runner-24): ${missingDisk}`,
      ]);
      expect(run.stdout).not.toContain('warning:');
    }
    const manifest = JSON.parse(await readFile(path.join(scratch, 'out', 'manifest.json'), 'utf8')) as { warnings: unknown[] };
    expect(manifest.warnings).toHaveLength(24);
    expect(manifest.warnings[0]).toEqual({ vm: 'runner-01', message: missingDisk });
  });

  it('name one VM or two outright, keep different messages apart, and escape control characters', () => {
    expect(warningLines([
      { vm: 'a', message: 'one' },
      { vm: 'b', message: 'two' },
      { vm: 'c', message: 'two' },
      { vm: 'd', message: 'path /tmp/\u001b[2Jx is odd' },
    ])).toEqual([
      'warning: a: one',
      'warning: 2 VMs (b, c): two',
      'warning: d: path /tmp/\\x1b[2Jx is odd',
    ]);
  });

  it('are not printed with --quiet', async () => {
    const spec = path.join(scratch, 'quiet.yaml');
    await writeFile(spec, fleetSpec(['web1']));
    const run = await runInProcess(['validate', spec, '-q']);
    expect(run).toMatchObject({ code: 0, stdout: '', stderr: '' });
  });
});
