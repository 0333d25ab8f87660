// qemu.sh's share of the host network: run inside a network namespace (`ip netns exec`, which also gives
// it the namespace's /sys/class/net), it makes the fleet's missing bridge and shim, marked as `up` marks
// them, and its EXIT trap removes only what that run made, and only once nothing uses it. QEMU itself is
// not under test here: a stand-in (fixtures/fake-qemu.sh) records the links QEMU would find, and ends.
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { renderFleet } from '../../src/render/index.js';
import { createNamespaceWithLan, ipv4Addresses, namespaceTestsBlocked, type ReportedLink, type TestNamespace } from './support/network-namespace.js';
import { planHostFleet } from './support/plan-host-fleet.js';

const blocked = namespaceTestsBlocked('bash', 'shellcheck');
const fakeQemu = path.resolve('test/host/fixtures/fake-qemu.sh');

describe.skipIf(blocked !== null)('qemu.sh makes the host links it rests on, and removes only its own', () => {
  let folder: string;
  let script: string;
  let namespace: TestNamespace;
  let before: unknown;
  const plan = planHostFleet(`fleet: qsh
host:
  bridges: [{ name: br-q, address: 10.41.0.1/24 }]
  shims: [{ dev: lan0, address: 192.168.78.250/24 }]
vms:
  - name: vm-q
    domain: { rootDisk: { path: /var/lib/cloudseed-test/root.qcow2 } }
    network:
      nics:
        - { device: eth0, host: { type: bridge, bridge: br-q } }
        - { device: eth1, host: { type: direct, dev: lan0 } }
`);
  const shim = plan.host.shims[0]!.name;

  /** Runs qemu.sh in the namespace; returns the links the stand-in saw, and what the script printed. */
  async function runScript(whileRunning = ''): Promise<{ seen: Map<string, ReportedLink>; stderr: string }> {
    const links = path.join(folder, 'links.json');
    const result = await execa('ip', ['netns', 'exec', namespace.name, script], {
      env: { QEMU: fakeQemu, FAKE_QEMU_LINKS: links, FAKE_QEMU_WHILE_RUNNING: whileRunning },
      reject: false,
    });
    expect(result.exitCode, result.stderr).toBe(0);
    const seen = JSON.parse(await readFile(links, 'utf8')) as ReportedLink[];
    return { seen: new Map(seen.map((link) => [link.ifname, link])), stderr: result.stderr };
  }

  beforeAll(async () => {
    folder = await mkdtemp(path.join(tmpdir(), 'cloudseed-qemu-host-'));
    script = path.join(folder, 'qemu.sh');
    await writeFile(script, renderFleet(plan)[0]!.qemuScript);
    await chmod(script, 0o755);
  });
  afterAll(async () => {
    await rm(folder, { recursive: true, force: true });
  });
  beforeEach(async () => {
    namespace = await createNamespaceWithLan();
    before = await namespace.snapshot();
  });
  afterEach(async () => {
    await namespace.remove();
  });

  it('passes shellcheck', async () => {
    await execa('shellcheck', ['--shell=bash', script]);
  });

  it('makes the missing bridge and shim, marked, while QEMU runs, and leaves the namespace as it found it', async () => {
    const { seen } = await runScript();
    expect(seen.get('br-q')).toMatchObject({ ifalias: 'cloudseed fleet=qsh', linkinfo: { info_kind: 'bridge' } });
    expect(ipv4Addresses(seen.get('br-q'))).toEqual(['10.41.0.1/24']);
    expect(seen.get(shim)).toMatchObject({ ifalias: 'cloudseed fleet=qsh', link: 'lan0', linkinfo: { info_kind: 'macvlan', info_data: { mode: 'bridge' } } });
    expect(ipv4Addresses(seen.get(shim))).toEqual(['192.168.78.250/24']);
    // The guest's own macvtap sits beside the shim on lan0.
    expect([...seen.values()].some((link) => link.linkinfo?.info_kind === 'macvtap' && link.link === 'lan0')).toBe(true);
    expect(await namespace.snapshot()).toEqual(before);
  });

  it('uses a bridge that was there as it is and leaves it', async () => {
    await namespace.run('link', 'add', 'br-q', 'type', 'bridge');
    const withTheirs = await namespace.snapshot();
    const { seen } = await runScript();
    expect(seen.get('br-q')?.ifalias).toBeUndefined();
    expect(ipv4Addresses(seen.get('br-q'))).toEqual([]);
    expect(await namespace.snapshot()).toEqual(withTheirs);
  });

  it('leaves a bridge it made in place while another guest still uses it', async () => {
    const { stderr } = await runScript('ip link add port0 type veth peer name port0-peer && ip link set port0 master br-q');
    expect(stderr).toContain('qemu.sh: leaving br-q in place: it is still in use');
    const links = JSON.parse(await namespace.run('-j', '-d', 'address', 'show')) as ReportedLink[];
    expect(links.map((link) => link.ifname)).toContain('br-q');
    expect(links.map((link) => link.ifname)).not.toContain(shim);
  });
});
