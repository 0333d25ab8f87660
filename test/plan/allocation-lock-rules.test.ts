// The allocation rules with a lock: recorded addresses and MACs stay, new NICs take never-used
// addresses, released ones come back only when a pool runs dry, pinned and given values still win.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CloudseedError } from '../../src/errors.js';
import { deriveMac } from '../../src/plan/mac-address.js';
import { addresses, buildYaml, fleetYaml, identities, lockFolder, planYaml, vms, type TestVm } from './support/lock-fleet.js';

function readLock(folder: string): { vms: Record<string, Record<string, { mac?: string; pool?: string; address?: string }>>; released: Record<string, string[]> } {
  return JSON.parse(readFileSync(path.join(folder, 'fleet.lock.json'), 'utf8'));
}

function warningsOf(planned: Awaited<ReturnType<typeof planYaml>>, vm: string): string[] {
  return planned.plan.warnings.filter((warning) => warning.vm === vm).map((warning) => warning.message);
}

const pinned = (name: string, address: string): TestVm => ({ name, lines: [`    network: { nics: [{ device: eth0, pool: lan, address: ${address} }] }`] });

describe('allocation lock: addresses', () => {
  it('records a first plan exactly as planning without a lock allocates', async () => {
    const folder = lockFolder();
    const planned = await buildYaml(folder, fleetYaml(vms('a', 'b', 'c')));
    expect(addresses(planned)).toEqual({ a: '10.0.0.10', b: '10.0.0.11', c: '10.0.0.12' });
    expect(planned.allocationLock).toMatchObject({ path: path.join(folder, 'fleet.lock.json'), changed: true });
    expect(readLock(folder).vms.b).toEqual({ eth0: { mac: deriveMac('f/b/eth0', 'qemu', 0), pool: 'lan', address: '10.0.0.11' } });
  });

  it('keeps every VM where it was when one is inserted before them', async () => {
    const folder = lockFolder();
    await buildYaml(folder, fleetYaml(vms('a', 'b', 'c')));
    const planned = await buildYaml(folder, fleetYaml(vms('x', 'a', 'b', 'c')));
    expect(addresses(planned)).toEqual({ x: '10.0.0.13', a: '10.0.0.10', b: '10.0.0.11', c: '10.0.0.12' });
    // Without the lock the same spec moves all three: what the lock is for.
    expect(addresses(await planYaml(lockFolder(), fleetYaml(vms('x', 'a', 'b', 'c'))))).toEqual({ x: '10.0.0.10', a: '10.0.0.11', b: '10.0.0.12', c: '10.0.0.13' });
  });

  it('changes nothing when the VMs are reordered', async () => {
    const folder = lockFolder();
    const before = await buildYaml(folder, fleetYaml(vms('a', 'b', 'c')));
    const after = await planYaml(folder, fleetYaml(vms('c', 'a', 'b')));
    expect(identities(after)).toEqual(identities(before));
    expect(after.allocationLock?.changed).toBe(false);
  });

  it('releases a removed VM\'s address and hands out never-used ones first', async () => {
    const folder = lockFolder();
    await buildYaml(folder, fleetYaml(vms('a', 'b', 'c')));
    await buildYaml(folder, fleetYaml(vms('a', 'c')));
    expect(readLock(folder).released).toEqual({ lan: ['10.0.0.11'] });
    expect(Object.keys(readLock(folder).vms)).toEqual(['a', 'c']);
    const planned = await buildYaml(folder, fleetYaml(vms('a', 'c', 'd')));
    expect(addresses(planned)).toEqual({ a: '10.0.0.10', c: '10.0.0.12', d: '10.0.0.13' });
    expect(readLock(folder).released).toEqual({ lan: ['10.0.0.11'] });
  });

  it('hands released addresses out again only when the pool has no never-used one, oldest first', async () => {
    const folder = lockFolder();
    const shape = { range: '10.0.0.10-10.0.0.14' };
    await buildYaml(folder, fleetYaml(vms('a', 'b', 'c', 'd', 'e'), shape));
    await buildYaml(folder, fleetYaml(vms('a', 'b', 'c', 'e'), shape));
    await buildYaml(folder, fleetYaml(vms('a', 'c', 'e'), shape));
    expect(readLock(folder).released).toEqual({ lan: ['10.0.0.13', '10.0.0.11'] });
    const reused = await buildYaml(folder, fleetYaml(vms('a', 'c', 'e', 'f'), shape));
    expect(addresses(reused).f).toBe('10.0.0.13');
    expect(warningsOf(reused, 'f')).toEqual(['eth0: pool lan has no never-used address left, so it gets 10.0.0.13, which another NIC held before']);
    expect(addresses(await buildYaml(folder, fleetYaml(vms('a', 'c', 'e', 'f', 'g'), shape))).g).toBe('10.0.0.11');
    expect(readLock(folder).released).toEqual({});
    const full = await planYaml(folder, fleetYaml(vms('a', 'c', 'e', 'f', 'g', 'h'), shape)).catch((error: unknown) => error as CloudseedError);
    expect((full as CloudseedError).problems.map((problem) => problem.message)).toEqual(['pool lan has no free address left (10.0.0.10-10.0.0.14)']);
  });

  it('releases the addresses of VMs removed together in address order', async () => {
    const folder = lockFolder();
    await buildYaml(folder, fleetYaml(vms('a', 'b', 'c', 'd')));
    await buildYaml(folder, fleetYaml(vms('a')));
    expect(readLock(folder).released).toEqual({ lan: ['10.0.0.11', '10.0.0.12', '10.0.0.13'] });
  });

  it('lets a pinned address win: the VM that held it moves, with a warning', async () => {
    const folder = lockFolder();
    await buildYaml(folder, fleetYaml(vms('a', 'b', 'c')));
    const planned = await buildYaml(folder, fleetYaml([pinned('p', '10.0.0.11'), ...vms('a', 'b', 'c')]));
    expect(addresses(planned)).toEqual({ p: '10.0.0.11', a: '10.0.0.10', b: '10.0.0.13', c: '10.0.0.12' });
    expect(warningsOf(planned, 'b')).toEqual(['eth0: 10.0.0.11, which fleet.lock.json records, is now used by p eth0; it gets a new address']);
    expect(warningsOf(planned, 'a')).toEqual([]);
    // A pinned address is not recorded; the one b gave up stays released, so it is not handed out once p lets go.
    expect(readLock(folder).vms.p).toEqual({ eth0: { mac: deriveMac('f/p/eth0', 'qemu', 0) } });
    expect(readLock(folder).released).toEqual({ lan: ['10.0.0.11'] });
  });

  it('moves a VM off an address that became the pool\'s gateway', async () => {
    const folder = lockFolder();
    await buildYaml(folder, fleetYaml(vms('a', 'b')));
    const planned = await buildYaml(folder, fleetYaml(vms('a', 'b'), { gateway: '10.0.0.10' }));
    expect(addresses(planned)).toEqual({ a: '10.0.0.12', b: '10.0.0.11' });
    expect(warningsOf(planned, 'a')).toEqual(['eth0: 10.0.0.10, which fleet.lock.json records, is now used by the gateway of pool lan; it gets a new address']);
  });

  it('re-allocates, with a warning and no error, a VM whose address left a shrunk range', async () => {
    const folder = lockFolder();
    await buildYaml(folder, fleetYaml(vms('a', 'b', 'c')));
    const planned = await buildYaml(folder, fleetYaml(vms('a', 'b', 'c'), { range: '10.0.0.11-10.0.0.20' }));
    expect(addresses(planned)).toEqual({ a: '10.0.0.13', b: '10.0.0.11', c: '10.0.0.12' });
    expect(warningsOf(planned, 'a')).toEqual(["eth0: the address fleet.lock.json records is outside pool lan's range 10.0.0.11-10.0.0.20 now; it gets a new address"]);
    expect(readLock(folder).released).toEqual({ lan: ['10.0.0.10'] });
  });

  it('gives a NIC moved to another pool an address there', async () => {
    const folder = lockFolder();
    await buildYaml(folder, fleetYaml(vms('a', 'b')));
    const moved: TestVm = { name: 'a', lines: ['    network: { nics: [{ device: eth0, pool: lab }] }'] };
    const planned = await buildYaml(folder, fleetYaml([moved, { name: 'b' }]));
    expect(addresses(planned)).toEqual({ a: '10.9.0.10', b: '10.0.0.11' });
    expect(readLock(folder).released).toEqual({ lan: ['10.0.0.10'] });
  });

  it('treats a rename as a remove and an add', async () => {
    const folder = lockFolder();
    const before = await buildYaml(folder, fleetYaml(vms('a', 'b', 'c')));
    const after = await buildYaml(folder, fleetYaml(vms('a', 'bb', 'c')));
    expect(addresses(after)).toEqual({ a: '10.0.0.10', bb: '10.0.0.13', c: '10.0.0.12' });
    expect(identities(after).get('bb eth0')!.mac).not.toBe(identities(before).get('b eth0')!.mac);
    expect(readLock(folder).released).toEqual({ lan: ['10.0.0.11'] });
  });
});

