// The fleet's libvirt networks on a real libvirtd (qemu:///system, started here when none answers):
// isolated networks only, so nothing is routed off this machine, under names no one else uses, and all
// of them undefined again at the end. `default` is read before and after and must not have changed.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyHostNetwork, checkHostNetwork, removeHostNetwork, renderLibvirtNetworkXml } from '../../src/host/index.js';
import type { FleetPlan } from '../../src/plan/index.js';
import { ensureLibvirtd, libvirtUri, virsh, type Libvirtd } from '../guest/support/libvirt-guest.js';
import { errorRejectedBy } from '../support/cloudseed-errors.js';
import { describeRun, runCommand } from '../support/run-command.js';
import { inCI, missingTools } from '../support/tools.js';
import { planHostFleet } from './support/plan-host-fleet.js';

function blockedReason(): string | null {
  // dnsmasq: libvirt runs it for every network with an address (DNS, and DHCP when asked).
  const missing = missingTools('virsh', 'virt-xml-validate', 'libvirtd', 'virtlogd', 'dnsmasq', 'ip');
  if (missing.length > 0) return `missing tools: ${missing.join(', ')}`;
  if (process.getuid?.() === 0) return null;
  if (inCI) throw new Error('CI=true and the libvirt network tests need root (qemu:///system)');
  console.warn('skipping: the libvirt network tests need root (qemu:///system)');
  return 'not root';
}

/** A /24 in 10.200-249.x.x that no route of this machine covers yet. */
async function freeSubnet(taken: Set<string>): Promise<string> {
  const routes = JSON.parse((await execa('ip', ['-j', 'route', 'show', 'table', 'all'])).stdout) as { dst?: string }[];
  const used = new Set(routes.map((route) => route.dst?.split('.').slice(0, 3).join('.')));
  for (;;) {
    const prefix = `10.${200 + randomBytes(1)[0]! % 50}.${randomBytes(1)[0]}`;
    if (!used.has(prefix) && !taken.has(prefix)) {
      taken.add(prefix);
      return prefix;
    }
  }
}

const blocked = blockedReason();

