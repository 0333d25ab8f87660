// Root disks in the plan: an overlay per VM over a shared base, or a disk one VM writes alone.
import { describe, expect, it } from 'vitest';
import { CloudseedError } from '../../src/errors.js';
import { planFleet, type FleetPlan, type PlanEnvironment } from '../../src/plan/index.js';
import { parseDiskSize } from '../../src/spec/formats.js';
import { parseSpec } from '../../src/spec/index.js';

const environment: PlanEnvironment = { kvmUsable: false, fileExists: () => true };

function plan(yaml: string): FleetPlan {
  return planFleet(parseSpec(yaml, 'fleet.yaml'), { outputDir: '/srv/out', environment, saltSecret: 'test' });
}

function problems(yaml: string): string[] {
  try {
    plan(yaml);
  } catch (error) {
    if (error instanceof CloudseedError) return [error.message, ...error.problems.map((problem) => `${problem.location.line}: ${problem.message}`)];
    throw error;
  }
  throw new Error('expected the spec to be rejected');
}

describe('rootDisk in the plan', () => {
  it('gives each VM its own overlay in its folder over the base, with the base format and size', () => {
    const fleet = plan(`defaults:\n  domain: { rootDisk: { base: /img/base.img, size: 20G } }\nvms:\n  - name: a\n  - name: b\n`);
    expect(fleet.vms.map((vm) => vm.domain.rootDisk)).toEqual(['a', 'b'].map((name) => ({
      path: `/srv/out/${name}/root.qcow2`,
      format: 'qcow2',
      overlay: { base: '/img/base.img', baseFormat: 'raw', sizeBytes: 20 * 2 ** 30 },
    })));
  });

  it('lets a VM pick a disk of its own over the defaults\' base, and the other way round', () => {
    const fleet = plan(`defaults:\n  domain: { rootDisk: { base: /img/base.qcow2, size: 20G } }\nvms:\n  - name: a\n    domain: { rootDisk: { path: /img/a.qcow2 } }\n  - name: b\n`);
    expect(fleet.vms.map((vm) => [vm.domain.rootDisk.path, vm.domain.rootDisk.overlay?.base ?? null])).toEqual([['/img/a.qcow2', null], ['/srv/out/b/root.qcow2', '/img/base.qcow2']]);
    const back = plan(`defaults:\n  domain: { rootDisk: { path: /img/only.qcow2 } }\nvms:\n  - name: a\n    domain: { rootDisk: { base: /img/base.qcow2 } }\n`);
    expect(back.vms[0]!.domain.rootDisk.overlay?.base).toBe('/img/base.qcow2');
  });

  it('refuses one writable disk named by two VMs, at the second one, naming the first', () => {
    const found = problems(`vms:\n  - name: a\n    domain: { rootDisk: { path: /img/shared.qcow2 } }\n  - name: b\n    domain: { rootDisk: { path: /img/shared.qcow2 } }\n`);
    expect(found).toEqual([expect.any(String), expect.stringMatching(/^5: root disk \/img\/shared.qcow2 is already written by VM a \(line 3\); .*rootDisk.base/)]);
  });

  it('refuses a base image that another VM writes as its own disk', () => {
    const found = problems(`vms:\n  - name: a\n    domain: { rootDisk: { path: /img/base.qcow2 } }\n  - name: b\n    domain: { rootDisk: { base: /img/base.qcow2 } }\n`);
    expect(found.join('\n')).toMatch(/base image \/img\/base.qcow2 is written by VM a .* as its root disk/);
  });

  it('refuses both path and base, a size on a path, and a missing root disk', () => {
    expect(problems(`vms:\n  - name: a\n    domain: { rootDisk: { path: /img/a.qcow2, base: /img/b.qcow2 } }\n`).join('\n')).toMatch(/either rootDisk.path .* or rootDisk.base .*, not both/);
    expect(problems(`vms:\n  - name: a\n    domain: { rootDisk: { path: /img/a.qcow2, size: 10G } }\n`).join('\n')).toMatch(/size applies to an overlay over rootDisk.base/);
    expect(problems(`vms:\n  - name: a\n    domain: { rootDisk: { size: 10G } }\n`).join('\n')).toMatch(/every VM needs domain.rootDisk: `base`/);
  });

  it('reads sizes as qemu-img does (powers of 1024) and refuses what is not one', () => {
    expect([parseDiskSize('20G'), parseDiskSize('512M'), parseDiskSize('1T'), parseDiskSize('20GiB'), parseDiskSize('4096')]).toEqual([20 * 2 ** 30, 512 * 2 ** 20, 2 ** 40, 20 * 2 ** 30, 4096]);
    for (const bad of ['', '0', '-1G', '1.5G', '20X', 'G']) expect(parseDiskSize(bad), bad).toBeNull();
    expect(problems(`vms:\n  - name: a\n    domain: { rootDisk: { base: /img/b.qcow2, size: 20Q } }\n`).join('\n')).toMatch(/"20Q" is not a disk size/);
  });

  it('gives every domain a UUID derived from fleet and VM names: stable, distinct, RFC 9562 version 8', () => {
    const spec = `fleet: one\ndefaults:\n  domain: { rootDisk: { base: /img/b.qcow2 } }\nvms:\n  - name: a\n  - name: b\n`;
    const [a, b] = plan(spec).vms.map((vm) => vm.uuid);
    expect(plan(spec).vms[0]!.uuid).toBe(a);
    expect(a).not.toBe(b);
    expect(plan(spec.replace('fleet: one', 'fleet: two')).vms[0]!.uuid).not.toBe(a);
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
