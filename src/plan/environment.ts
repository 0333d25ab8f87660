// The facts about this machine that planning depends on, gathered once so the planner stays pure.
import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs';
import type { PlanEnvironment } from './vm-context.js';

export function detectEnvironment(): PlanEnvironment {
  let kvmUsable = false;
  try {
    accessSync('/dev/kvm', constants.R_OK | constants.W_OK);
    kvmUsable = true;
  } catch {
    kvmUsable = false;
  }
  return {
    kvmUsable,
    // The CPU flag every hypervisor sets for its guests: KVM here would be nested KVM.
    insideVirtualMachine: /^flags\s*:.*\bhypervisor\b/m.test(readTextOrEmpty('/proc/cpuinfo')),
    fileExists: (path) => existsSync(path),
    isDirectory: (path) => statSync(path, { throwIfNoEntry: false })?.isDirectory() ?? false,
  };
}

function readTextOrEmpty(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
