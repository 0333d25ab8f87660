// KVM or TCG. /dev/kvm can exist, open, and still fail to run a guest (nested virtualisation without
// the CPU features a kernel uses: QEMU then prints "KVM internal error" and the guest hangs), so KVM is
// chosen only after the guest's own kernel has booted under it as far as looking for a root disk.
// CLOUDSEED_GUEST_ACCEL=kvm|tcg skips the probe.
import { constants } from 'node:fs';
import { access, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import type { GuestImage } from './guest-image.js';

export type Accelerator = 'kvm' | 'tcg';

export interface AcceleratorChoice {
  accelerator: Accelerator;
  reason: string;
}

/** The -accel and -cpu arguments. A named model under KVM: `-cpu host` trips over MSRs nested hosts lack. */
export function acceleratorArguments(accelerator: Accelerator): string[] {
  return accelerator === 'kvm' ? ['-accel', 'kvm'] : ['-accel', 'tcg', '-cpu', 'max'];
}

/** Lines QEMU prints when KVM cannot run this guest. */
export const kvmFailurePattern = /KVM internal error|kvm run failed|failed to set MSR|Could not access KVM kernel module|failed to initialize kvm/i;

async function kvmDeviceUsable(): Promise<boolean> {
  try {
    await access('/dev/kvm', constants.R_OK | constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

// A working KVM gets there in about two seconds; a broken one may hang without a word, as on the
// nested hosts that lack what the kernel uses (seen here: an emulation failure on a locked cmpxchg16b).
const probeTimeoutMs = 20_000;

/** Boots the kernel with no root disk under KVM: it must reach the panic that asks for one. */
async function probeKvm(image: GuestImage): Promise<string | null> {
  const directory = await mkdtemp(path.join(tmpdir(), 'cloudseed-kvm-probe-'));
  const consoleLog = path.join(directory, 'console.log');
  try {
    const child = execa('qemu-system-x86_64', [
      ...acceleratorArguments('kvm'), '-machine', 'pc', '-m', '256', '-nodefaults', '-display', 'none', '-no-reboot',
      '-kernel', image.kernel, '-append', 'console=ttyS0 panic=-1 root=/dev/nonexistent',
      '-serial', `file:${consoleLog}`,
    ], { reject: false, timeout: probeTimeoutMs, all: true });
    // A failed KVM guest hangs rather than exits: stop at the first word of it.
    let said = '';
    child.all?.on('data', (chunk: Buffer) => {
      said += chunk.toString();
      if (kvmFailurePattern.test(said)) child.kill('SIGKILL');
    });
    const probe = await child;
    const console = await readFile(consoleLog, 'utf8').catch(() => '');
    if (/Kernel panic|VFS: Unable to mount root/.test(console)) return null;
    const failure = kvmFailurePattern.exec(probe.all ?? '')?.[0];
    if (failure) return `KVM probe: QEMU said "${failure}"`;
    if (probe.timedOut) return `KVM probe: the kernel did not reach its root-disk panic within ${probeTimeoutMs / 1000} s`;
    return `KVM probe: QEMU exited ${probe.exitCode} before the kernel panicked: ${(probe.all ?? '').slice(-300)}`;
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

export async function chooseAccelerator(image: GuestImage, env: NodeJS.ProcessEnv = process.env): Promise<AcceleratorChoice> {
  const forced = env.CLOUDSEED_GUEST_ACCEL;
  if (forced === 'kvm' || forced === 'tcg') return { accelerator: forced, reason: `CLOUDSEED_GUEST_ACCEL=${forced}` };
  if (!(await kvmDeviceUsable())) return { accelerator: 'tcg', reason: '/dev/kvm is missing or not readable and writable' };
  const failure = await probeKvm(image);
  return failure === null
    ? { accelerator: 'kvm', reason: 'the KVM probe booted the guest kernel' }
    : { accelerator: 'tcg', reason: failure };
}
