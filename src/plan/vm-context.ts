// What every planning step of one VM needs: its merged settings, the fleet-wide options, and a place
// to report problems that points at the field's line in the spec (the VM's own, or `defaults`).
import { formatLocation, type Problem } from '../errors.js';
import type { FleetSpec } from '../spec/load-spec.js';
import type { VmSpec } from '../spec/schema.js';
import type { FieldPath } from '../spec/source-map.js';
import type { AllocationLock } from './allocation-lock.js';
import { originOf } from './merge-defaults.js';
import type { PlanWarning } from './types.js';

export interface PlanEnvironment {
  /** Whether /dev/kvm is usable here; decides `type: auto`. */
  kvmUsable: boolean;
  /** Whether this machine is itself a virtual machine, where KVM is nested; a `type: auto` choice of kvm is then warned of. */
  insideVirtualMachine?: boolean;
  fileExists(path: string): boolean;
  /** Whether `path` is an existing folder; without it, paths are not checked for naming a folder. */
  isDirectory?(path: string): boolean;
  /** A file's bytes (a writeFiles `source`); default: read from this machine's disk. */
  readFile?(path: string): Uint8Array;
}

export interface PlanOptions {
  /** Where `build` writes; the default seed path in the domain is inside it. */
  outputDir: string;
  environment: PlanEnvironment;
  /** Mixed into every password salt; the same secret and spec give the same hashes. */
  saltSecret: string;
  /** Hashes computed ahead (see hashFleetPasswords), by passwordHashKey; any missing one is hashed here. */
  passwordHashes?: ReadonlyMap<string, string>;
  /** What the build is for; a KubeVirt build needs no libvirt root disk. Default libvirt. */
  platform?: 'libvirt' | 'kubevirt';
  /** The spec's lock as read (see readAllocationLockFile), whose MACs and addresses are kept; null: none. */
  allocationLock?: AllocationLock | null;
}

export interface VmContext {
  spec: FleetSpec;
  vmIndex: number;
  vm: VmSpec;
  options: PlanOptions;
  problems: Problem[];
  /** Hashes already computed in this run, by salt and password. */
  passwordHashes: Map<string, string>;
  report(fieldPath: FieldPath, message: string): void;
  /** A warning about this VM: it does not stop the build. */
  warn(message: string): void;
}

/** What each problem list already holds, by place and message: a set, since 10,000 VMs may each report. */
const reported = new WeakMap<Problem[], Set<string>>();

export function createVmContext(
  spec: FleetSpec,
  vmIndex: number,
  vm: VmSpec,
  options: PlanOptions,
  sinks: { problems: Problem[]; warnings: PlanWarning[]; passwordHashes: Map<string, string> },
): VmContext {
  return {
    spec,
    vmIndex,
    vm,
    options,
    problems: sinks.problems,
    passwordHashes: sinks.passwordHashes,
    report(fieldPath, message) {
      const location = spec.source.locate(originOf(spec, vmIndex, fieldPath));
      // A mistake under `defaults` is met once per VM that inherits it, but is one thing to fix.
      const seen = reported.get(sinks.problems) ?? new Set(sinks.problems.map((problem) => `${formatLocation(problem.location)}\0${problem.message}`));
      reported.set(sinks.problems, seen);
      const key = `${formatLocation(location)}\0${message}`;
      if (seen.has(key)) return;
      seen.add(key);
      sinks.problems.push({ location, message });
    },
    warn(message) {
      sinks.warnings.push({ vm: vm.name, message });
    },
  };
}