describe.skipIf(blocked !== null)('libvirt networks on a real libvirtd', () => {
  const tag = randomBytes(3).toString('hex');
  const names = { lan: `cs-test-${tag}-lan`, bare: `cs-test-${tag}-bare`, theirs: `cs-test-${tag}-theirs` };
  const options = { connect: libvirtUri };
  let daemon: Libvirtd;
  let folder: string;
  let plan: FleetPlan;
  let subnets: { lan: string; theirs: string };
  let defaultBefore: string;

  const fleetYaml = (fleet: string, lanDhcp = 'dhcp: SUBNET.100-SUBNET.199') => `fleet: ${fleet}
host:
  networks:
    - { name: ${names.lan}, address: ${subnets.lan}.1/24, ${lanDhcp.replace(/SUBNET/g, subnets.lan)} }
    - { name: ${names.bare} }
    - { name: ${names.theirs}, address: ${subnets.theirs}.1/24 }
defaults:
  domain: { rootDisk: { base: /img/base.qcow2 } }
vms:
  - name: vm-a
    network:
      nics:
        - { device: eth0, host: { type: network, network: ${names.lan} } }
`;

  const defaultNetwork = async () => `${await virsh('net-dumpxml', '--inactive', 'default')}\n${await virsh('net-info', 'default')}`;
  const info = async (name: string) => virsh('net-info', '--network', name);

  beforeAll(async () => {
    daemon = await ensureLibvirtd();
    folder = await mkdtemp(path.join(tmpdir(), 'cloudseed-libvirt-net-'));
    const taken = new Set<string>();
    subnets = { lan: await freeSubnet(taken), theirs: await freeSubnet(taken) };
    plan = planHostFleet(fleetYaml(`cs-test-${tag}`));
    defaultBefore = await defaultNetwork();
    // A network of the same name as one in host.networks that cloudseed did not define, not started.
    const theirs = path.join(folder, 'theirs.xml');
    await writeFile(theirs, `<network><name>${names.theirs}</name><ip address='${subnets.theirs}.1' prefix='24'/></network>`);
    await virsh('net-define', theirs);
  }, 120_000);

  afterAll(async () => {
    for (const name of Object.values(names)) {
      await virsh('net-destroy', '--network', name).catch(() => undefined);
      await virsh('net-undefine', '--network', name).catch(() => undefined);
    }
    expect(await defaultNetwork()).toBe(defaultBefore);
    await rm(folder, { recursive: true, force: true });
    await daemon?.stop();
  }, 120_000);

  it("renders XML that passes libvirt's schema, isolated without any <forward>", async () => {
    const nat = planHostFleet(fleetYaml('x').replace(`{ name: ${names.bare} }`, `{ name: ${names.bare}, forward: nat, address: 10.1.2.1/24 }`)).host.networks;
    for (const network of [...plan.host.networks, ...nat]) {
      const xml = renderLibvirtNetworkXml(network, plan.host.fleet);
      const file = path.join(folder, `${network.name}-${network.forward}.xml`);
      await writeFile(file, xml);
      const result = await runCommand('virt-xml-validate', [file, 'network']);
      expect(result.exitCode, describeRun(result)).toBe(0);
      if (network.forward === 'none') expect(xml).not.toContain('<forward');
      else expect(xml).toContain("<forward mode='nat'/>");
    }
  });

  it('refuses a fleet whose NIC names a network that is neither defined nor in host.networks, or not active', async () => {
    const missing = planHostFleet(fleetYaml(`cs-test-${tag}`).replace(`network: ${names.lan} }`, `network: cs-test-${tag}-none }`).replace(`    - { name: ${names.theirs}, address: ${subnets.theirs}.1/24 }\n`, ''));
    const error = await errorRejectedBy(checkHostNetwork(missing.host, options));
    expect(error.code).toBe('HOST_UNREADY');
    expect(error.problems.map((problem) => `${problem.location.line} ${problem.message}`)).toEqual([`12 libvirt network cs-test-${tag}-none is not defined on ${libvirtUri} and is not in host.networks (used by vm-a eth0)`]);
    const inactive = planHostFleet(fleetYaml(`cs-test-${tag}`).replace(`network: ${names.lan} }`, `network: ${names.theirs} }`).replace(`    - { name: ${names.theirs}, address: ${subnets.theirs}.1/24 }\n`, ''));
    const notActive = await errorRejectedBy(applyHostNetwork(inactive.host, options));
    expect(notActive.problems.map((problem) => problem.message)).toEqual([expect.stringContaining(`libvirt network ${names.theirs} on ${libvirtUri} is not active`)]);
    // Refused before anything was made.
    expect(await virsh('net-list', '--all', '--name')).not.toContain(names.lan);
  });

  it('defines and starts the missing networks, not autostarted, marked with the fleet; leaves the one it did not define', async () => {
    const actions = await applyHostNetwork(plan.host, options);
    expect(actions.map(({ name, outcome, detail }) => [name, outcome, detail])).toEqual([
      [names.lan, 'created', `isolated, ${subnets.lan}.1/24, DHCP ${subnets.lan}.100-${subnets.lan}.199`],
      [names.bare, 'created', 'isolated, no address'],
      [names.theirs, 'kept', 'exists, not made by cloudseed: used as it is (not active)'],
    ]);
    for (const name of [names.lan, names.bare]) {
      expect(await info(name)).toMatch(/^Active:\s+yes$/m);
      expect(await info(name)).toMatch(/^Autostart:\s+no$/m);
      const xml = await virsh('net-dumpxml', '--inactive', '--network', name);
      expect(xml).toContain(`fleet="cs-test-${tag}"`);
      expect(xml).not.toContain('<forward');
    }
    expect(await info(names.theirs)).toMatch(/^Active:\s+no$/m);
  });

  it('keeps them the second time, starts one of its own that was stopped, and says when one differs from the spec', async () => {
    expect((await applyHostNetwork(plan.host, options)).map((action) => action.outcome)).toEqual(['kept', 'kept', 'kept']);
    await virsh('net-destroy', '--network', names.bare);
    const changed = planHostFleet(fleetYaml(`cs-test-${tag}`, `dhcp: SUBNET.50-SUBNET.60`));
    const actions = await applyHostNetwork(changed.host, options);
    expect(actions.map(({ outcome, detail }) => [outcome, detail])).toEqual([
      ['kept', `differs from the spec (dhcp ${subnets.lan}.100-${subnets.lan}.199, the spec says ${subnets.lan}.50-${subnets.lan}.60); down and up define it anew`],
      ['updated', 'started it'],
      ['kept', 'exists, not made by cloudseed: used as it is (not active)'],
    ]);
  });

  it("leaves its networks to their fleet, and a network while guest NICs are on it", async () => {
    const other = await removeHostNetwork(planHostFleet(fleetYaml('another-fleet')).host, options);
    expect(other.map((action) => action.detail)).toEqual([`made by cloudseed for fleet cs-test-${tag}`, `made by cloudseed for fleet cs-test-${tag}`, 'exists, not made by cloudseed']);
    const port = path.join(folder, 'port.xml');
    const portUuid = '6d8b9b0e-1c1e-4e5f-9a3b-0c1d2e3f4a5b';
    await writeFile(port, `<networkport><uuid>${portUuid}</uuid><owner><name>cs-test-vm</name><uuid>0f0e0d0c-0b0a-4908-8706-050403020100</uuid></owner><mac address='52:54:00:0c:5e:ed'/></networkport>`);
    await virsh('net-port-create', names.lan, port);
    try {
      const inUse = await removeHostNetwork(plan.host, options);
      expect(inUse[0]).toMatchObject({ name: names.lan, outcome: 'left-alone', detail: 'still used by 1 guest NIC' });
    } finally {
      await virsh('net-port-delete', names.lan, portUuid);
    }
  });

  it('removes only the networks it defined', async () => {
    const actions = await removeHostNetwork(plan.host, options);
    expect(actions.map(({ name, outcome }) => [name, outcome])).toEqual([
      [names.lan, 'removed'],
      [names.bare, 'absent'],
      [names.theirs, 'left-alone'],
    ]);
    const all = await virsh('net-list', '--all', '--name');
    expect(all).not.toContain(names.lan);
    expect(all).toContain(names.theirs);
    expect(await defaultNetwork()).toBe(defaultBefore);
  });
});
