// The facts about this machine that planning depends on, gathered once so the planner stays pure.
import { accessSync, constants, existsSync, statSync } from 'node:fs';
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
    fileExists: (path) => existsSync(path),
    isDirectory: (path) => statSync(path, { throwIfNoEntry: false })?.isDirectory() ?? false,
  };
}
