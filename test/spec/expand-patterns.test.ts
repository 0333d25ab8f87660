// What a spec with name patterns loads as: one VM per number in order among the other entries, each
// override merged over its VM the way a VM merges over `defaults`, and the pattern's values shared by
// its VMs rather than copied, which is what keeps a 10,000-VM fleet small.
import { describe, expect, it } from 'vitest';
import { planFleet } from '../../src/plan/index.js';
import { parseSpec } from '../../src/spec/index.js';

const rootDisk = 'domain: { rootDisk: { base: /img/base.qcow2 } }';

function load(vms: string, head = `defaults: { ${rootDisk} }\n`) {
  return parseSpec(`fleet: patterns\n${head}vms:\n${vms}`, 'fleet.yaml');
}

describe('expansion', () => {
  it('gives one VM per number, in order, in the place of its entry', () => {
    const spec = load(`
  - name: lb
  - name: web-{08..11}
  - name: db-{1..2}
  - name: backup
`);
    expect(spec.input.vms.map((vm) => vm.name)).toEqual(['lb', 'web-08', 'web-09', 'web-10', 'web-11', 'db-1', 'db-2', 'backup']);
  });

  it('copies the entry into each VM, with its own name and no overrides field', () => {
    const spec = load(`
  - name: web-{1..2}
    packages: [nginx]
    domain: { memory: 1024 }
`);
    expect(spec.input.vms).toEqual([
      { name: 'web-1', packages: ['nginx'], domain: { memory: 1024 } },
      { name: 'web-2', packages: ['nginx'], domain: { memory: 1024 } },
    ]);
  });

  it('shares the entry’s values between its VMs instead of copying them', () => {
    const spec = load(`
  - name: web-{1..3}
    packages: [nginx]
    domain: { memory: 1024, vcpus: 2 }
    network: { nics: [{ device: eth0 }] }
    overrides:
      web-2: { domain: { memory: 4096 } }
`);
    const [first, second, third] = spec.input.vms;
    expect(first!.packages).toBe(third!.packages);
    expect(first!.domain).toBe(third!.domain);
    expect(first!.network).toBe(third!.network);
    // The override's VM gets a new `domain` (the merged one), and shares what the override leaves alone.
    expect(second!.domain).not.toBe(first!.domain);
    expect(second!.network).toBe(first!.network);
    expect(second!.packages).toBe(first!.packages);
  });

  it('merges an override as a VM merges over defaults: maps key by key, lists and values replace', () => {
    const spec = load(`
  - name: web-{01..03}
    packages: [nginx, curl]
    domain: { memory: 1024, vcpus: 2 }
    ssh: { passwordAuthentication: false }
    overrides:
      web-02:
        packages: [haproxy]
        domain: { memory: 8192 }
        hostname: edge
`);
    expect(spec.input.vms[1]).toEqual({
      name: 'web-02',
      hostname: 'edge',
      packages: ['haproxy'],
      domain: { memory: 8192, vcpus: 2 },
      ssh: { passwordAuthentication: false },
    });
    expect(spec.input.vms[0]).toEqual({ name: 'web-01', packages: ['nginx', 'curl'], domain: { memory: 1024, vcpus: 2 }, ssh: { passwordAuthentication: false } });
  });

  it('plans each VM with defaults under the entry and the override over it', () => {
    const spec = load(`
  - name: web-{1..2}
    domain: { vcpus: 2 }
    overrides:
      web-2: { domain: { memory: 8192 } }
`, `defaults: { domain: { memory: 512, vcpus: 1, rootDisk: { base: /img/base.qcow2 } } }\n`);
    const plan = planFleet(spec, { outputDir: '/srv/out', environment: { kvmUsable: false, fileExists: () => true }, saltSecret: 'test' });
    expect(plan.vms.map((vm) => [vm.name, vm.domain.memoryMiB, vm.domain.vcpus])).toEqual([['web-1', 512, 2], ['web-2', 8192, 2]]);
  });

  it('plans a pattern exactly as the same VMs written out one by one', () => {
    const options = { outputDir: '/srv/out', environment: { kvmUsable: false, fileExists: () => true }, saltSecret: 'test' };
    const head = `pools: { lan: { cidr: 10.0.0.0/24, gateway: 10.0.0.1 } }\ndefaults: { ${rootDisk}, network: { nics: [{ pool: lan }] } }\n`;
    const pattern = load('  - name: db\n  - name: web-{1..3}\n    overrides: { web-2: { domain: { vcpus: 4 } } }\n', head);
    const written = load('  - name: db\n  - name: web-1\n  - name: web-2\n    domain: { vcpus: 4 }\n  - name: web-3\n', head);
    expect(planFleet(pattern, options).vms).toEqual(planFleet(written, options).vms);
  });

  it('makes 10,000 VMs from a dozen lines, all sharing the entry’s values', () => {
    const spec = load(`
  - name: web-{00001..10000}
    domain: { memory: 1024 }
    network: { nics: [{ device: eth0 }] }
    overrides:
      web-00042: { domain: { memory: 4096 } }
`);
    const { vms } = spec.input;
    expect(vms).toHaveLength(10_000);
    expect([vms[0]!.name, vms[9_999]!.name]).toEqual(['web-00001', 'web-10000']);
    expect(new Set(vms.map((vm) => vm.network)).size).toBe(1);
    expect(new Set(vms.map((vm) => vm.domain)).size).toBe(2);
    expect(vms[41]!.domain).toEqual({ memory: 4096 });
  });
});
