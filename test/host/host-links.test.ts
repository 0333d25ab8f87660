// Bridges and macvlan shims made, kept and removed by the real `ip` in a network namespace of the
// test's own, a veth standing in for the host NIC that macvtap guests sit on. What each step did is
// read back with `ip -n NS -j -d link/address`, and removal must give back the namespace exactly.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyHostNetwork, removeHostNetwork } from '../../src/host/index.js';
import { temporaryLinkName } from '../../src/host/host-links.js';
import type { FleetPlan } from '../../src/plan/index.js';
import { createNamespace, createNamespaceWithLan, ipv4Addresses, namespaceTestsBlocked, reportedLinks, type TestNamespace } from './support/network-namespace.js';
import { planHostFleet } from './support/plan-host-fleet.js';

const fleetSpec = (fleet: string) => `fleet: ${fleet}
host:
  bridges:
    - { name: br-ci, address: 10.40.0.1/24 }
    - { name: br-iso }
  shims:
    - { dev: lan0, address: 192.168.77.250/24 }
defaults:
  domain: { rootDisk: { base: /img/base.qcow2 } }
vms:
  - name: runner-1
    network:
      nics:
        - { device: eth0, address: 10.40.0.10/24, host: { type: bridge, bridge: br-ci } }
        - { device: eth1, address: 192.168.77.10/24, host: { type: direct, dev: lan0 } }
        - { device: eth2, host: { type: bridge, bridge: br-iso } }
`;

const blocked = namespaceTestsBlocked();

