// The disk a VM boots from: an image it owns (`path`), or its own copy-on-write overlay over a shared
// base (`base`). The overlay is made by `cloudseed up`, not by `build`: it holds the guest's state, so it
// must outlive every rebuild, and on a remote host it is made there, in a storage pool.
import path from 'node:path';
import { parseDiskSize } from '../spec/formats.js';
import { resolveSpecFile } from './resolve-spec-file.js';
import type { DiskFormat } from '../pack/seed-file.js';
import type { RootDiskPlan } from './types.js';
import type { VmContext } from './vm-context.js';

export const overlayFileName = 'root.qcow2';

function formatOf(file: string, stated: DiskFormat | undefined): DiskFormat {
  return stated ?? (/\.(img|raw)$/i.test(file) ? 'raw' : 'qcow2');
}

/** An absolute path is kept as written: it is the hypervisor's, not this machine's. */
function hypervisorPath(file: string, resolved: string): string {
  return path.isAbsolute(file) ? file : resolved;
}

export function planRootDisk(context: VmContext): RootDiskPlan {
  const rootDisk = context.vm.domain?.rootDisk;
  const fieldPath = ['domain', 'rootDisk'];
  const missing: RootDiskPlan = { path: '', format: 'qcow2', overlay: null };
  if (!rootDisk || (rootDisk.path === undefined && rootDisk.base === undefined)) {
    // A VM only ever built for KubeVirt boots kubevirt.rootDisk, and nothing reads this one.
    if (context.options.platform === 'kubevirt') return missing;
    context.report(fieldPath, 'every VM needs domain.rootDisk: `base` (an image each VM gets its own overlay over) or `path` (a disk this VM alone writes)');
    return missing;
  }
  if (rootDisk.path !== undefined && rootDisk.base !== undefined) {
    context.report(fieldPath, 'expected either rootDisk.path (a disk this VM writes) or rootDisk.base (an image under its own overlay), not both');
    return missing;
  }
  if (rootDisk.path !== undefined) {
    if (rootDisk.size !== undefined) context.report([...fieldPath, 'size'], 'size applies to an overlay over rootDisk.base; a disk given by path keeps its own size');
    const resolved = resolveSpecFile(context, rootDisk.path, [...fieldPath, 'path'], 'root disk');
    return { path: hypervisorPath(rootDisk.path, resolved), format: formatOf(rootDisk.path, rootDisk.format), overlay: null };
  }
  const base = rootDisk.base!;
  const resolved = resolveSpecFile(context, base, [...fieldPath, 'base'], 'base image');
  return {
    path: path.resolve(context.options.outputDir, context.vm.name, overlayFileName),
    format: 'qcow2',
    overlay: {
      base: hypervisorPath(base, resolved),
      baseFormat: formatOf(base, rootDisk.format),
      sizeBytes: rootDisk.size === undefined ? null : parseDiskSize(String(rootDisk.size)),
    },
  };
}
