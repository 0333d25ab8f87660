import { describe, expect, it } from 'vitest';
import { CloudseedError } from '../../src/errors.js';
import { planFleet, type FleetPlan, type PlanEnvironment } from '../../src/plan/index.js';
import { deriveMac } from '../../src/plan/mac-address.js';
import { parseSpec } from '../../src/spec/index.js';

const environment: PlanEnvironment = { kvmUsable: false, fileExists: () => true };

function plan(yaml: string, env: PlanEnvironment = environment): FleetPlan {
  return planFleet(parseSpec(yaml, 'fleet.yaml'), { outputDir: '/srv/out', environment: env, saltSecret: 'test' });
}

function planProblems(yaml: string): string[] {
  try {
    plan(yaml);
  } catch (error) {
    if (error instanceof CloudseedError) return error.problems.map((problem) => problem.message);
    throw error;
  }
  throw new Error('expected the spec to be rejected');
}

const base = `
fleet: f
pools:
  lan: { cidr: 10.0.0.0/29, gateway: 10.0.0.1, dns: { servers: [10.0.0.1] } }
defaults:
  domain: { rootDisk: { base: /img/base.qcow2 }, memory: 1024 }
  network: { nics: [{ device: eth0, pool: lan }] }
`;

describe('planFleet: pools', () => {
  it('hands out pool addresses in VM order, skipping the gateway and pinned addresses', () => {
    const fleet = plan(`${base}vms:
  - name: a
  - name: b
    network: { nics: [{ device: eth0, pool: lan, address: 10.0.0.3 }] }
  - name: c
`);
    const addresses = fleet.vms.map((vm) => vm.network.nics[0]!.addressing);
    expect(addresses.map((a) => (a.kind === 'static' ? `${a.address}/${a.prefix}` : a.kind))).toEqual([
      '10.0.0.2/29',
      '10.0.0.3/29',
      '10.0.0.4/29',
    ]);
    expect(fleet.vms[0]!.network.nics[0]!.gateway).toBe('10.0.0.1');
    expect(fleet.vms[2]!.network.nics[0]!.dnsServers).toEqual(['10.0.0.1']);
  });

  it('says when a pool runs out, naming the VM that got nothing', () => {
    const vms = ['a', 'b', 'c', 'd', 'e', 'f'].map((name) => `  - name: ${name}`).join('\n');
    expect(planProblems(`${base}vms:\n${vms}\n`)).toEqual([expect.stringMatching(/pool lan has no free address left/)]);
  });
});

describe('planFleet: MAC addresses', () => {
  const twoVms = `${base}vms:\n  - name: a\n  - name: b\n`;

  it('derives the same MACs from the same names every time, with the QEMU prefix', () => {
    const first = plan(twoVms).vms.map((vm) => vm.network.nics[0]!.macAddress);
    const second = plan(twoVms).vms.map((vm) => vm.network.nics[0]!.macAddress);
    expect(first).toEqual(second);
    expect(new Set(first).size).toBe(2);
    for (const mac of first) expect(mac).toMatch(/^52:54:00(:[0-9a-f]{2}){3}$/);
  });

  it('gives other MACs to another fleet, and locally administered unicast ones on request', () => {
    const other = plan(twoVms.replace('fleet: f', 'fleet: g')).vms[0]!.network.nics[0]!.macAddress;
    expect(other).not.toBe(plan(twoVms).vms[0]!.network.nics[0]!.macAddress);
    const local = plan(twoVms.replace('fleet: f', 'fleet: f\nmacPrefix: local')).vms[0]!.network.nics[0]!.macAddress;
    const firstOctet = parseInt(local.slice(0, 2), 16);
    expect(firstOctet & 0b11).toBe(0b10);
  });

  it('moves a derived MAC aside when a given MAC already holds it', () => {
    const taken = deriveMac('f/a/eth0', 'qemu', 0);
    const fleet = plan(`${base}vms:
  - name: a
  - name: b
    network: { nics: [{ device: eth0, pool: lan, mac: "${taken.toUpperCase()}" }] }
`);
    expect(fleet.vms[1]!.network.nics[0]!.macAddress).toBe(taken);
    expect(fleet.vms[0]!.network.nics[0]!.macAddress).toBe(deriveMac('f/a/eth0', 'qemu', 1));
  });

  it('moves a derived macvtap MAC aside when another macvtap MAC ends in the same three bytes', () => {
    // qemu.sh names a macvtap device after the last three bytes: 02:00:00:<tail> takes mvt<tail>.
    const tail = deriveMac('f/a/eth0', 'qemu', 0).slice(9);
    const direct = 'host: { type: direct, dev: eth0 }';
    const spec = (hostOfA: string) => `${base}vms:
  - name: a
    network: { nics: [{ device: eth0, pool: lan, ${hostOfA} }] }
  - name: b
    network: { nics: [{ device: eth0, pool: lan, mac: "02:00:00:${tail}", ${direct} }] }
`;
    expect(plan(spec(direct)).vms[0]!.network.nics[0]!.macAddress).toBe(deriveMac('f/a/eth0', 'qemu', 1));
    // Only macvtap NICs share the device namespace; a bridge NIC keeps its first candidate.
    expect(plan(spec('host: { type: bridge, bridge: br0 }')).vms[0]!.network.nics[0]!.macAddress).toBe(deriveMac('f/a/eth0', 'qemu', 0));
  });
});

