// kill -9 at a random moment of `cloudseed up`, then `up` again: the fleet converges (every domain
// defined and running, every overlay whole and recorded as cloudseed's), and destroy --remove-disks
// then leaves nothing behind. Real libvirtd, domains without a guest OS, the bundled CLI as users run it.
import { randomBytes, randomInt } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliCommand } from '../cli/support/run-cloudseed.js';
import { ensureLibvirtd, type Libvirtd } from '../guest/support/libvirt-guest.js';
import { inCI, missingTools } from '../support/tools.js';

const needsRoot = process.getuid?.() !== 0;
if (needsRoot && inCI) throw new Error('CI=true and the up kill test needs root (libvirtd)');
const skip = needsRoot || missingTools('virsh', 'libvirtd', 'qemu-img', 'qemu-system-x86_64').length > 0;
const seed = Number(process.env.CLOUDSEED_KILL_SEED ?? randomInt(1, 2 ** 31));

/** `running`, `shut off`, …, or `not defined`; with the reason when it is neither running nor off. */
async function state(name: string): Promise<string> {
  const result = await execa('virsh', ['-q', '-c', 'qemu:///system', 'domstate', '--reason', name], { reject: false });
  if (result.exitCode !== 0) return 'not defined';
  return result.stdout.trim().replace(/^(running|shut off) \(.*\)$/, '$1');
}

describe.skipIf(skip)(`kill -9 in the middle of up (seed ${seed})`, () => {
  let libvirtd: Libvirtd | null = null;
  let folder = '';
  const tag = randomBytes(3).toString('hex');
  const names = [1, 2, 3].map((n) => `cs-kill-${tag}-${n}`);
  const rounds = 4;

  beforeAll(async () => {
    libvirtd = await ensureLibvirtd();
    folder = await mkdtemp(path.join(tmpdir(), 'cloudseed-up-kill-'));
    await execa('qemu-img', ['create', '-q', '-f', 'qcow2', path.join(folder, 'base.qcow2'), '32M']);
    await writeFile(path.join(folder, 'fleet.yaml'), `fleet: kill-${tag}
defaults:
  network: { config: v2, nics: [] }
  domain: { type: qemu, memory: 96, rootDisk: { base: base.qcow2 } }
vms:
${names.map((name) => `  - name: ${name}`).join('\n')}
`);
  }, 120_000);

  afterAll(async () => {
    for (const name of names) {
      await execa('virsh', ['-c', 'qemu:///system', 'destroy', name], { reject: false });
      await execa('virsh', ['-c', 'qemu:///system', 'undefine', name], { reject: false });
    }
    await libvirtd?.stop();
    if (folder) await rm(folder, { recursive: true, force: true });
  });

  it(`converges after each of ${rounds} kills, and destroy --remove-disks leaves nothing`, async () => {
    const out = path.join(folder, 'out');
    const up = ['node', [...cliCommand, 'up', path.join(folder, 'fleet.yaml'), '-o', out]] as const;
    let random = seed;
    const next = () => (random = (random * 48271) % 2147483647);
    for (let round = 0; round < rounds; round++) {
      const child = execa(up[0], up[1], { reject: false });
      await new Promise((resolve) => setTimeout(resolve, 200 + (next() % 2500)));
      child.kill('SIGKILL');
      await child;
      if (round % 2 === 1) {
        // Every other round from a fleet half torn down: VMs stopped, one undefined.
        await execa('node', [...cliCommand, 'down', out, '--timeout', '1'], { reject: false });
        await execa('virsh', ['-c', 'qemu:///system', 'undefine', names[round % names.length]!], { reject: false });
      }
      const again = await execa(up[0], up[1], { reject: false, all: true });
      expect(again.exitCode, `round ${round}: ${again.all}`).toBe(0);
      for (const name of names) {
        expect(await state(name), `round ${round}: ${name}`).toBe('running');
        const info = JSON.parse((await execa('qemu-img', ['info', '-U', '--output=json', path.join(out, name, 'root.qcow2')])).stdout) as Record<string, unknown>;
        expect(info['backing-filename'], `round ${round}: ${name}`).toBe(path.join(folder, 'base.qcow2'));
        // No temporary overlay is left under another name.
        expect(readdirSync(path.join(out, name)).filter((file) => file.includes('.new-')), `round ${round}`).toEqual([]);
      }
      const recorded = JSON.parse(await readFile(path.join(out, '.cloudseed', 'disks.json'), 'utf8')) as { disks: { vm: string }[] };
      expect(recorded.disks.map((disk) => disk.vm).sort(), `round ${round}`).toEqual(names);
    }
    const destroyed = await execa('node', [...cliCommand, 'destroy', out, '--remove-disks', '--timeout', '1'], { reject: false, all: true });
    expect(destroyed.exitCode, destroyed.all).toBe(0);
    for (const name of names) {
      expect(await state(name)).toBe('not defined');
      expect(existsSync(path.join(out, name, 'root.qcow2'))).toBe(false);
    }
  }, 600_000);
});
