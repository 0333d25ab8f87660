// Warnings as people read them: the same message for many VMs is one line that counts and names the
// first and last of them, not a screenful of copies (a 1000-VM fleet on a build host without its root
// disk would otherwise print 1000 identical lines).
import type { PlanWarning } from '../plan/index.js';
import { printable } from '../printable-text.js';

export function warningLines(warnings: readonly PlanWarning[]): string[] {
  const vmsByMessage = new Map<string, string[]>();
  for (const { vm, message } of warnings) vmsByMessage.set(message, [...(vmsByMessage.get(message) ?? []), vm]);
  return [...vmsByMessage].map(([message, vms]) => {
    const who = vms.length === 1 ? vms[0]! : `${vms.length} VMs (${vms.length === 2 ? vms.join(', ') : `${vms[0]} … ${vms.at(-1)}`})`;
    return `warning: ${printable(who)}: ${printable(message)}`;
  });
}
