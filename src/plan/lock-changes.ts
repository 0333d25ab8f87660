// What a new allocation lock changes against the old one, one line per VM NIC or pool, for people:
// `frozen` lists them when it refuses a plan, and any caller can show what a build would record.
import type { AllocationLock, LockedNic, PoolAddress } from './allocation-lock.js';

function describeAddress(address: PoolAddress, other: PoolAddress | null): string {
  return other !== null && other.pool !== address.pool ? `${address.address} (pool ${address.pool})` : address.address;
}

function nicChanges(who: string, before: LockedNic | null, after: LockedNic | null, lockName: string): string[] {
  const lines: string[] = [];
  const given: string[] = [];
  const [oldAddress, newAddress] = [before?.address ?? null, after?.address ?? null];
  if (oldAddress === null && newAddress !== null) given.push(newAddress.address);
  else if (oldAddress !== null && newAddress === null) lines.push(`${who} would no longer record ${oldAddress.address} (pool ${oldAddress.pool})`);
  else if (oldAddress !== null && newAddress !== null && (oldAddress.address !== newAddress.address || oldAddress.pool !== newAddress.pool)) {
    lines.push(`${who} would move from ${describeAddress(oldAddress, newAddress)} to ${describeAddress(newAddress, oldAddress)}`);
  }
  const [oldMac, newMac] = [before?.macAddress ?? null, after?.macAddress ?? null];
  if (oldMac === null && newMac !== null) given.push(`MAC ${newMac}`);
  else if (oldMac !== null && newMac === null) lines.push(`${who} would no longer record MAC ${oldMac}`);
  else if (oldMac !== newMac) lines.push(`${who} MAC would change from ${oldMac} to ${newMac}`);
  if (given.length > 0) lines.unshift(`${who} would be given ${given.join(' and ')} (not in ${lockName})`);
  return lines;
}

function vmChanges(name: string, before: Map<string, LockedNic> | undefined, after: Map<string, LockedNic> | undefined, lockName: string): string[] {
  if (after === undefined) {
    const addresses = [...(before?.values() ?? [])].flatMap((nic) => (nic.address === null ? [] : [nic.address.address]));
    return [`${name} would be removed from ${lockName}${addresses.length > 0 ? ` (${addresses.join(', ')} released)` : ''}`];
  }
  const devices = [...new Set([...(before?.keys() ?? []), ...after.keys()])].sort();
  return devices.flatMap((device) => nicChanges(`${name} ${device}`, before?.get(device) ?? null, after.get(device) ?? null, lockName));
}

function releasedChanges(before: AllocationLock | null, after: AllocationLock): string[] {
  const pools = [...new Set([...(before?.released.keys() ?? []), ...after.released.keys()])].sort();
  const handedOut = new Set([...after.vms.values()].flatMap((nics) => [...nics.values()].flatMap((nic) => (nic.address === null ? [] : [nic.address.address]))));
  return pools.flatMap((pool) => {
    const [old, now] = [before?.released.get(pool) ?? [], after.released.get(pool) ?? []];
    const lines = now.filter((address) => !old.includes(address)).map((address) => `pool ${pool}: ${address} would be released`);
    // A released address handed out again is already told by the VM that gets it.
    const forgotten = old.filter((address) => !now.includes(address) && !handedOut.has(address));
    lines.push(...forgotten.map((address) => `pool ${pool}: released ${address} would be forgotten (no longer in the pool's subnet, or the pool is gone)`));
    const sameSet = old.length === now.length && [...old].sort().join() === [...now].sort().join();
    if (sameSet && old.join() !== now.join()) lines.push(`pool ${pool}: the released addresses would be reordered`);
    return lines;
  });
}

/** Every difference between `before` (null: no lock yet) and `after`, VMs in name order, then pools. */
export function describeLockChanges(before: AllocationLock | null, after: AllocationLock, lockName: string): string[] {
  const names = [...new Set([...(before?.vms.keys() ?? []), ...after.vms.keys()])].sort();
  return [...names.flatMap((name) => vmChanges(name, before?.vms.get(name), after.vms.get(name), lockName)), ...releasedChanges(before, after)];
}