describe.skipIf(blocked !== null)('host links in a network namespace', () => {
  const plan: FleetPlan = planHostFleet(fleetSpec('ci'));
  const shim = plan.host.shims[0]!;
  let namespace: TestNamespace;
  let before: unknown;
  const options = () => ({ ip: namespace.ip });

  beforeEach(async () => {
    namespace = await createNamespaceWithLan();
    before = await namespace.snapshot();
  });
  afterEach(async () => {
    await namespace.remove();
  });

  it('creates the bridges and the shim with their addresses and marks', async () => {
    const actions = await applyHostNetwork(plan.host, options());
    expect(actions.map(({ object, name, outcome }) => [object, name, outcome])).toEqual([
      ['bridge', 'br-ci', 'created'],
      ['bridge', 'br-iso', 'created'],
      ['shim', shim.name, 'created'],
    ]);
    const links = await reportedLinks(namespace);
    const bridge = links.get('br-ci');
    expect(bridge?.linkinfo?.info_kind).toBe('bridge');
    expect(bridge?.ifalias).toBe('cloudseed fleet=ci');
    expect(bridge?.flags).toContain('UP');
    expect(ipv4Addresses(bridge)).toEqual(['10.40.0.1/24']);
    expect(ipv4Addresses(links.get('br-iso'))).toEqual([]);
    const made = links.get(shim.name);
    expect(shim.name).toMatch(/^csshim-[0-9a-f]{8}$/);
    expect(made?.linkinfo).toMatchObject({ info_kind: 'macvlan', info_data: { mode: 'bridge' } });
    expect(made?.link).toBe('lan0');
    expect(made?.ifalias).toBe('cloudseed fleet=ci');
    expect(ipv4Addresses(made)).toEqual(['192.168.77.250/24']);
  });

  it('creates nothing the second time, and removing gives back the namespace exactly', async () => {
    await applyHostNetwork(plan.host, options());
    const again = await applyHostNetwork(plan.host, options());
    expect(again.map((action) => action.outcome)).toEqual(['kept', 'kept', 'kept']);
    const removed = await removeHostNetwork(plan.host, options());
    expect(removed.map(({ name, outcome }) => [name, outcome])).toEqual([[shim.name, 'removed'], ['br-ci', 'removed'], ['br-iso', 'removed']]);
    expect(await namespace.snapshot()).toEqual(before);
    const nothingLeft = await removeHostNetwork(plan.host, options());
    expect(nothingLeft.map((action) => action.outcome)).toEqual(['absent', 'absent', 'absent']);
  });

  it('uses a bridge of the same name that it did not make as it is, and leaves it when removing', async () => {
    await namespace.run('link', 'add', 'br-ci', 'type', 'bridge');
    const withTheirs = await namespace.snapshot();
    const applied = await applyHostNetwork(plan.host, options());
    expect(applied[0]).toMatchObject({ name: 'br-ci', outcome: 'kept', detail: expect.stringContaining('not made by cloudseed') });
    // Not even given the address: it is not cloudseed's to change.
    expect(ipv4Addresses((await reportedLinks(namespace)).get('br-ci'))).toEqual([]);
    const removed = await removeHostNetwork(plan.host, options());
    expect(removed.find((action) => action.name === 'br-ci')).toMatchObject({ outcome: 'left-alone' });
    expect(await namespace.snapshot()).toEqual(withTheirs);
  });

  it("leaves another fleet's links to that fleet", async () => {
    await applyHostNetwork(planHostFleet(fleetSpec('other')).host, options());
    const applied = await applyHostNetwork(plan.host, options());
    expect(applied.map((action) => [action.outcome, action.detail])).toEqual(Array(3).fill(['kept', 'made by cloudseed for fleet other: used as it is']));
    const removed = await removeHostNetwork(plan.host, options());
    expect(removed.map((action) => action.outcome)).toEqual(['left-alone', 'left-alone', 'left-alone']);
    await removeHostNetwork(planHostFleet(fleetSpec('other')).host, options());
    expect(await namespace.snapshot()).toEqual(before);
  });

  it('leaves a link while something still uses it, and removes it once nothing does', async () => {
    await applyHostNetwork(plan.host, options());
    await namespace.run('link', 'add', 'port0', 'type', 'veth', 'peer', 'name', 'port0-peer');
    await namespace.run('link', 'set', 'port0', 'master', 'br-ci');
    await namespace.run('link', 'add', 'link', 'lan0', 'name', 'mvt0', 'type', 'macvtap', 'mode', 'bridge');
    const whileUsed = await removeHostNetwork(plan.host, options());
    expect(whileUsed.map(({ name, outcome, detail }) => [name, outcome, detail])).toEqual([
      [shim.name, 'left-alone', 'still used by mvt0'],
      ['br-ci', 'left-alone', 'still used by port0'],
      ['br-iso', 'removed', null],
    ]);
    await namespace.run('link', 'delete', 'mvt0');
    await namespace.run('link', 'delete', 'port0');
    await removeHostNetwork(plan.host, options());
    expect(await namespace.snapshot()).toEqual(before);
  });

  it('finishes what an interrupted run left: a temporary link, a marked link without its address', async () => {
    // Killed between `ip link add` and the mark: an unmarked link under the temporary name.
    await namespace.run('link', 'add', 'name', temporaryLinkName('br-ci'), 'type', 'bridge');
    // Killed after the rename: the shim marked, without its address, down.
    await namespace.run('link', 'add', 'name', shim.name, 'link', 'lan0', 'type', 'macvlan', 'mode', 'bridge');
    await namespace.run('link', 'set', 'dev', shim.name, 'alias', plan.host.linkMark);
    const actions = await applyHostNetwork(plan.host, options());
    expect(actions.map(({ name, outcome, detail }) => [name, outcome, detail])).toEqual([
      ['br-ci', 'created', '10.40.0.1/24'],
      ['br-iso', 'created', null],
      [shim.name, 'updated', 'added 192.168.77.250/24, set it up'],
    ]);
    const links = await reportedLinks(namespace);
    expect(links.has(temporaryLinkName('br-ci'))).toBe(false);
    expect(ipv4Addresses(links.get(shim.name))).toEqual(['192.168.77.250/24']);
    await removeHostNetwork(plan.host, options());
    expect(await namespace.snapshot()).toEqual(before);
  });

  it('removes a temporary link an interrupted run left even when no apply follows', async () => {
    await namespace.run('link', 'add', 'name', temporaryLinkName(shim.name), 'link', 'lan0', 'type', 'macvlan', 'mode', 'bridge');
    await removeHostNetwork(plan.host, options());
    expect(await namespace.snapshot()).toEqual(before);
  });

  it('refuses a bridge NIC with no such bridge, and a macvtap NIC with no such device, before creating anything', async () => {
    const broken = planHostFleet(`fleet: ci
host:
  bridges:
    - { name: br-ci, address: 10.40.0.1/24 }
  shims:
    - { dev: lan0, address: 192.168.77.250/24 }
defaults:
  domain: { rootDisk: { base: /img/base.qcow2 } }
vms:
  - name: web-{1..3}
    network:
      nics:
        - { device: eth0, host: { type: bridge, bridge: br-lab } }
        - { device: eth1, host: { type: direct, dev: eth9 } }
  - name: db
    network:
      nics:
        - { device: eth0, host: { type: bridge, bridge: br-ci } }
`);
    const error = await applyHostNetwork(broken.host, options()).then(() => null, (reason: unknown) => reason);
    expect(error).toMatchObject({ code: 'HOST_UNREADY' });
    const problems = (error as { problems: { location: { line: number; field: string }; message: string }[] }).problems;
    expect(problems.map((problem) => [problem.location.line, problem.location.field, problem.message])).toEqual([
      [13, 'vms[0].network.nics[0].host.bridge', 'bridge br-lab does not exist on this machine and is not in host.bridges (used by web-1 eth0 … web-3 eth0 (3 NICs))'],
      [14, 'vms[0].network.nics[1].host.dev', 'device eth9 for macvtap does not exist on this machine (used by web-1 eth1 … web-3 eth1 (3 NICs))'],
    ]);
    expect(await namespace.snapshot()).toEqual(before);
  });

  it('refuses a planned bridge whose name an existing link of another kind has', async () => {
    const clash = planHostFleet(fleetSpec('ci').replace('{ name: br-iso }', '{ name: lan0-wire }'));
    const error = await applyHostNetwork(clash.host, options()).then(() => null, (reason: unknown) => reason);
    expect(error).toMatchObject({ code: 'HOST_UNREADY' });
    expect((error as { problems: { message: string }[] }).problems.map((problem) => problem.message)).toEqual([
      'bridge lan0-wire: a link of that name exists, but it is a veth, not a bridge',
      'bridge br-iso does not exist on this machine and is not in host.bridges (used by runner-1 eth2)',
    ]);
    expect(await namespace.snapshot()).toEqual(before);
  });
});

