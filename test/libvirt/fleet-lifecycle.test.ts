// up / down / destroy / status against a real libvirtd (started here if none answers, as the guest
// boots do), with domains that need no guest OS: a tiny empty base image, so QEMU sits in its firmware.
// What is proven: overlays over one base, a second up that changes nothing, a changed definition
// reported and applied with --restart, refusals that leave nothing made, and a destroy that leaves no
// domain or disk of ours behind but every file of the user's.
import { randomBytes } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInProcess } from '../cli/support/run-cloudseed.js';
import { ensureLibvirtd, type Libvirtd } from '../guest/support/libvirt-guest.js';
import { inCI, missingTools } from '../support/tools.js';

const uri = 'qemu:///system';
const needsRoot = process.getuid?.() !== 0;
if (needsRoot && inCI) throw new Error('CI=true and the libvirt lifecycle tests need root (libvirtd)');
const skip = needsRoot || missingTools('virsh', 'libvirtd', 'virtlogd', 'qemu-img', 'qemu-system-x86_64').length > 0;

async function virsh(...args: string[]): Promise<{ ok: boolean; out: string }> {
  const result = await execa('virsh', ['-q', '-c', uri, ...args], { reject: false, env: { LC_ALL: 'C' } });
  return { ok: result.exitCode === 0, out: result.stdout.trim() };
}
const state = async (name: string) => (await virsh('domstate', name)).out || 'not defined';