/** Two VM names whose first derived MACs in fleet f are equal (a 24-bit birthday search, a few thousand names). */
function collidingNames(): [string, string] {
  const seen = new Map<string, string>();
  for (let index = 0; ; index++) {
    const name = `vm-${index}`;
    const mac = deriveMac(`f/${name}/eth0`, 'qemu', 0);
    const other = seen.get(mac);
    if (other !== undefined) return [other, name];
    seen.set(mac, name);
  }
}

describe('allocation lock: MACs', () => {
  it('holds every recorded MAC before deriving any, so a new VM never takes one', async () => {
    const [older, newer] = collidingNames();
    const taken = deriveMac(`f/${older}/eth0`, 'qemu', 0);
    const folder = lockFolder();
    await buildYaml(folder, fleetYaml(vms(older)));
    const planned = await buildYaml(folder, fleetYaml(vms(newer, older)));
    expect(identities(planned).get(`${older} eth0`)!.mac).toBe(taken);
    expect(identities(planned).get(`${newer} eth0`)!.mac).toBe(deriveMac(`f/${newer}/eth0`, 'qemu', 1));
    // Without the lock the VM first in the list takes the MAC.
    expect(identities(await planYaml(lockFolder(), fleetYaml(vms(newer, older)))).get(`${newer} eth0`)!.mac).toBe(taken);
  });

  it('lets a given MAC win: the VM that recorded it gets a new one, with a warning', async () => {
    const folder = lockFolder();
    const before = await buildYaml(folder, fleetYaml(vms('a', 'b')));
    const macOfA = identities(before).get('a eth0')!.mac;
    const given: TestVm = { name: 'g', lines: [`    network: { nics: [{ device: eth0, pool: lan, mac: "${macOfA}" }] }`] };
    const planned = await buildYaml(folder, fleetYaml([given, ...vms('a', 'b')]));
    expect(identities(planned).get('a eth0')!.mac).toBe(deriveMac('f/a/eth0', 'qemu', 1));
    expect(identities(planned).get('b eth0')).toEqual(identities(before).get('b eth0'));
    expect(warningsOf(planned, 'a')).toEqual([`eth0: MAC ${macOfA}, which fleet.lock.json records, is now used by g eth0; it gets ${deriveMac('f/a/eth0', 'qemu', 1)}`]);
    expect(readLock(folder).vms.g).toEqual({ eth0: { pool: 'lan', address: '10.0.0.12' } });
  });

  it('derives MACs anew when macPrefix changes, rather than keep the old prefix\'s', async () => {
    const folder = lockFolder();
    await buildYaml(folder, fleetYaml(vms('a')));
    const planned = await buildYaml(folder, fleetYaml(vms('a'), { top: ['macPrefix: local'] }));
    expect(identities(planned).get('a eth0')!.mac).toBe(deriveMac('f/a/eth0', 'local', 0));
    expect(warningsOf(planned, 'a')).toHaveLength(1);
  });
});

