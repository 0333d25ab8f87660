// --json: one JSON document on stdout and nothing else there, checked against the files it describes.
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fleetSpec } from '../output/support/output-state.js';
import { runChild } from './support/run-cloudseed.js';

interface VmReport {
  name: string;
  status: string;
  /** Removed VMs only: whether this run deleted their files. */
  pruned?: boolean;
  instanceId?: string;
  nics?: { device: string; mac: string; address: string }[];
  files?: { name: string; bytes: number; sha256: string }[];
  seed?: unknown;
  warnings?: string[];
}

interface Report {
  command: string;
  fleet: string;
  vms: VmReport[];
  warnings: { vm: string; message: string }[];
}

let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'cloudseed-json-'));
});

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

async function runJson(argv: string[]): Promise<{ report: Report; stderr: string }> {
  const run = await runChild([...argv, '--json']);
  expect(run.code, run.stderr).toBe(0);
  // The whole of stdout is the one document.
  return { report: JSON.parse(run.stdout) as Report, stderr: run.stderr };
}

describe('--json', () => {
  it('build: every VM built, each file as it is on disk, warnings per VM; later builds: kept, removed, pruned, forced', async () => {
    const spec = path.join(scratch, 'fleet.yaml');
    const out = path.join(scratch, 'out');
    await writeFile(spec, fleetSpec(['web1', 'web2', 'web3']));
    const { report, stderr } = await runJson(['build', spec, '-o', out]);
    expect(report).toMatchObject({ command: 'build', fleet: 'keep' });
    expect(report.vms.map((vm) => [vm.name, vm.status])).toEqual([['web1', 'built'], ['web2', 'built'], ['web3', 'built']]);
    for (const vm of report.vms) {
      expect(vm.instanceId).toMatch(new RegExp(`^iid-${vm.name}-[0-9a-f]{12}$`));
      expect(vm.warnings).toEqual([expect.stringContaining('is not on this machine')]);
      expect(vm.files?.map((file) => file.name).sort()).toEqual(['domain.xml', 'meta-data', 'my-seed.img', 'network-config', 'qemu.sh', 'user-data']);
      for (const file of vm.files ?? []) {
        const bytes = await readFile(path.join(out, vm.name, file.name));
        expect({ bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') }).toEqual({ bytes: file.bytes, sha256: file.sha256 });
      }
    }
    expect(report.warnings).toHaveLength(3);
    expect(stderr).toContain('warning: 3 VMs (web1 … web3)');
    expect(stderr).not.toContain('Output-Folder-Secret-7310');

    // web1 and web3 did not change: kept. web2 left the spec: removed, its files left until --prune.
    await writeFile(spec, fleetSpec(['web1', 'web3']));
    const again = await runJson(['build', spec, '-o', out]);
    expect(again.report.vms.map((vm) => [vm.name, vm.status, vm.pruned])).toEqual([['web1', 'kept', undefined], ['web3', 'kept', undefined], ['web2', 'removed', false]]);
    expect(again.report.vms[0]).toEqual({ ...report.vms[0], status: 'kept' });
    const pruned = await runJson(['build', spec, '-o', out, '--prune']);
    expect(pruned.report.vms.map((vm) => [vm.name, vm.status, vm.pruned])).toEqual([['web1', 'kept', undefined], ['web3', 'kept', undefined], ['web2', 'removed', true]]);
    const forced = await runJson(['build', spec, '-o', out, '--force']);
    expect(forced.report.vms.map((vm) => [vm.name, vm.status])).toEqual([['web1', 'built'], ['web3', 'built']]);
  });

  it('render and validate: the VMs as they would be, with no seed, and validate with no files', async () => {
    const spec = path.join(scratch, 'check.yaml');
    await writeFile(spec, fleetSpec(['db1']));
    const rendered = await runJson(['render', spec, '-o', path.join(scratch, 'rendered')]);
    // render's statuses are build's: what the run did to the VM's folder; `seed: null` says there is no image.
    expect(rendered.report).toMatchObject({ command: 'render', vms: [{ name: 'db1', status: 'built', seed: null }] });
    const again = await runJson(['render', spec, '-o', path.join(scratch, 'rendered')]);
    expect(again.report.vms).toMatchObject([{ name: 'db1', status: 'kept', seed: null }]);
    const checked = await runJson(['validate', spec]);
    expect(checked.report).toMatchObject({ command: 'validate', vms: [{ name: 'db1', status: 'checked', files: [], seed: null }] });
    expect(checked.report.vms[0]?.instanceId).toBe(rendered.report.vms[0]?.instanceId);
  });
});
