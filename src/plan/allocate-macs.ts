// MACs for the NICs whose spec gives none. Given MACs are held first and always win; then every MAC a
// lock records is held, before any is derived, so that a new VM whose derived MAC happens to equal an
// existing VM's never takes it; then the rest are derived (see mac-address.ts).
import type { AllocationLock } from './allocation-lock.js';
import { deriveMac, hasMacPrefix, macvtapTail, type MacPrefix } from './mac-address.js';
import type { NicDraft } from './plan-network.js';
import type { VmDraft } from './plan-vm.js';

export interface MacAllocationInput {
  fleet: string;
  prefix: MacPrefix;
  previous: AllocationLock | null;
  /** The lock's file name, for warnings. */
  lockName: string;
}

/** Who holds each MAC, and each macvtap NIC's device name (see macvtapTail), for messages. */
interface MacHolders {
  macs: Map<string, string>;
  tails: Map<string, string>;
}

function hold(holders: MacHolders, draft: VmDraft, nic: NicDraft, macAddress: string): void {
  const who = `${draft.plan.name} ${nic.device}`;
  holders.macs.set(macAddress, who);
  if (nic.host.type === 'direct') holders.tails.set(macvtapTail(macAddress), who);
}

/** Whom `macAddress` would clash with on this NIC, or null when it is free. */
function holderOf(holders: MacHolders, nic: NicDraft, macAddress: string): string | null {
  const exact = holders.macs.get(macAddress);
  if (exact !== undefined) return exact;
  if (nic.host.type !== 'direct') return null;
  const tail = holders.tails.get(macvtapTail(macAddress));
  return tail === undefined ? null : `${tail} (whose macvtap device would have the same name)`;
}

function reserveGivenMacs(drafts: VmDraft[], holders: MacHolders): void {
  for (const draft of drafts) {
    for (const nic of draft.nics) {
      if (nic.macAddress === null) continue;
      const holder = holders.macs.get(nic.macAddress);
      if (holder !== undefined) draft.context.report([...nic.fieldPath, 'mac'], `MAC ${nic.macAddress} is already used by ${holder}`);
      else hold(holders, draft, nic, nic.macAddress);
    }
  }
}

/** Fills in every missing MAC; returns the ones cloudseed chose (kept from the lock or derived), which the lock records. */
export function allocateMacs(drafts: VmDraft[], input: MacAllocationInput): Map<NicDraft, string> {
  const holders: MacHolders = { macs: new Map(), tails: new Map() };
  reserveGivenMacs(drafts, holders);
  const chosen = new Map<NicDraft, string>();
  const refused: { draft: VmDraft; nic: NicDraft; recorded: string; refusal: string }[] = [];
  for (const draft of drafts) {
    for (const nic of draft.nics) {
      if (nic.macAddress !== null) continue;
      const recorded = input.previous?.vms.get(draft.plan.name)?.get(nic.device)?.macAddress ?? null;
      if (recorded === null) continue;
      const holder = holderOf(holders, nic, recorded);
      const refusal = !hasMacPrefix(recorded, input.prefix) ? `is not a macPrefix ${input.prefix} MAC` : holder !== null ? `is now used by ${holder}` : null;
      if (refusal !== null) {
        refused.push({ draft, nic, recorded, refusal });
        continue;
      }
      hold(holders, draft, nic, recorded);
      chosen.set(nic, recorded);
    }
  }
  for (const draft of drafts) {
    for (const nic of draft.nics) {
      if (nic.macAddress !== null || chosen.has(nic)) continue;
      const seed = `${input.fleet}/${draft.plan.name}/${nic.device}`;
      let attempt = 0;
      let mac = deriveMac(seed, input.prefix, attempt);
      while (holderOf(holders, nic, mac) !== null) mac = deriveMac(seed, input.prefix, ++attempt);
      hold(holders, draft, nic, mac);
      chosen.set(nic, mac);
    }
  }
  for (const [nic, mac] of chosen) nic.macAddress = mac;
  for (const { draft, nic, recorded, refusal } of refused) {
    if (chosen.get(nic) !== recorded) draft.context.warn(`${nic.device}: MAC ${recorded}, which ${input.lockName} records, ${refusal}; it gets ${chosen.get(nic)}`);
  }
  return chosen;
}