describe('allocation lock: when there is one', () => {
  const dhcpFleet = (names: string[]) => fleetYaml(vms(...names), { nics: '[{ device: eth0 }]' });

  it('keeps none for a spec with no NIC taking a pool address', async () => {
    const folder = lockFolder();
    const planned = await buildYaml(folder, dhcpFleet(['a']));
    expect(planned.allocationLock).toBeNull();
    expect(() => readFileSync(path.join(folder, 'fleet.lock.json'))).toThrow(/ENOENT/);
  });

  it('keeps one that exists, recording derived MACs', async () => {
    const folder = lockFolder();
    writeFileSync(path.join(folder, 'fleet.lock.json'), '{"cloudseedLock": 1, "fleet": "f", "vms": {}, "released": {}}\n');
    await buildYaml(folder, dhcpFleet(['a']));
    expect(readLock(folder).vms).toEqual({ a: { eth0: { mac: deriveMac('f/a/eth0', 'qemu', 0) } } });
  });

  it('refuses a lock of another fleet, naming both', async () => {
    const folder = lockFolder();
    await buildYaml(folder, fleetYaml(vms('a')));
    const error = await planYaml(folder, fleetYaml(vms('a')).replace('fleet: f', 'fleet: g')).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CloudseedError);
    expect((error as CloudseedError).code).toBe('SPEC_INVALID');
    expect((error as CloudseedError).message).toBe(`${path.join(folder, 'fleet.lock.json')} is the lock of fleet "f", but the spec's fleet is "g"`);
  });
});
