// The libvirt side of one VM: machine, disks and where the seed is attached, and the seed image itself.
import path from 'node:path';
import type { FieldPath } from '../spec/source-map.js';
import { resolveSpecFile } from './resolve-spec-file.js';
import type { DomainPlan, SeedAttachPlan, SeedPlan } from './types.js';
import { planRootDisk } from './plan-root-disk.js';
import type { VmContext } from './vm-context.js';

export const seedFileName = 'my-seed.img';
const isTarFormat = (format: string) => format.startsWith('tar');

/**
 * A seed as a virtio disk is seen as soon as the guest boots. As a cdrom it needs a bus the machine
 * has: q35 has no IDE, so SATA there and IDE on the older pc machine.
 */
function planSeedAttach(device: 'disk' | 'cdrom', machine: string | null): SeedAttachPlan {
  if (device === 'disk') return { device, bus: 'virtio', target: 'vdb' };
  const isQ35 = machine !== null && /q35/.test(machine);
  return isQ35 ? { device, bus: 'sata', target: 'sdb' } : { device, bus: 'ide', target: 'hdc' };
}

function planKernelBoot(context: VmContext): DomainPlan['kernelBoot'] {
  const boot = context.vm.domain?.kernelBoot;
  if (!boot) return null;
  const fieldPath: FieldPath = ['domain', 'kernelBoot'];
  return {
    kernel: resolveSpecFile(context, boot.kernel, [...fieldPath, 'kernel'], 'kernel'),
    initrd: boot.initrd === undefined ? null : resolveSpecFile(context, boot.initrd, [...fieldPath, 'initrd'], 'initrd'),
    cmdline: boot.cmdline ?? null,
  };
}

/**
 * `auto` is kvm when /dev/kvm opens here. Only a guest's own kernel proves KVM can run it: nested KVM
 * can open and then hang a guest at boot (an emulation failure the outer hypervisor never fixes), so
 * on a machine that is itself a VM the choice is said, with the way out.
 */
function planDomainType(context: VmContext, requested: 'kvm' | 'qemu' | 'auto'): 'kvm' | 'qemu' {
  if (requested !== 'auto') return requested;
  const { kvmUsable, insideVirtualMachine } = context.options.environment;
  if (kvmUsable && insideVirtualMachine) {
    context.warn('domain.type auto chose kvm because /dev/kvm opens, which is all cloudseed checks; this machine is itself a virtual machine, where nested KVM can open and still hang a guest at boot: if guests hang, set domain.type: qemu (or kvm to keep it and silence this)');
  }
  return kvmUsable ? 'kvm' : 'qemu';
}

export function planDomain(context: VmContext): DomainPlan {
  const domain = context.vm.domain ?? {};
  const machine = domain.machine ?? null;
  return {
    type: planDomainType(context, domain.type ?? 'auto'),
    memoryMiB: domain.memory ?? 2048,
    vcpus: domain.vcpus ?? 1,
    arch: domain.arch ?? 'x86_64',
    machine,
    emulator: domain.emulator ?? null,
    rootDisk: planRootDisk(context),
    kernelBoot: planKernelBoot(context),
    seedAttach: isTarFormat(context.vm.seed?.format ?? 'raw') ? null : planSeedAttach(domain.seedAttach ?? 'disk', machine),
    serialConsole: domain.serialConsole ?? true,
    smbiosNoCloud: domain.smbiosNoCloud ?? true,
    statusChannel: domain.statusChannel ?? true,
  };
}

export function planSeed(context: VmContext): SeedPlan {
  const seed = context.vm.seed ?? {};
  const filesystem = seed.filesystem ?? 'iso9660';
  const attach = context.vm.domain?.seedAttach ?? 'disk';
  // A cdrom has 2048-byte sectors; Linux refuses a FAT written for 512-byte ones on it ("logical
  // sector size too small for device"), and the guest boots without its seed.
  if (filesystem === 'vfat' && attach === 'cdrom') {
    context.report(['seed', 'filesystem'], 'a vfat seed cannot be read from a cdrom (Linux refuses its 512-byte sectors there); use iso9660 or domain.seedAttach: disk');
  }
  if (attach === 'cdrom' && /q35/.test(context.vm.domain?.machine ?? '')) {
    context.warn("a q35 cdrom is on SATA, which some cloud kernels (Debian's linux-image-cloud) cannot see; the guest would boot without its seed");
  }
  const packer = seed.packer ?? 'auto';
  const isoOnly = ['genisoimage', 'mkisofs', 'xorriso'];
  if (filesystem === 'vfat' && isoOnly.includes(packer)) {
    context.report(['seed', 'packer'], `packer ${packer} writes iso9660 only; for vfat use native, mtools, cloud-localds or auto`);
  }
  if (filesystem === 'iso9660' && packer === 'mtools') {
    context.report(['seed', 'packer'], 'packer mtools writes vfat only; for iso9660 use native, genisoimage, xorriso, mkisofs, cloud-localds or auto');
  }
  const format = seed.format ?? 'raw';
  const fileName = isTarFormat(format) ? 'my-seed.tar' : seedFileName;
  const builtPath = path.resolve(context.options.outputDir, context.vm.name, fileName);
  return {
    filesystem,
    format,
    packer,
    label: 'cidata',
    fileName,
    hostPath: seed.hostPath ?? builtPath,
  };
}
