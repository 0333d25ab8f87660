// qemu.sh, the VM without libvirt: bash and shellcheck accept every example's script, --print gives the command
// without touching the host, and real QEMU runs the scripts of a spec with real disks. QEMU is started
// paused (-S) through the script's QEMU= hook and asked over QMP what it built: the root disk and the
// seed in the slots domain.xml gives them, the NICs with their MACs. As root, a macvtap NIC is
// created on a throw-away bridge, handed to QEMU as a descriptor and removed when QEMU ends.
import { execFileSync } from 'node:child_process';
import { chmod, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFleet } from '../../src/output/index.js';
import { macvtapName } from '../../src/render/qemu-command.js';
import { missingTools } from '../support/tools.js';

const seedsDir = path.resolve('seeds');
let work = '';

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'cloudseed-qemu-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** The words of `qemu.sh --print`, split by bash itself. */
async function printedWords(script: string): Promise<string[]> {
  const { stdout } = await execa('bash', ['-c', 'eval "words=($("$0" --print))"; printf "%s\\n" "${words[@]}"', script]);
  return stdout.split('\n');
}

describe.skipIf(missingTools('bash', 'shellcheck').length > 0)('qemu.sh of every example', async () => {
  const examples = (await readdir(seedsDir)).filter((name) => name.endsWith('.yaml'));
  it.each(examples)('%s: bash and shellcheck pass it, and --print names the disks and MACs without touching the host', async (example) => {
    const outputDir = path.join(work, `example-${example}`);
    const { vms } = await buildFleet(path.join(seedsDir, example), { outputDir, environment: { kvmUsable: true, fileExists: () => true } });
    for (const vm of vms) {
      const script = path.join(outputDir, vm.plan.name, 'qemu.sh');
      await execa('bash', ['-n', script]);
      await execa('shellcheck', ['--shell=bash', script]);
      const words = await printedWords(script);
      const text = words.join(' ');
      expect(words[0]).toBe(vm.plan.domain.emulator ?? 'qemu-system-x86_64');
      expect(text).toContain(`file=${vm.plan.domain.rootDisk.path},`);
      if (vm.plan.domain.seedAttach !== null) expect(text).toContain(`file=${vm.plan.seed.hostPath},`);
      for (const nic of vm.plan.network.nics) expect(text).toContain(`mac=${nic.macAddress}`);
      // --print creates nothing: no macvtap device appeared.
      for (const nic of vm.plan.network.nics) expect(existsSync(`/sys/class/net/${macvtapName(nic.macAddress)}`)).toBe(false);
    }
  });
});

