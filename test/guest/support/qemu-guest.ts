// A VM of a cloudseed plan booted with bare qemu-system-x86_64: the QEMU arguments are one more
// rendering of the VmPlan (machine, memory, root disk, seed attached as disk or cdrom, NICs with the
// plan's MACs, the SMBIOS serial), plus the test image's kernel. NICs use user-mode networking with
// restrict=on, so nothing the guest sends leaves QEMU.
import { chmod, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import type { VmPlan } from '../../../src/index.js';
import { acceleratorArguments, kvmFailurePattern, type Accelerator } from './accelerator.js';
import type { RunningGuest } from './boot-runner.js';
import type { GuestImage } from './guest-image.js';
import { createRootOverlay } from './root-overlay.js';

/**
 * Root by label, the console on the first serial port, kernel NIC names (eth0), the report; and the TSC
 * as clock: under TCG the kernel would otherwise settle on the HPET, whose every read is emulated.
 * fixtures/libvirt-domain.yaml carries the same line in domain.kernelBoot.cmdline.
 */
export const guestKernelCmdline = 'root=LABEL=cloudseed-root rw console=ttyS0,115200 net.ifnames=0 tsc=reliable cloudseed.report=1';

const nicDevices: Record<string, string> = { virtio: 'virtio-net-pci', e1000: 'e1000', rtl8139: 'rtl8139' };

export function qemuArguments(vm: VmPlan, image: GuestImage, accelerator: Accelerator, consoleLog: string): string[] {
  const { domain, seed } = vm;
  if (domain.seedAttach === null) throw new Error(`${vm.name}: its seed is no disk (seed.format ${seed.format}), so it cannot be attached`);
  const seedDrive = domain.seedAttach.device === 'cdrom'
    // index 2 is the secondary master: hdc on pc, as libvirt names it; an AHCI port on q35.
    ? `file=${seed.hostPath},format=${seed.format},if=ide,index=2,media=cdrom`
    : `file=${seed.hostPath},format=${seed.format},if=virtio`;
  const nics = vm.network.nics.flatMap((nic, index) => [
    '-netdev', `user,id=net${index},restrict=on`,
    '-device', `${nicDevices[nic.model] ?? nic.model},netdev=net${index},mac=${nic.macAddress}`,
  ]);
  return [
    ...acceleratorArguments(accelerator),
    '-machine', domain.machine ?? 'pc',
    '-m', String(domain.memoryMiB),
    '-smp', String(domain.vcpus),
    '-nodefaults', '-display', 'none', '-no-reboot',
    '-kernel', image.kernel, '-initrd', image.initrd, '-append', guestKernelCmdline,
    // The root disk first, so it is vda and the seed, when a disk, vdb. It is a throw-away overlay:
    // cache=unsafe drops the guest's flushes, which cost seconds per boot on a slow host disk.
    '-drive', `file=${domain.rootDisk.path},format=${domain.rootDisk.format},if=virtio,cache=unsafe`,
    '-drive', seedDrive,
    ...(domain.smbiosNoCloud ? ['-smbios', 'type=1,serial=ds=nocloud'] : []),
    ...nics,
    '-serial', `file:${consoleLog}`,
  ];
}

export async function startQemuGuest(vm: VmPlan, image: GuestImage, accelerator: Accelerator, attempt: number): Promise<RunningGuest> {
  await createRootOverlay(image.rootDisk, vm.domain.rootDisk.path);
  const consoleLog = path.join(path.dirname(vm.domain.rootDisk.path), `console-${attempt}.log`);
  const child = execa('qemu-system-x86_64', qemuArguments(vm, image, accelerator, consoleLog), { reject: false, all: true });
  let said = '';
  const ended = new Promise<string>((resolve) => {
    // A KVM that cannot run the guest leaves it hanging: treat its first complaint as the end.
    child.all?.on('data', (chunk: Buffer) => {
      said += chunk.toString();
      if (kvmFailurePattern.test(said)) resolve(`QEMU: ${said.trim().split('\n').slice(0, 3).join(' ')}`);
    });
    void child.then((result) => resolve(`QEMU exited ${result.exitCode ?? result.signal}: ${said.trim().slice(-500)}`));
  });
  return {
    consoleText: () => readFile(consoleLog, 'utf8').catch(() => ''),
    ended,
    stop: async () => {
      child.kill('SIGKILL');
      await child;
    },
  };
}

/**
 * The VM started by the qemu.sh cloudseed wrote for it, as a user without libvirt would: its serial
 * console (on stdout) goes to the log. QEMU= points the script at a wrapper that only swaps the
 * accelerator for the one this run uses (a retry after a KVM failure runs on TCG).
 */
export async function startScriptGuest(script: string, accelerator: Accelerator, attempt: number): Promise<RunningGuest> {
  const directory = path.dirname(script);
  const consoleLog = path.join(directory, `console-${attempt}.log`);
  const wrapper = path.join(directory, `qemu-${accelerator}`);
  await writeFile(wrapper, `#!/bin/bash
# Replaces qemu.sh's -accel and -cpu with: ${acceleratorArguments(accelerator).join(' ')}
words=()
while [ $# -gt 0 ]; do
  case $1 in
    -accel | -cpu) shift 2 ;;
    *) words+=("$1"); shift ;;
  esac
done
echo $$ >"$(dirname "$0")/qemu-${accelerator}.pid"
exec qemu-system-x86_64 ${acceleratorArguments(accelerator).join(' ')} "\${words[@]}"
`);
  await chmod(wrapper, 0o755);
  const child = execa(script, [], { env: { QEMU: wrapper }, reject: false, stdout: { file: consoleLog }, stderr: 'pipe' });
  let said = '';
  const ended = new Promise<string>((resolve) => {
    child.stderr?.on('data', (chunk: Buffer) => {
      said += chunk.toString();
      if (kvmFailurePattern.test(said)) resolve(`QEMU: ${said.trim().split('\n').slice(0, 3).join(' ')}`);
    });
    void child.then((result) => resolve(`qemu.sh exited ${result.exitCode ?? result.signal}: ${said.trim().slice(-500)}`));
  });
  return {
    consoleText: () => readFile(consoleLog, 'utf8').catch(() => ''),
    ended,
    stop: async () => {
      // qemu.sh waits for QEMU; killing QEMU first lets the script end and clean up after itself. By
      // its pid (exec keeps the wrapper's): two boots of one fixture run QEMUs with the same -name.
      const pid = Number(await readFile(`${wrapper}.pid`, 'utf8').catch(() => ''));
      if (pid > 0 && child.exitCode === null) await execa('kill', ['-KILL', String(pid)], { reject: false });
      child.kill('SIGKILL');
      await child;
    },
  };
}
