// A VM's own root disk: a qcow2 overlay over the spec's base, made by `up` when it is missing and never
// replaced after (it holds the guest's state) unless `--reset-disk` asks for it. On this machine with
// qemu-img; on a remote host as a volume in a storage pool (see remote-volumes.ts).
import { existsSync } from 'node:fs';
import { readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { CloudseedError } from '../errors.js';
import type { VmPlan } from '../plan/types.js';

export interface ImageInfo {
  virtualSize: number;
  format: string;
  /** The backing file as the image records it, or null. */
  backingFile: string | null;
}

export async function imageInfo(file: string): Promise<ImageInfo> {
  const { execa } = await import('execa');
  // -U: the base is open read-only by running VMs, whose lock would refuse a plain open.
  const result = await execa('qemu-img', ['info', '-U', '--output=json', file], { reject: false, env: { LC_ALL: 'C' } });
  if (result.exitCode !== 0) throw new CloudseedError('TOOL_FAILED', `qemu-img info ${file} failed: ${result.stderr.trim()}`);
  const info = JSON.parse(result.stdout) as { 'virtual-size': number; format: string; 'backing-filename'?: string; 'full-backing-filename'?: string };
  return { virtualSize: info['virtual-size'], format: info.format, backingFile: info['full-backing-filename'] ?? info['backing-filename'] ?? null };
}

export type OverlayAction = 'created' | 'kept' | 'reset';

/** Checks that a VM's base is usable, before anything is made for any VM: what is wrong, or null. */
export async function checkBase(vm: VmPlan, baseOnThisMachine: boolean): Promise<string | null> {
  const overlay = vm.domain.rootDisk.overlay;
  if (overlay === null || !baseOnThisMachine) return null;
  if (!existsSync(overlay.base)) return `base image ${overlay.base} does not exist`;
  const info = await imageInfo(overlay.base);
  if (info.format !== overlay.baseFormat) {
    return `base image ${overlay.base} is ${info.format}, but the spec reads it as ${overlay.baseFormat} (set domain.rootDisk.format)`;
  }
  if (overlay.sizeBytes !== null && overlay.sizeBytes < info.virtualSize) {
    return `rootDisk.size ${overlay.sizeBytes} bytes is smaller than its base (${info.virtualSize} bytes); an overlay cannot shrink its base`;
  }
  return null;
}

/**
 * Makes the VM's overlay on this machine when it is missing, or again when `reset` asks. `record` runs
 * first (it notes the disk as cloudseed's), and the image is made under a temporary name and renamed:
 * a run killed at any point leaves either no overlay or a whole one, and never one of ours unrecorded.
 */
export async function ensureLocalOverlay(vm: VmPlan, reset: boolean, record: () => void): Promise<{ action: OverlayAction; note: string | null }> {
  const { path: overlayPath, overlay } = vm.domain.rootDisk;
  if (overlay === null) throw new Error(`VM ${vm.name} has no overlay`);
  const exists = existsSync(overlayPath);
  if (exists && !reset) {
    const { backingFile } = await imageInfo(overlayPath);
    const note = backingFile === overlay.base ? null : `its overlay is over ${backingFile ?? 'no base'}, not the spec's ${overlay.base}; up --reset-disk makes it again (the guest's disk is lost)`;
    return { action: 'kept', note };
  }
  record();
  // What a killed run left under a temporary name is ours: the record above was written before it.
  const folder = path.dirname(overlayPath);
  for (const name of await readdir(folder)) {
    if (name.startsWith(`${path.basename(overlayPath)}.new-`)) await rm(path.join(folder, name), { force: true });
  }
  const { execa } = await import('execa');
  const size = overlay.sizeBytes === null ? [] : [String(overlay.sizeBytes)];
  const partial = `${overlayPath}.new-${process.pid}`;
  const result = await execa('qemu-img', ['create', '-q', '-f', 'qcow2', '-F', overlay.baseFormat, '-b', overlay.base, partial, ...size], { reject: false, env: { LC_ALL: 'C' } });
  if (result.exitCode !== 0) {
    await rm(partial, { force: true });
    throw new CloudseedError('TOOL_FAILED', `VM ${vm.name}: qemu-img create ${overlayPath} failed: ${result.stderr.trim()}`);
  }
  await rename(partial, overlayPath);
  return { action: exists ? 'reset' : 'created', note: null };
}