describe.skipIf(skip)('cloudseed up, down, destroy and status on libvirt', () => {
  let libvirtd: Libvirtd | null = null;
  let folder = '';
  let base = '';
  const tag = randomBytes(3).toString('hex');
  const names = [`cs-life-${tag}-a`, `cs-life-${tag}-b`];
  const foreign = `cs-life-${tag}-x`;

  const spec = (memory = 128, extra = '') => `fleet: life-${tag}
defaults:
  network: { config: v2, nics: [] }
  domain: { type: qemu, memory: ${memory}, rootDisk: { base: base.qcow2, size: 64M } }
vms:
${names.map((name) => `  - name: ${name}`).join('\n')}
${extra}`;

  const specFile = () => path.join(folder, 'fleet.yaml');
  const out = () => path.join(folder, 'out');
  const cli = (...args: string[]) => runInProcess(args);

  beforeAll(async () => {
    libvirtd = await ensureLibvirtd();
    folder = await mkdtemp(path.join(tmpdir(), 'cloudseed-life-'));
    base = path.join(folder, 'base.qcow2');
    await execa('qemu-img', ['create', '-q', '-f', 'qcow2', base, '32M']);
    await writeFile(specFile(), spec());
  }, 120_000);

  afterAll(async () => {
    for (const name of [...names, foreign]) {
      await virsh('destroy', name);
      await virsh('undefine', name);
    }
    await libvirtd?.stop();
    if (folder) await rm(folder, { recursive: true, force: true });
  });

  it('up makes one overlay per VM over the base, defines and starts both; a second up changes nothing', async () => {
    const first = await cli('up', specFile(), '-o', out());
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/2 of 2 VMs changed/);
    for (const name of names) {
      expect(await state(name)).toBe('running');
      const overlay = path.join(out(), name, 'root.qcow2');
      const info = JSON.parse((await execa('qemu-img', ['info', '-U', '--output=json', overlay])).stdout) as Record<string, unknown>;
      expect(info['backing-filename']).toBe(base);
      expect(info['backing-filename-format']).toBe('qcow2');
      expect(info['virtual-size']).toBe(64 * 2 ** 20);
    }
    const overlayMtime = statSync(path.join(out(), names[0]!, 'root.qcow2')).mtimeMs;
    const definition = (await virsh('dumpxml', '--inactive', names[0]!)).out;

    const second = await cli('up', out());
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/nothing to do: 2 VMs already up/);
    expect(statSync(path.join(out(), names[0]!, 'root.qcow2')).mtimeMs).toBe(overlayMtime);
    expect((await virsh('dumpxml', '--inactive', names[0]!)).out).toBe(definition);
  }, 300_000);

  it('status --json shows both VMs running with their planned addresses', async () => {
    const run = await cli('status', out(), '--json', '--timeout', '1');
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as { vms: { vm: string; state: string; uri: string }[] };
    expect(report.vms.map((vm) => [vm.vm, vm.state, vm.uri])).toEqual(names.map((name) => [name, 'running', uri]));
  }, 120_000);

  it('a changed definition of a running VM is reported, and applied with --restart', async () => {
    await writeFile(specFile(), spec(192));
    const reported = await cli('up', specFile(), '-o', out(), names[0]!);
    expect(reported.code, reported.stderr).toBe(0);
    expect(reported.stdout).toMatch(new RegExp(`${names[0]}: redefined`));
    expect(reported.stdout).toMatch(/running with an older definition: up --restart applies the new one/);
    const restarted = await cli('up', specFile(), '-o', out(), '--restart', '--timeout', '5', names[0]!);
    expect(restarted.stdout).toMatch(new RegExp(`${names[0]}: restarted`));
    expect((await virsh('dominfo', names[0]!)).out).toMatch(/Max memory:\s+196608 KiB/);
  }, 300_000);

  it('refuses a name taken by a domain cloudseed did not define, and a missing base, making nothing', async () => {
    const xml = `<domain type='qemu'><name>${foreign}</name><memory unit='MiB'>64</memory><os><type arch='x86_64'>hvm</type></os></domain>`;
    await writeFile(path.join(folder, 'foreign.xml'), xml);
    expect((await virsh('define', path.join(folder, 'foreign.xml'))).ok).toBe(true);
    const conflictSpec = path.join(folder, 'conflict.yaml');
    await writeFile(conflictSpec, `fleet: life-${tag}\ndefaults:\n  network: { config: v2, nics: [] }\n  domain: { type: qemu, memory: 128, rootDisk: { base: base.qcow2 } }\nvms:\n  - name: ${foreign}\n  - name: cs-life-${tag}-new\n`);
    const conflictOut = path.join(folder, 'conflict-out');
    const refused = await cli('up', conflictSpec, '-o', conflictOut);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(new RegExp(`VM ${foreign}: .* already has a domain ${foreign} that cloudseed did not define; up --adopt`));
    expect(existsSync(path.join(conflictOut, foreign, 'root.qcow2'))).toBe(false);
    expect(existsSync(path.join(conflictOut, `cs-life-${tag}-new`, 'root.qcow2'))).toBe(false);
    expect(await state(`cs-life-${tag}-new`)).toBe('not defined');
    expect(await state(foreign)).toBe('shut off');

    const missingSpec = path.join(folder, 'missing.yaml');
    await writeFile(missingSpec, `defaults:\n  network: { config: v2, nics: [] }\n  domain: { type: qemu, rootDisk: { base: ${path.join(folder, 'nosuch.qcow2')} } }\nvms:\n  - name: cs-life-${tag}-m\n`);
    const missing = await cli('up', missingSpec, '-o', path.join(folder, 'missing-out'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(new RegExp(`VM cs-life-${tag}-m: base image .*nosuch.qcow2 does not exist`));
    expect(await state(`cs-life-${tag}-m`)).toBe('not defined');
  }, 300_000);

  it('a remote host that refuses and a bridge that is missing are the host\'s problems (exit 4), with nothing made', async () => {
    const refusing = path.join(folder, 'refusing.yaml');
    const unreachable = 'qemu+ssh://root@127.0.0.1:1/system?no_verify=1&no_tty=1';
    await writeFile(refusing, `fleet: life-${tag}\ndefaults:\n  network: { config: v2, nics: [] }\n  domain: { type: qemu, rootDisk: { base: base.qcow2 } }\nvms:\n  - name: cs-life-${tag}-far\n    connect: "${unreachable}"\n`);
    const far = await cli('up', refusing, '-o', path.join(folder, 'refusing-out'));
    expect(far.code).toBe(4);
    expect(far.stderr).toMatch(new RegExp(`VM cs-life-${tag}-far: cannot connect to libvirt at qemu\\+ssh://root@127\\.0\\.0\\.1:1/system`));

    const bridgeless = path.join(folder, 'bridgeless.yaml');
    const bridge = `csnobr${tag}`;
    await writeFile(bridgeless, `fleet: life-${tag}\ndefaults:\n  network: { config: v2, nics: [{ device: eth0, address: dhcp, host: { type: bridge, bridge: ${bridge} } }] }\n  domain: { type: qemu, rootDisk: { base: base.qcow2 } }\nvms:\n  - name: cs-life-${tag}-br\n`);
    const bridgeOut = path.join(folder, 'bridgeless-out');
    const missing = await cli('up', bridgeless, '-o', bridgeOut);
    expect(missing.code).toBe(4);
    expect(missing.stderr).toMatch(new RegExp(`${bridge}.*cs-life-${tag}-br|cs-life-${tag}-br.*${bridge}`));
    expect(existsSync(path.join(bridgeOut, `cs-life-${tag}-br`, 'root.qcow2'))).toBe(false);
    expect(await state(`cs-life-${tag}-br`)).toBe('not defined');
  }, 120_000);

  it('--adopt takes over a domain cloudseed did not define, keeping its UUID, and marks it as the fleet\'s', async () => {
    const uuid = (await virsh('domuuid', foreign)).out;
    const adoptSpec = path.join(folder, 'adopt.yaml');
    await writeFile(adoptSpec, `fleet: life-${tag}\ndefaults:\n  network: { config: v2, nics: [] }\n  domain: { type: qemu, memory: 128, rootDisk: { base: base.qcow2 } }\nvms:\n  - name: ${foreign}\n`);
    const adopted = await cli('up', adoptSpec, '-o', path.join(folder, 'adopt-out'), '--adopt');
    expect(adopted.code, adopted.stderr).toBe(0);
    expect(adopted.stdout).toMatch(new RegExp(`${foreign}: disk created, redefined, started`));
    expect((await virsh('domuuid', foreign)).out).toBe(uuid);
    expect((await virsh('metadata', foreign, '--uri', 'https://cloudseed.dev/xmlns/libvirt/1', '--config')).out).toBe(`<vm fleet="life-${tag}"/>`);
    const destroyed = await cli('destroy', path.join(folder, 'adopt-out'), '--remove-disks', '--timeout', '2');
    expect(destroyed.code, destroyed.stderr).toBe(0);
    expect(await state(foreign)).toBe('not defined');
  }, 120_000);

  it('--reset-disk is refused while the guest runs; down then destroy --remove-disks leave only the user\'s files', async () => {
    const refused = await cli('up', out(), '--reset-disk');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--reset-disk would replace the disk of a running guest/);

    await writeFile(path.join(out(), names[1]!, 'notes.txt'), 'mine\n');
    const down = await cli('down', out(), '--timeout', '2');
    expect(down.code, down.stderr).toBe(0);
    for (const name of names) expect(await state(name)).toBe('shut off');
    expect(down.stdout).toMatch(/forced off/);

    const overlay = path.join(out(), names[0]!, 'root.qcow2');
    const before = statSync(overlay).mtimeMs;
    const reset = await cli('up', out(), '--reset-disk', names[0]!);
    expect(reset.code, reset.stderr).toBe(0);
    expect(reset.stdout).toMatch(/disk reset/);
    expect(statSync(overlay).mtimeMs).toBeGreaterThan(before);

    const destroyed = await cli('destroy', out(), '--remove-disks', '--timeout', '2');
    expect(destroyed.code, destroyed.stderr).toBe(0);
    for (const name of names) {
      expect(await state(name)).toBe('not defined');
      expect(existsSync(path.join(out(), name, 'root.qcow2'))).toBe(false);
    }
    expect(existsSync(path.join(out(), names[1]!, 'notes.txt'))).toBe(true);
    expect(existsSync(base)).toBe(true);
  }, 300_000);
});
