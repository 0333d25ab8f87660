// A file the spec names for the hypervisor to open (root disk, base image, kernel), resolved and checked.
import path from 'node:path';
import type { FieldPath } from '../spec/source-map.js';
import type { VmContext } from './vm-context.js';

/**
 * A file the spec names for the hypervisor to open. A relative one travels with the spec, so it must be
 * here; an absolute one names a path on the hypervisor, which need not be the machine that builds the
 * seeds, so its absence here is only worth a warning. Either way a folder is never a disk image or a
 * kernel: QEMU would fail to open it at start.
 */
export function resolveSpecFile(context: VmContext, file: string, fieldPath: FieldPath, what: string): string {
  const { fileExists, isDirectory } = context.options.environment;
  const resolved = path.resolve(context.spec.baseDir, file);
  // A KubeVirt build never opens it: its disks come from the cluster (kernelBoot is refused there).
  if (context.options.platform === 'kubevirt') return resolved;
  if (isDirectory?.(resolved)) {
    context.report(fieldPath, `${what} ${resolved} is a folder; expected a file`);
  } else if (!fileExists(resolved)) {
    if (!path.isAbsolute(file)) context.report(fieldPath, `${what} ${resolved} does not exist (a relative path is relative to the spec's folder)`);
    else context.warn(`${what} ${file} is not on this machine; it must exist on the hypervisor`);
  }
  return resolved;
}
