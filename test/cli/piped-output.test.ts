// Output in a pipe: stdout holds one summary line per run (with --verbose, one line per VM before it),
// stderr only warnings and errors, and --quiet prints nothing on success. The summary and the verbose
// lines tell built, kept and removed VMs apart, as the build reports them.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runChild, type CliRun } from './support/run-cloudseed.js';

let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'cloudseed-piped-'));
});

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

const missingDisk = 'base image /var/lib/libvirt/images/base.qcow2 is not on this machine; it must exist on the hypervisor';

/** VMs with one NIC each, addressed from a pool, so that a verbose line has a MAC and an address. */
function poolFleet(vmNames: readonly string[]): string {
  return [
    'fleet: lab',
    'pools:',
    '  lan: { cidr: 10.40.0.0/24, range: 10.40.0.100-10.40.0.199, gateway: 10.40.0.1 }',
    'defaults:',
    '  rootPassword: "Piped-Output-Secret-4471"',
    '  network: { nics: [{ device: eth0, pool: lan }] }',
    // type qemu: with auto, a machine that is itself a VM adds a nested-KVM warning to stderr.
    '  domain: { type: qemu, memory: 1024, rootDisk: { base: /var/lib/libvirt/images/base.qcow2 } }',
    'vms:',
    ...vmNames.map((name) => `  - name: ${name}`),
    '',
  ].join('\n');
}

async function specFile(name: string, vmNames: readonly string[]): Promise<string> {
  const file = path.join(scratch, `${name}.yaml`);
  await writeFile(file, poolFleet(vmNames));
  return file;
}

/** stdout as lines, after checking the run succeeded and its stdout ends its last line. */
function stdoutLines(run: CliRun): string[] {
  expect(run.code, run.stderr).toBe(0);
  expect(run.stdout.endsWith('\n'), JSON.stringify(run.stdout)).toBe(true);
  return run.stdout.slice(0, -1).split('\n');
}

const seconds = String.raw`\d+(\.\d)? s`;

/** `text` matched literally inside a RegExp. */
function literal(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('in a pipe', () => {
  it('build prints one summary line on stdout, and stderr holds the warnings alone', async () => {
    const spec = await specFile('one-line', ['web1', 'web2', 'web3']);
    const out = path.join(scratch, 'one-line');
    const run = await runChild(['build', spec, '-o', out]);
    expect(stdoutLines(run)).toEqual([expect.stringMatching(new RegExp(`^built 3 VMs into ${literal(out)}/ in ${seconds}$`))]);
    expect(run.stderr).toBe(`warning: 3 VMs (web1 … web3): ${missingDisk}\n`);
  });

  it('a rebuild says which VMs were built, kept, and removed from the spec, and whether --prune deleted them', async () => {
    const out = path.join(scratch, 'rebuilt');
    const build = async (vmNames: string[], ...flags: string[]) => stdoutLines(await runChild(['build', await specFile('rebuilt', vmNames), '-o', out, ...flags]));
    expect(await build(['web1', 'web2', 'web3'])).toEqual([expect.stringMatching(new RegExp(`^built 3 VMs into ${literal(out)}/ in ${seconds}$`))]);
    expect(await build(['web1', 'web2', 'web3'])).toEqual([expect.stringMatching(new RegExp(`^built 0 VMs into ${literal(out)}/ and kept 3 unchanged in ${seconds}$`))]);
    expect(await build(['web1', 'web2', 'web3'], '--force')).toEqual([expect.stringMatching(new RegExp(`^built 3 VMs into ${literal(out)}/ in ${seconds}$`))]);
    expect(await build(['web1'])).toEqual([
      expect.stringMatching(new RegExp(`^built 0 VMs into ${literal(out)}/ and kept 1 unchanged in ${seconds}; 2 VMs no longer in the spec \\(web2, web3\\): left in place, --prune deletes them$`)),
    ]);
    expect(await build(['web1'], '--prune')).toEqual([
      expect.stringMatching(new RegExp(`; 2 VMs no longer in the spec \\(web2, web3\\): deleted what cloudseed wrote for them$`)),
    ]);
  });

  it('--verbose puts one line per VM before the summary: its status, MAC and address', async () => {
    const out = path.join(scratch, 'verbose');
    const first = stdoutLines(await runChild(['build', await specFile('verbose', ['web1', 'web2', 'web3']), '-o', out, '--verbose']));
    expect(first).toEqual([
      expect.stringMatching(/^built web1: eth0 52:54:00(:[0-9a-f]{2}){3} 10\.40\.0\.100\/24$/),
      expect.stringMatching(/^built web2: eth0 52:54:00(:[0-9a-f]{2}){3} 10\.40\.0\.101\/24$/),
      expect.stringMatching(/^built web3: eth0 52:54:00(:[0-9a-f]{2}){3} 10\.40\.0\.102\/24$/),
      expect.stringMatching(/^built 3 VMs into /),
    ]);
    const again = stdoutLines(await runChild(['build', await specFile('verbose', ['web1', 'web2']), '-o', out, '--verbose']));
    expect(again).toEqual([
      first[0]!.replace(/^built/, 'kept'),
      first[1]!.replace(/^built/, 'kept'),
      'removed web3: no longer in the spec; left in place, --prune deletes it',
      expect.stringMatching(/^built 0 VMs into .* and kept 2 unchanged in .*; 1 VM no longer in the spec \(web3\): left in place, --prune deletes it$/),
    ]);
  });

  it('validate and render print their summary the same way', async () => {
    const spec = await specFile('check', ['db1', 'db2']);
    const checked = await runChild(['validate', spec]);
    expect(stdoutLines(checked)).toEqual([`ok: 2 VMs in ${spec}, no problems`]);
    expect(checked.stderr).toBe(`warning: 2 VMs (db1, db2): ${missingDisk}\n`);
    const verbose = await runChild(['validate', spec, '--verbose']);
    expect(stdoutLines(verbose)).toEqual([
      expect.stringMatching(/^checked db1: eth0 52:54:00(:[0-9a-f]{2}){3} 10\.40\.0\.100\/24$/),
      expect.stringMatching(/^checked db2: eth0 52:54:00(:[0-9a-f]{2}){3} 10\.40\.0\.101\/24$/),
      `ok: 2 VMs in ${spec}, no problems`,
    ]);
    const out = path.join(scratch, 'rendered');
    const rendered = await runChild(['render', spec, '-o', out]);
    expect(stdoutLines(rendered)).toEqual([expect.stringMatching(new RegExp(`^rendered 2 VMs into ${literal(out)}/ in ${seconds}$`))]);
    expect(rendered.stderr).toBe(checked.stderr);
  });

  it('--quiet prints nothing at all when the run succeeds', async () => {
    const spec = await specFile('quiet', ['web1', 'web2']);
    const out = path.join(scratch, 'quiet');
    for (const argv of [['build', spec, '-o', out], ['build', spec, '-o', out], ['render', spec, '-o', `${out}-render`], ['validate', spec]]) {
      const run = await runChild([...argv, '--quiet']);
      expect({ ...run, argv }).toEqual({ code: 0, stdout: '', stderr: '', argv });
    }
  });
});
