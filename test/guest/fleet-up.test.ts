// A whole fleet run as a user runs it: `cloudseed up --wait` boots three guests of the cached image
// through overlays over its one root disk — two on qemu:///system, one through qemu+ssh:// to the same
// libvirtd over a real sshd on loopback, with its seed, base and overlay uploaded as volumes of a pool —
// all on an isolated libvirt network the spec's `host:` section makes (no forward: nothing leaves the
// machine; one guest takes its address by DHCP there). Then status, a second up that changes nothing, and destroy --remove-disks, after which no
// domain, volume, network or overlay of the fleet is left.
import { randomBytes, randomInt } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInProcess } from '../cli/support/run-cloudseed.js';
import { inCI, missingTools } from '../support/tools.js';
import { chooseAccelerator } from './support/accelerator.js';
import { ensureGuestImage, type GuestImage } from './support/guest-image.js';
import { ensureLibvirtd, type Libvirtd } from './support/libvirt-guest.js';
import { startLoopbackSshd, type LoopbackSshd } from './support/loopback-sshd.js';

const needsRoot = process.getuid?.() !== 0;
if (needsRoot && inCI) throw new Error('CI=true and the fleet boot needs root (libvirtd, sshd, mmdebstrap)');
const only = process.env.CLOUDSEED_GUEST_ONLY;
const skip = needsRoot || (only !== undefined && !only.split(',').includes('fleet-up'))
  || missingTools('mmdebstrap', 'virsh', 'libvirtd', 'qemu-img', 'qemu-system-x86_64', 'ssh', 'ssh-keygen', 'script', 'dnsmasq').length > 0;
const log = (line: string) => console.log(`[fleet] ${line}`);
const systemUri = 'qemu:///system';

async function virsh(uri: string, ...args: string[]): Promise<{ ok: boolean; out: string }> {
  const result = await execa('virsh', ['-q', '-c', uri, ...args], { reject: false, env: { LC_ALL: 'C' } });
  return { ok: result.exitCode === 0, out: result.stdout.trim() };
}

