// domain.type and seed.packer as planned. auto is kvm when /dev/kvm opens; on a machine that is itself
// a VM, where nested KVM can open and still hang a guest, that choice is warned of; an explicit type is
// taken as it is. A packer that cannot write the filesystem is refused with the ones that can.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { validateSpec } from '../../src/output/build-fleet.js';
import { detectEnvironment } from '../../src/plan/environment.js';
import type { PlanEnvironment } from '../../src/plan/vm-context.js';
import { errorRejectedBy } from '../support/cloudseed-errors.js';

const workspace = mkdtempSync(path.join(tmpdir(), 'cloudseed-domain-type-'));
afterAll(() => rmSync(workspace, { recursive: true, force: true }));

async function planned(type: string | undefined, environment: PlanEnvironment): Promise<{ type: string; warnings: string[] }> {
  const file = path.join(workspace, `spec-${type}.yaml`);
  const domain = { rootDisk: { base: '/img/a.qcow2' }, ...(type ? { type } : {}) };
  writeFileSync(file, JSON.stringify({ fleet: 'types', vms: [{ name: 'vm1', domain }] }));
  const { plan } = await validateSpec(file, { outputDir: path.join(workspace, 'out'), environment, saltSecret: 'test' });
  return { type: plan.vms[0]!.domain.type, warnings: plan.warnings.map((warning) => warning.message) };
}

const here = { fileExists: () => true };
const nestedWarning = expect.stringMatching(/^domain\.type auto chose kvm because \/dev\/kvm opens, which is all cloudseed checks; this machine is itself a virtual machine/);

describe('domain.type', () => {
  it('auto is kvm where /dev/kvm opens, and qemu where it does not', async () => {
    expect(await planned(undefined, { ...here, kvmUsable: true, insideVirtualMachine: false })).toEqual({ type: 'kvm', warnings: [] });
    expect(await planned('auto', { ...here, kvmUsable: false, insideVirtualMachine: true })).toEqual({ type: 'qemu', warnings: [] });
  });

  it('auto choosing kvm inside a virtual machine says it only checked the device', async () => {
    expect(await planned('auto', { ...here, kvmUsable: true, insideVirtualMachine: true })).toEqual({ type: 'kvm', warnings: [nestedWarning] });
  });

  it('an explicit type is not second-guessed', async () => {
    expect(await planned('kvm', { ...here, kvmUsable: true, insideVirtualMachine: true })).toEqual({ type: 'kvm', warnings: [] });
    expect(await planned('qemu', { ...here, kvmUsable: true, insideVirtualMachine: true })).toEqual({ type: 'qemu', warnings: [] });
  });

  it('reads whether this machine is a VM from the CPU flags', () => {
    const flags = /^flags\s*:.*\bhypervisor\b/m.test(readCpuinfo());
    expect(detectEnvironment().insideVirtualMachine).toBe(flags);
  });
});

function readCpuinfo(): string {
  try {
    return readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    return '';
  }
}

describe('seed.packer against seed.filesystem', () => {
  async function problems(seed: object): Promise<string[]> {
    const file = path.join(workspace, `packer-${JSON.stringify(seed).replace(/\W/g, '')}.json`);
    writeFileSync(file, JSON.stringify({ fleet: 'types', vms: [{ name: 'vm1', seed, domain: { rootDisk: { base: '/img/a.qcow2' } } }] }));
    const error = await errorRejectedBy(validateSpec(file, { outputDir: path.join(workspace, 'out'), environment: { kvmUsable: false, fileExists: () => true }, saltSecret: 'test' }));
    return error.problems.map((problem) => problem.message);
  }

  it('names every packer that can write the filesystem, native first', async () => {
    expect(await problems({ filesystem: 'vfat', packer: 'genisoimage' })).toEqual(['packer genisoimage writes iso9660 only; for vfat use native, mtools, cloud-localds or auto']);
    expect(await problems({ filesystem: 'iso9660', packer: 'mtools' })).toEqual(['packer mtools writes vfat only; for iso9660 use native, genisoimage, xorriso, mkisofs, cloud-localds or auto']);
  });
});
