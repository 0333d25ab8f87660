// One boot of the guest tests, from a fixture spec to the guest's report: copy the spec into a work
// folder with this boot's packer, create the files it names (root overlay, kernel, initrd), build the
// seed with buildFleet exactly as a user would, and boot it with bare QEMU or through libvirt.
import { existsSync } from 'node:fs';
import { chmod, copyFile, cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { parseDocument } from 'yaml';
import { buildFleet, type BuiltVm } from '../../../src/index.js';
import type { Accelerator } from './accelerator.js';
import { bootUntilReport, type BootResult } from './boot-runner.js';
import type { GuestImage, GuestSuite } from './guest-image.js';
import { startLibvirtGuest } from './libvirt-guest.js';
import { guestKernelCmdline, startQemuGuest, startScriptGuest } from './qemu-guest.js';
import { createRootOverlay } from './root-overlay.js';

export interface GuestBoot {
  /** A spec in fixtures/ with one VM. */
  fixture: string;
  /** seed.packer for this boot: any packer cloudseed knows. */
  packer: string;
  /** qemu: arguments built by the test; qemu-script: the VM's own qemu.sh; libvirt: its domain.xml. */
  runner: 'qemu' | 'qemu-script' | 'libvirt';
  /** Files the spec's runcmd writes, and what they must hold. */
  runcmdWrites: Record<string, RegExp>;
  /** The guest image's Debian suite, and so its cloud-init; default bookworm. */
  suite?: GuestSuite;
}

/** The boot's name in test titles and CLOUDSEED_GUEST_ONLY: its fixture, and a suite other than bookworm. */
export function bootName(boot: GuestBoot): string {
  return boot.suite === undefined || boot.suite === 'bookworm' ? boot.fixture : `${boot.fixture}@${boot.suite}`;
}

export interface BootContext {
  image: GuestImage;
  accelerator: Accelerator;
  timeoutMs: number;
  log(line: string): void;
}

export interface BootOutcome extends BootResult {
  built: BuiltVm;
  /** The user-data the build wrote for the guest. */
  userData: string;
  specText: string;
  workDirectory: string;
}

const fixturesDirectory = fileURLToPath(new URL('../fixtures/', import.meta.url));

/** The spec as this boot builds it: the fixture with seed.packer set, and the files it reads beside it. */
async function writeBootSpec(boot: GuestBoot, directory: string): Promise<{ specFile: string; specText: string }> {
  const document = parseDocument(await readFile(path.join(fixturesDirectory, boot.fixture), 'utf8'));
  document.setIn(['vms', 0, 'seed', 'packer'], boot.packer);
  const specText = document.toString();
  const specFile = path.join(directory, boot.fixture);
  await writeFile(specFile, specText);
  // Files a spec's writeFiles read (`source:`), relative to the spec as they are to the fixture.
  await cp(path.join(fixturesDirectory, 'files'), path.join(directory, 'files'), { recursive: true });
  return { specFile, specText };
}

/**
 * The spec names its root disk (and, for libvirt and qemu.sh, kernel and initrd) relative to itself:
 * they are made here. libvirt's QEMU runs as another user, so its files are copies in this
 * world-readable folder rather than links into the cache under the home folder.
 */
async function placeGuestFiles(boot: GuestBoot, specText: string, directory: string, image: GuestImage): Promise<void> {
  const document = parseDocument(specText);
  const named = (...field: string[]) => path.join(directory, String(document.getIn(['vms', 0, 'domain', ...field])));
  if (boot.runner === 'qemu') return createRootOverlay(image.rootDisk, named('rootDisk', 'path'));
  const cmdline = document.getIn(['vms', 0, 'domain', 'kernelBoot', 'cmdline']);
  if (cmdline !== guestKernelCmdline) throw new Error(`${boot.fixture}: domain.kernelBoot.cmdline must be "${guestKernelCmdline}"`);
  const base = path.join(directory, 'guest-base.qcow2');
  await copyFile(image.rootDisk, base);
  await copyFile(image.kernel, named('kernelBoot', 'kernel'));
  await copyFile(image.initrd, named('kernelBoot', 'initrd'));
  await createRootOverlay(base, named('rootDisk', 'path'));
}

/** The taps a libvirt spec names are made here and left down, so nothing the guest sends goes anywhere. */
async function withTaps<T>(built: BuiltVm, work: () => Promise<T>): Promise<T> {
  const taps = built.plan.network.nics.flatMap((nic) => (nic.host.type === 'ethernet' ? [nic.host.tap] : []));
  for (const tap of taps) {
    await execa('ip', ['tuntap', 'del', 'dev', tap, 'mode', 'tap'], { reject: false });
    await execa('ip', ['tuntap', 'add', 'dev', tap, 'mode', 'tap']);
  }
  try {
    return await work();
  } finally {
    for (const tap of taps) await execa('ip', ['tuntap', 'del', 'dev', tap, 'mode', 'tap'], { reject: false });
  }
}

export async function runGuestBoot(boot: GuestBoot, context: BootContext): Promise<BootOutcome> {
  const workDirectory = await mkdtemp(path.join(tmpdir(), `cloudseed-guest-${path.parse(boot.fixture).name}-`));
  await chmod(workDirectory, 0o755);
  const { specFile, specText } = await writeBootSpec(boot, workDirectory);
  await placeGuestFiles(boot, specText, workDirectory, context.image);
  const result = await buildFleet(specFile, {
    outputDir: path.join(workDirectory, 'out'),
    environment: { kvmUsable: context.accelerator === 'kvm', fileExists: existsSync },
  });
  const built = result.vms[0]!;
  const vm = built.plan;
  const base = boot.runner === 'qemu' ? context.image.rootDisk : path.join(workDirectory, 'guest-base.qcow2');
  const booted = await withTaps(built, () => bootUntilReport({
    accelerator: context.accelerator,
    timeoutMs: context.timeoutMs,
    log: (line) => context.log(`${vm.name}: ${line}`),
    start: async (accelerator, attempt) => {
      if (boot.runner === 'qemu') return startQemuGuest(vm, context.image, accelerator, attempt);
      await createRootOverlay(base, vm.domain.rootDisk.path);
      if (boot.runner === 'qemu-script') return startScriptGuest(path.join(workDirectory, 'out', vm.name, 'qemu.sh'), accelerator, attempt);
      return startLibvirtGuest(path.join(workDirectory, 'out', vm.name, 'domain.xml'), vm.name);
    },
  })).catch((error: Error) => {
    throw new Error(`${error.message}\n(the spec, seed and console logs are in ${workDirectory})`, { cause: error });
  });
  await writeFile(path.join(workDirectory, 'report.json'), `${JSON.stringify(booted.report, null, 1)}\n`);
  const userData = await readFile(path.join(workDirectory, 'out', vm.name, 'user-data'), 'utf8');
  return { ...booted, built, userData, specText, workDirectory };
}