describe.skipIf(skip)('a fleet booted with cloudseed up --wait, locally and through qemu+ssh', () => {
  const tag = randomBytes(3).toString('hex');
  const subnet = `10.77.${randomInt(1, 250)}`;
  const names = { a: `cs-fleet-${tag}-a`, b: `cs-fleet-${tag}-b`, remote: `cs-fleet-${tag}-r` };
  const pool = `cs-pool-${tag}`;
  const network = `cs-net-${tag}`;
  let folder = '';
  let image: GuestImage;
  let libvirtd: Libvirtd | null = null;
  let sshd: LoopbackSshd | null = null;
  const out = () => path.join(folder, 'out');
  const specFile = () => path.join(folder, 'fleet.yaml');

  beforeAll(async () => {
    image = await ensureGuestImage(log);
    const { accelerator, reason } = await chooseAccelerator(image);
    log(`accelerator: ${accelerator.toUpperCase()} (${reason})`);
    libvirtd = await ensureLibvirtd();
    folder = await mkdtemp(path.join(tmpdir(), 'cloudseed-fleet-'));
    sshd = await startLoopbackSshd(await mkdir(path.join(folder, 'ssh'), { recursive: true }).then(() => path.join(folder, 'ssh')));
    await mkdir(path.join(folder, 'pool'));
    expect((await virsh(systemUri, 'pool-define-as', pool, 'dir', '--target', path.join(folder, 'pool'))).ok).toBe(true);
    expect((await virsh(systemUri, 'pool-start', pool)).ok).toBe(true);
    await writeFile(specFile(), `fleet: cs-fleet-${tag}
pools:
  lan: { cidr: ${subnet}.0/24, range: ${subnet}.10-${subnet}.50 }
host:
  networks:
    - { name: ${network}, forward: none, address: ${subnet}.1/24, dhcp: ${subnet}.100-${subnet}.150 }
defaults:
  target: current
  users:
    - { name: admin, password: fleet-admin, groups: [sudo], shell: /bin/bash }
  runcmd:
    - [touch, /var/tmp/fleet-runcmd]
  network:
    config: v2
    nics: [{ device: eth0, pool: lan, host: { type: network, network: ${network} } }]
  domain:
    type: ${accelerator === 'kvm' ? 'kvm' : 'qemu'}
    memory: 768
    rootDisk: { base: ${image.rootDisk} }
    kernelBoot:
      kernel: ${image.kernel}
      initrd: ${image.initrd}
      cmdline: "root=LABEL=cloudseed-root rw console=ttyS0,115200 net.ifnames=0 tsc=reliable"
vms:
  - name: ${names.a}
  - name: ${names.b}
    network:
      config: v2
      nics: [{ device: eth0, address: dhcp, host: { type: network, network: ${network} } }]
  - name: ${names.remote}
    connect: "${sshd.libvirtUri}"
    storagePool: ${pool}
`);
  }, 30 * 60_000);

  afterAll(async () => {
    for (const name of Object.values(names)) {
      await virsh(systemUri, 'destroy', name);
      await virsh(systemUri, 'undefine', name);
    }
    await virsh(systemUri, 'net-destroy', network);
    await virsh(systemUri, 'net-undefine', network);
    await virsh(systemUri, 'pool-destroy', pool);
    await virsh(systemUri, 'pool-undefine', pool);
    await sshd?.stop();
    await libvirtd?.stop();
    if (folder && process.env.CLOUDSEED_GUEST_KEEP !== '1') await rm(folder, { recursive: true, force: true });
  }, 300_000);

  it('up --wait boots all three and reports cloud-init done for each', async () => {
    const started = Date.now();
    const run = await runInProcess(['up', specFile(), '-o', out(), '--wait', '--timeout', '1500']);
    log(`up --wait: exit ${run.code} after ${Math.round((Date.now() - started) / 1000)} s\n${run.stdout}${run.stderr}`);
    expect(run.code, run.stderr).toBe(0);
    for (const name of Object.values(names)) expect(run.stdout).toContain(`${name}: cloud-init done`);
    expect(run.stdout).toContain(`host: libvirt-network ${network} created`);
    expect((await virsh(systemUri, 'net-dumpxml', network)).out).not.toMatch(/<forward/);
  }, 40 * 60_000);

  it('gave the local VMs overlays over the one base, and the remote one volumes in its pool', async () => {
    for (const name of [names.a, names.b]) {
      const info = JSON.parse((await execa('qemu-img', ['info', '-U', '--output=json', path.join(out(), name, 'root.qcow2')])).stdout) as Record<string, unknown>;
      expect([info['backing-filename'], info['backing-filename-format']]).toEqual([image.rootDisk, 'qcow2']);
    }
    const volumes = (await virsh(systemUri, 'vol-list', '--pool', pool)).out;
    expect(volumes).toContain(`${names.remote}.root.qcow2`);
    expect(volumes).toContain(`${names.remote}.my-seed.img`);
    expect(volumes).toMatch(/cloudseed-base-[0-9a-f]{12}-root\.qcow2/);
    const overlay = (await virsh(systemUri, 'vol-dumpxml', '--pool', pool, `${names.remote}.root.qcow2`)).out;
    expect(overlay).toMatch(/<backingStore>\s*<path>[^<]*cloudseed-base-[0-9a-f]{12}-root\.qcow2<\/path>\s*<format type='qcow2'\/>/);
    expect((await virsh(systemUri, 'domblklist', names.remote)).out).toContain(path.join(folder, 'pool', `${names.remote}.root.qcow2`));
  }, 120_000);

  it('status --json shows the three running with cloud-init done, and a second up changes nothing', async () => {
    const status = await runInProcess(['status', out(), '--json', '--timeout', '60']);
    expect(status.code, status.stderr).toBe(0);
    const rows = (JSON.parse(status.stdout) as { vms: { vm: string; state: string; addresses: string[]; cloudInit: { status: string } | null }[] }).vms;
    expect(rows.map((row) => [row.vm, row.state, row.cloudInit?.status])).toEqual(Object.values(names).map((name) => [name, 'running', 'done']));
    // a: the pool's first address; b: a lease from the network's dnsmasq, as libvirt saw it.
    expect(rows[0]!.addresses).toEqual([`eth0 ${subnet}.10/24`]);
    expect(rows[1]!.addresses).toEqual([expect.stringMatching(new RegExp(`^eth0 dhcp ${subnet.replace(/\./g, '\\.')}\\.(1[0-4][0-9]|150)/24$`))]);
    const again = await runInProcess(['up', out()]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/up: nothing to do: 3 VMs already up/);
  }, 300_000);

  it('destroy --remove-disks leaves no domain, volume, network or overlay of the fleet', async () => {
    const run = await runInProcess(['destroy', out(), '--remove-disks', '--timeout', '120']);
    log(`destroy: exit ${run.code}\n${run.stdout}${run.stderr}`);
    expect(run.code, run.stderr).toBe(0);
    for (const name of Object.values(names)) expect((await virsh(systemUri, 'dominfo', name)).ok).toBe(false);
    expect((await virsh(systemUri, 'vol-list', '--pool', pool)).out).toBe('');
    expect((await virsh(systemUri, 'net-info', network)).ok).toBe(false);
    for (const name of [names.a, names.b]) expect(existsSync(path.join(out(), name, 'root.qcow2'))).toBe(false);
    expect(existsSync(image.rootDisk)).toBe(true);
  }, 600_000);
});