describe('planFleet: defaults', () => {
  it('merges maps key by key and lets lists replace', () => {
    const fleet = plan(`${base}vms:
  - name: a
    domain: { memory: 4096 }
    network: { nics: [{ device: ens3 }] }
`);
    const vm = fleet.vms[0]!;
    expect(vm.domain.memoryMiB).toBe(4096);
    expect(vm.domain.rootDisk.overlay?.base).toBe('/img/base.qcow2');
    expect(vm.network.nics.map((nic) => [nic.device, nic.addressing.kind])).toEqual([['ens3', 'dhcp']]);
  });

  it('resolves domain type auto from the machine and puts a cdrom seed on the machine’s bus', () => {
    const yaml = `${base}vms:
  - name: a
    domain: { machine: q35, seedAttach: cdrom }
  - name: b
    domain: { seedAttach: cdrom }
  - name: c
`;
    const fleet = plan(yaml, { kvmUsable: true, fileExists: () => true });
    expect(fleet.vms.map((vm) => vm.domain.type)).toEqual(['kvm', 'kvm', 'kvm']);
    expect(fleet.vms.map((vm) => [vm.domain.seedAttach?.bus, vm.domain.seedAttach?.target])).toEqual([
      ['sata', 'sdb'],
      ['ide', 'hdc'],
      ['virtio', 'vdb'],
    ]);
    expect(plan(yaml).vms[0]!.domain.type).toBe('qemu');
  });

  it('points a problem inherited from defaults at the line under defaults', () => {
    try {
      // Line 7 of `base` (it starts with an empty line) is the defaults' network.
      plan(`${base}vms:\n  - name: a\n`.replace('pool: lan', 'pool: wan'));
      throw new Error('expected a problem');
    } catch (error) {
      const problem = (error as CloudseedError).problems[0]!;
      expect(problem.location.field).toBe('defaults.network.nics[0].pool');
      expect(problem.location.line).toBe(7);
    }
  });
});

describe('planFleet: passwords', () => {
  it('hashes plaintext passwords with SHA-512 crypt and never keeps the plaintext', () => {
    const fleet = plan(`${base}vms:
  - name: a
    users: [{ name: ops, password: "s3cret: #'\\"" }]
    rootPassword: hunter2
`);
    const vm = fleet.vms[0]!;
    expect(vm.users[0]!.password).toMatchObject({ kind: 'hash', value: expect.stringMatching(/^\$6\$[./0-9A-Za-z]{16}\$/) });
    expect(vm.chpasswd?.entries[0]).toMatchObject({ name: 'root', password: { kind: 'hash' } });
    expect(JSON.stringify(fleet)).not.toContain('hunter2');
    expect(JSON.stringify(fleet)).not.toContain('s3cret');
  });
});

describe('planFleet: seed attachment', () => {
  it('rejects a vfat seed on a cdrom, which Linux cannot read, and warns about a q35 cdrom', () => {
    expect(planProblems(`${base}vms:\n  - name: a\n    domain: { seedAttach: cdrom }\n    seed: { filesystem: vfat }\n`)).toEqual([
      expect.stringMatching(/vfat seed cannot be read from a cdrom/),
    ]);
    const fleet = plan(`${base}vms:\n  - name: a\n    domain: { seedAttach: cdrom, machine: q35 }\n`);
    expect(fleet.warnings).toEqual([{ vm: 'a', message: expect.stringMatching(/q35 cdrom is on SATA/) }]);
  });
});
