// A VM's settings are the fleet defaults overlaid by what the VM says: maps merge key by key, lists and
// scalars replace. The origin of each field is kept so a problem points at the line that set it.
import type { FleetSpec } from '../spec/load-spec.js';
import type { VmSettings, VmSpec } from '../spec/schema.js';
import type { FieldPath } from '../spec/source-map.js';

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function mergeSettings<T>(base: T | undefined, override: T | undefined): T | undefined {
  if (override === undefined) return base;
  if (!isPlainObject(base) || !isPlainObject(override)) return override;
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) {
    merged[key] = mergeSettings(merged[key], value);
  }
  return merged as T;
}

export function mergeVmSettings(spec: FleetSpec, vm: VmSpec): VmSpec {
  return mergeSettings<VmSettings>(spec.input.defaults ?? {}, vm) as VmSpec;
}

function hasPath(root: unknown, path: FieldPath): boolean {
  let node = root;
  for (const step of path) {
    if (Array.isArray(node) && typeof step === 'number') node = node[step];
    else if (isPlainObject(node) && typeof step === 'string') node = node[step];
    else return false;
    if (node === undefined) return false;
  }
  return true;
}

/** The document path a VM's field came from: the VM itself, else `defaults`, else where it belongs. */
export function originOf(spec: FleetSpec, vmIndex: number, fieldPath: FieldPath): FieldPath {
  const vmPath: FieldPath = ['vms', vmIndex, ...fieldPath];
  if (hasPath(spec.input, vmPath)) return vmPath;
  if (hasPath(spec.input, ['defaults', ...fieldPath])) return ['defaults', ...fieldPath];
  // Not set anywhere: point at the deepest part of the VM that exists.
  return vmPath;
}