/** Sends QMP commands to the socket QEMU listens on and returns each answer's `return`. */
async function askQemu(socket: string, commands: object[]): Promise<unknown[]> {
  for (let attempt = 0; !existsSync(socket); attempt++) {
    if (attempt > 100) throw new Error(`QEMU never opened ${socket}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return new Promise((resolve, reject) => {
    const connection = createConnection(socket);
    const pending = [{ execute: 'qmp_capabilities' }, ...commands];
    const answers: unknown[] = [];
    let buffer = '';
    connection.setEncoding('utf8');
    connection.on('error', reject);
    connection.on('data', (chunk: string) => {
      buffer += chunk;
      for (let end = buffer.indexOf('\n'); end >= 0; end = buffer.indexOf('\n')) {
        const message = JSON.parse(buffer.slice(0, end)) as { QMP?: unknown; return?: unknown; error?: { desc: string } };
        buffer = buffer.slice(end + 1);
        if (message.error) return reject(new Error(message.error.desc));
        if ('return' in message) answers.push(message.return);
        if (message.QMP !== undefined || 'return' in message) {
          const next = pending.shift();
          if (next) connection.write(`${JSON.stringify(next)}\n`);
          else {
            connection.end();
            resolve(answers.slice(1));
          }
        }
      }
    });
  });
}

/** The bus that the device holding drive `drive` sits on, from `info qtree`'s indented tree. */
function busOfDrive(qtree: string, drive: string): string | null {
  const lines = qtree.split(/\r?\n/);
  const at = lines.findIndex((line) => line.trim() === `drive = "${drive}"`);
  const indent = (line: string) => line.length - line.trimStart().length;
  for (let index = at - 1; index >= 0 && at >= 0; index--) {
    const line = lines[index]!;
    if (line.trimStart().startsWith('bus: ') && indent(line) < indent(lines[at]!)) return line.trim().slice('bus: '.length);
  }
  return null;
}

function canCreateLinks(): boolean {
  if (process.getuid?.() !== 0) return false;
  try {
    execFileSync('ip', ['link', 'add', 'cstestprobe0', 'type', 'bridge'], { stdio: 'ignore' });
    execFileSync('ip', ['link', 'delete', 'cstestprobe0'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe.skipIf(missingTools('qemu-system-x86_64', 'qemu-img', 'bash').length > 0)('qemu.sh run by real QEMU', () => {
  const bridge = 'cstestbr0';
  const macvtapUsable = canCreateLinks();
  if (!macvtapUsable) console.warn('qemu.sh macvtap case skipped: needs root and the right to create network links');

  beforeAll(() => {
    if (macvtapUsable) {
      execFileSync('ip', ['link', 'add', bridge, 'type', 'bridge']);
      execFileSync('ip', ['link', 'set', bridge, 'up']);
    }
  });
  afterAll(() => {
    if (macvtapUsable) execFileSync('ip', ['link', 'delete', bridge]);
  });

  const machines = [
    { name: 'pc-disk', machine: 'pc', seed: 'seedAttach: disk', filesystem: 'iso9660', format: 'raw' },
    { name: 'pc-cdrom', machine: 'pc', seed: 'seedAttach: cdrom', filesystem: 'iso9660', format: 'raw' },
    { name: 'q35-cdrom', machine: 'q35', seed: 'seedAttach: cdrom', filesystem: 'iso9660', format: 'raw' },
    { name: 'q35-vfat', machine: 'q35', seed: 'seedAttach: disk', filesystem: 'vfat', format: 'qcow2' },
  ];

  it.each(machines)('$name: QEMU takes the command and holds the disks and NICs domain.xml names', async ({ name, machine, seed, filesystem, format }) => {
    const dir = path.join(work, name);
    const rootDisk = path.join(dir, 'root.qcow2');
    await execa('mkdir', ['-p', dir]);
    await execa('qemu-img', ['create', '-q', '-f', 'qcow2', rootDisk, '64M']);
    const directNic = macvtapUsable ? `, { device: eth1, address: dhcp, host: { type: direct, dev: ${bridge}, mode: bridge } }` : '';
    const spec = path.join(dir, 'spec.yaml');
    await writeFile(spec, `fleet: qemu-script
vms:
  - name: ${name}
    network: { nics: [{ device: eth0, address: dhcp, host: { type: user } }${directNic}] }
    domain: { type: qemu, machine: ${machine}, memory: 256, rootDisk: { base: ${rootDisk} }, ${seed} }
    seed: { filesystem: ${filesystem}, format: ${format} }
`);
    const { vms } = await buildFleet(spec, { outputDir: path.join(dir, 'out') });
    const plan = vms[0]!.plan;
    const socket = path.join(dir, 'qmp.sock');
    // QEMU paused (-S) and listening for QMP; told to quit once asked, or stopped by timeout.
    const wrapper = path.join(dir, 'qemu-paused');
    await writeFile(wrapper, `#!/bin/sh\nexec timeout 20 qemu-system-x86_64 "$@" -S -qmp unix:${socket},server=on,wait=off\n`);
    await chmod(wrapper, 0o755);
    const run = execa(path.join(dir, 'out', name, 'qemu.sh'), [], { env: { QEMU: wrapper }, reject: false, stdin: 'ignore' });
    let answers: unknown[];
    try {
      answers = await askQemu(socket, [
        { execute: 'human-monitor-command', arguments: { 'command-line': 'info block' } },
        { execute: 'human-monitor-command', arguments: { 'command-line': 'info network' } },
        { execute: 'human-monitor-command', arguments: { 'command-line': 'info qtree' } },
        { execute: 'quit' },
      ]);
    } catch (error) {
      run.kill('SIGKILL');
      throw new Error(`QEMU did not answer: ${String(error)}\n${(await run).stderr}`);
    }
    const result = await run;
    const [blocks, network, qtree] = answers as string[];
    expect(blocks).toContain(rootDisk);
    expect(blocks).toContain(plan.seed.hostPath);
    const seedLine = blocks!.split('\n').find((line) => line.includes(plan.seed.hostPath)) ?? '';
    if (plan.domain.seedAttach?.device === 'cdrom') expect(seedLine).toMatch(/read-only/);
    for (const nic of plan.network.nics) expect(network).toContain(`macaddr=${nic.macAddress}`);
    // The seed sits on the controller and port domain.xml's target names: vdb a virtio disk, hdc the
    // second IDE bus of a pc, sdb the second AHCI port of a q35.
    const expectedBus = { vdb: /^virtio-bus$/, hdc: /^ide\.1$/, sdb: /^ide\.1$/ }[plan.domain.seedAttach!.target];
    expect(busOfDrive(qtree!, 'seed'), `seed target ${plan.domain.seedAttach!.target}`).toMatch(expectedBus!);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stderr).not.toMatch(/qemu-system-x86_64: /);
    if (macvtapUsable) expect(existsSync(`/sys/class/net/${macvtapName(plan.network.nics[1]!.macAddress)}`)).toBe(false);
  });
});
