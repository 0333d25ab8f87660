// The spec's `host:` section: the schema's messages and the planner's checks, each at its line, and the
// plan host/ and qemu.sh work from (names, mark, what each VM rests on). No root needed.
import { describe, expect, it } from 'vitest';
import { hostLinkMark, shimName } from '../../src/plan/plan-host-network.js';
import { errorThrownBy } from '../support/cloudseed-errors.js';
import { planHostFleet } from './support/plan-host-fleet.js';

const vms = `defaults:
  domain: { rootDisk: { base: /img/base.qcow2 } }
vms:
  - name: runner-1
    network:
      nics:
        - { device: eth0, address: 10.40.0.10/24, host: { type: bridge, bridge: br-ci } }
        - { device: eth1, address: 192.168.1.10/24, host: { type: direct, dev: eth0 } }
  - name: runner-2
    network:
      nics:
        - { device: eth0, host: { type: network, network: ci-lan } }
`;

/** Every problem as `line field: message`. */
function problemsOf(yaml: string): string[] {
  return errorThrownBy(() => planHostFleet(yaml)).problems.map((problem) => `${problem.location.line} ${problem.location.field}: ${problem.message}`);
}

describe('host: in the spec', () => {
  it('plans bridges, shims and libvirt networks, and what each VM rests on', () => {
    const plan = planHostFleet(`fleet: ci
host:
  bridges:
    - { name: br-ci, address: 10.40.0.1/24 }
    - { name: br-unused }
  networks:
    - { name: ci-lan, address: 10.50.0.1/24, dhcp: 10.50.0.100-10.50.0.199 }
    - { name: ci-nat, forward: nat, address: 10.60.0.1/24 }
  shims:
    - { dev: eth0, address: 192.168.1.250/24 }
${vms}`);
    expect(plan.host).toMatchObject({
      fleet: 'ci',
      linkMark: 'cloudseed fleet=ci',
      bridges: [{ name: 'br-ci', address: '10.40.0.1/24', location: { line: 4 } }, { name: 'br-unused', address: null }],
      shims: [{ name: shimName('eth0'), dev: 'eth0', address: '192.168.1.250/24', location: { line: 10 } }],
      networks: [
        { name: 'ci-lan', forward: 'none', address: { address: '10.50.0.1', prefix: 24 }, dhcp: { start: '10.50.0.100', end: '10.50.0.199' } },
        { name: 'ci-nat', forward: 'nat', address: { address: '10.60.0.1', prefix: 24 }, dhcp: null },
      ],
      warnings: [],
    });
    expect(plan.host.needs.map(({ kind, name, users }) => [kind, name, users.map((user) => `${user.vm} ${user.device} line ${user.location.line}`)])).toEqual([
      ['bridge', 'br-ci', ['runner-1 eth0 line 17']],
      ['lower-device', 'eth0', ['runner-1 eth1 line 18']],
      ['libvirt-network', 'ci-lan', ['runner-2 eth0 line 22']],
    ]);
    expect(plan.vms[0]!.hostNetwork).toEqual({
      linkMark: 'cloudseed fleet=ci',
      bridges: [{ name: 'br-ci', address: '10.40.0.1/24' }],
      shims: [{ name: shimName('eth0'), dev: 'eth0', address: '192.168.1.250/24' }],
    });
    expect(plan.vms[1]!.hostNetwork).toEqual({ linkMark: 'cloudseed fleet=ci', bridges: [], shims: [] });
  });

  it('names shims within IFNAMSIZ, the same for the same device, and marks links with the fleet', () => {
    for (const dev of ['eth0', 'enp0s31f6', 'a-15-char-name0']) {
      expect(shimName(dev)).toMatch(/^csshim-[0-9a-f]{8}$/);
      expect(shimName(dev)).toBe(shimName(dev));
    }
    expect(shimName('eth0')).not.toBe(shimName('eth1'));
    expect(hostLinkMark('ci')).toBe('cloudseed fleet=ci');
    // IFALIASZ: a mark longer than 255 bytes, or one with a line break, is a hash of the name.
    expect(hostLinkMark('x'.repeat(300))).toMatch(/^cloudseed fleet-sha256=[0-9a-f]{64}$/);
    expect(hostLinkMark('a\nb')).toMatch(/^cloudseed fleet-sha256=/);
  });

  it('warns about a shim on a device no macvtap NIC uses', () => {
    const plan = planHostFleet(`fleet: ci
host:
  bridges: [{ name: br-ci }]
  networks: [{ name: ci-lan }]
  shims:
    - { dev: eth0 }
    - { dev: eth7 }
${vms}`);
    expect(plan.host.warnings).toEqual([
      { location: expect.objectContaining({ line: 7, field: 'host.shims[1].dev' }), message: `no NIC is a macvtap (host.type direct) on eth7; the shim ${shimName('eth7')} on it reaches no guest` },
    ]);
  });

  it('refuses wrong values with the schema, each at its line', () => {
    expect(problemsOf(`fleet: ci
host:
  bridges:
    - { name: "br ci", address: 10.40.0.1 }
  networks:
    - { name: ci/lan, forward: route, dhcp: 10.50.0.199-10.50.0.100 }
  shims:
    - { device: eth0 }
  routes: []
${vms}`)).toEqual([
      '4 host.bridges[0].name: "br ci" is not a Linux interface name: expected 1-15 of A-Z a-z 0-9 _ . - (not "." or "..")',
      '4 host.bridges[0].address: "10.40.0.1" is not an IPv4 address with its prefix length such as 10.40.0.1/24',
      '6 host.networks[0].name: "ci/lan" is not a libvirt network name: expected letters, digits, _ . : - such as default',
      '6 host.networks[0].forward: Invalid option: expected one of "none"|"nat"',
      '6 host.networks[0].dhcp: "10.50.0.199-10.50.0.100" is not a range such as 10.0.0.10-10.0.0.200',
      '8 host.shims[0].dev: shims[0].dev is required: expected a string',
      '8 host.shims[0].device: unknown field "device"',
      '9 host.routes: unknown field "routes"',
    ]);
  });

  it('refuses duplicates, two shims on one device, the default network and DHCP ranges outside their network', () => {
    expect(problemsOf(`fleet: ci
host:
  bridges:
    - { name: br-ci, address: 10.40.0.1/24 }
    - { name: br-ci }
    - { name: br-net, address: 10.70.0.0/24 }
  networks:
    - { name: default }
    - { name: ci-lan, address: 10.50.0.1/24, dhcp: 10.50.1.10-10.50.1.20 }
    - { name: ci-lan, address: 10.51.0.1/24, dhcp: 10.51.0.1-10.51.0.20 }
    - { name: ci-nat, forward: nat }
    - { name: no-ip, dhcp: 10.52.0.10-10.52.0.20 }
    - { name: edge, address: 10.51.0.1/24, dhcp: 10.51.0.0-10.51.0.20 }
    - { name: inside, address: 10.40.0.129/25 }
  shims:
    - { dev: eth0, address: 192.168.1.250/24 }
    - { dev: eth0, address: 192.168.1.255/24 }
${vms}`)).toEqual([
      '5 host.bridges[1].name: bridge br-ci is already in the list at line 4',
      '6 host.bridges[2].address: 10.70.0.0/24 is the network or broadcast address of 10.70.0.0/24; expected a host address in 10.70.0.1-10.70.0.254',
      '8 host.networks[0].name: the libvirt network default is never touched by cloudseed: give this network another name, or leave it out and let NICs use default as it is',
      '9 host.networks[1].dhcp: range 10.50.1.10-10.50.1.20 is outside the network\'s subnet 10.50.0.0/24',
      '10 host.networks[2].name: network ci-lan is already in the list at line 9',
      '10 host.networks[2].dhcp: range 10.51.0.1-10.51.0.20 includes the host\'s own address 10.51.0.1; a guest would be handed it',
      '11 host.networks[3].forward: a NAT network needs the host\'s address on it: add address, such as 10.40.0.1/24',
      '12 host.networks[4].dhcp: a DHCP range needs the network\'s own address: add address, such as 10.40.0.1/24',
      '13 host.networks[5].address: 10.51.0.1/24 overlaps network ci-lan\'s subnet 10.51.0.0/24 (line 10); expected one subnet per host link',
      '13 host.networks[5].dhcp: range 10.51.0.0-10.51.0.20 includes the network or broadcast address of 10.51.0.0/24; expected a range within 10.51.0.1-10.51.0.254',
      '14 host.networks[6].address: 10.40.0.129/25 overlaps bridge br-ci\'s subnet 10.40.0.0/24 (line 4); expected one subnet per host link',
      '17 host.shims[1].dev: a shim on eth0 is already in the list at line 16; one shim per device reaches every macvtap guest on it',
      '17 host.shims[1].address: 192.168.1.255/24 is the network or broadcast address of 192.168.1.0/24; expected a host address in 192.168.1.1-192.168.1.254',
    ]);
  });
});
