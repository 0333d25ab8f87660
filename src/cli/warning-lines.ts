// Warnings as people read them: the same message for many VMs is one line that counts and names the
// first and last of them, not a screenful of copies (a 1000-VM fleet on a build host without its root
// disk would otherwise print 1000 identical lines).
import type { FleetPlan, PlanWarning } from '../plan/index.js';
import { printable } from '../printable-text.js';
import { countOf, vmNames } from './vm-count-text.js';

export function warningLines(warnings: readonly PlanWarning[]): string[] {
  const vmsByMessage = new Map<string, string[]>();
  for (const { vm, message } of warnings) vmsByMessage.set(message, [...(vmsByMessage.get(message) ?? []), vm]);
  return [...vmsByMessage].map(([message, vms]) => {
    const who = vms.length === 1 ? vmNames(vms) : `${countOf(vms.length)} (${vmNames(vms)})`;
    return `warning: ${who}: ${printable(message)}`;
  });
}

/** Every warning of a plan: the VMs', grouped, then the fleet-wide ones of its `host:` section. */
export function fleetWarningLines(plan: Pick<FleetPlan, 'warnings' | 'host'>): string[] {
  return [...warningLines(plan.warnings), ...plan.host.warnings.map((warning) => `warning: ${printable(warning.message)}`)];
}
