// A VM's settings are the fleet defaults overlaid by what the VM says (spec/merge-settings.ts says how).
// The origin of each field is kept so a problem points at the line that set it.
import type { FleetSpec } from '../spec/load-spec.js';
import { hasFieldPath, mergeSettings } from '../spec/merge-settings.js';
import type { VmSettings, VmSpec } from '../spec/schema.js';
import type { FieldPath } from '../spec/source-map.js';

export function mergeVmSettings(spec: FleetSpec, vm: VmSpec): VmSpec {
  return mergeSettings<VmSettings>(spec.input.defaults ?? {}, vm) as VmSpec;
}

/**
 * The spec path a VM's field came from: the VM itself, else `defaults`, else where it belongs. A
 * VM's path is into the expanded `vms`; spec.source.locate takes it to the line that wrote the field
 * (a pattern's entry or one of its overrides).
 */
export function originOf(spec: FleetSpec, vmIndex: number, fieldPath: FieldPath): FieldPath {
  const vmPath: FieldPath = ['vms', vmIndex, ...fieldPath];
  if (hasFieldPath(spec.input, vmPath)) return vmPath;
  if (hasFieldPath(spec.input, ['defaults', ...fieldPath])) return ['defaults', ...fieldPath];
  // Not set anywhere: point at the deepest part of the VM that exists.
  return vmPath;
}