/**
 * The links as host/ shapes them: kind, mark, lower device, mode, state and IPv4 addresses. A link made
 * again has a new MAC and index (and so a new IPv6 link-local address), which are not its shape.
 */
async function linkSummary(namespace: TestNamespace): Promise<unknown[]> {
  return [...(await reportedLinks(namespace)).values()]
    .map((link) => ({ name: link.ifname, kind: link.linkinfo?.info_kind, mode: link.linkinfo?.info_data?.mode, lower: link.link, alias: link.ifalias, up: link.flags.includes('UP'), addresses: ipv4Addresses(link) }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** A small, seeded generator, so that a failing round can be replayed with its seed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state ^ (state >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    return state / 2 ** 32;
  };
}

describe.skipIf(blocked !== null)('kill -9 in the middle of apply', () => {
  const plan = planHostFleet(fleetSpec('ci'));
  const rounds = 12;

  it(`converges when applied again, and removes cleanly, ${rounds} times`, async () => {
    const namespace = await createNamespace();
    const folder = await mkdtemp(path.join(tmpdir(), 'cloudseed-host-kill-'));
    try {
      await namespace.run('link', 'add', 'lan0', 'type', 'veth', 'peer', 'name', 'lan0-wire');
      const before = await namespace.snapshot();
      const planFile = path.join(folder, 'plan.json');
      await writeFile(planFile, JSON.stringify(plan.host));
      // The kill lands anywhere in a window as long as a whole apply, measured here.
      const started = performance.now();
      await applyHostNetwork(plan.host, { ip: namespace.ip });
      const applyMs = performance.now() - started;
      const converged = await linkSummary(namespace);
      await removeHostNetwork(plan.host, { ip: namespace.ip });
      const seed = Number(process.env.CLOUDSEED_KILL_SEED ?? Date.now() % 2 ** 31);
      const next = random(seed);
      const leftAfterKill: string[] = [];
      for (let round = 0; round < rounds; round++) {
        const child = execa('node', ['--import', 'tsx', path.resolve('test/host/fixtures/apply-in-child.mts'), planFile, namespace.name], { reject: false, buffer: false });
        await new Promise<void>((resolve, reject) => {
          child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve());
          child.on('exit', () => reject(new Error(`the child ended before it was ready (seed ${seed})`)));
        });
        await new Promise((resolve) => setTimeout(resolve, next() * applyMs * 1.2));
        child.kill('SIGKILL');
        await child;
        leftAfterKill.push([...(await reportedLinks(namespace)).keys()].filter((name) => !['lo', 'lan0', 'lan0-wire'].includes(name)).join('+') || 'nothing');
        const actions = await applyHostNetwork(plan.host, { ip: namespace.ip });
        // Its own half-made links are never taken for someone else's.
        expect(actions.filter((action) => action.detail?.includes('not made by cloudseed')), `seed ${seed}, round ${round}`).toEqual([]);
        expect(await linkSummary(namespace), `seed ${seed}, round ${round}: apply after the kill`).toEqual(converged);
        await removeHostNetwork(plan.host, { ip: namespace.ip });
        expect(await namespace.snapshot(), `seed ${seed}, round ${round}: remove after the kill`).toEqual(before);
      }
      console.info(`kill -9 seed ${seed} (CLOUDSEED_KILL_SEED replays it), apply ${applyMs.toFixed(0)} ms; left after each kill: ${leftAfterKill.join(', ')}`);
    } finally {
      await namespace.remove();
      await rm(folder, { recursive: true, force: true });
    }
  }, 120_000);
});
