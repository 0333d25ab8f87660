// Pool addresses for the NICs that ask for one. Pinned and static addresses and pool gateways are
// held first and always win. With a lock, a NIC keeps the address it records while that is still
// valid; a new NIC takes the lowest address never handed out; the addresses of NICs that are gone are
// handed out again only when the pool has nothing else, oldest first, so a stale ARP entry, DNS
// record or firewall rule for a removed VM does not silently point at a new one.
import { formatIpv4, parseIpv4, subnetContains } from '../spec/ipv4.js';
import type { AllocationLock, PoolAddress } from './allocation-lock.js';
import type { NicDraft, PoolPlan } from './plan-network.js';
import type { VmDraft } from './plan-vm.js';

export interface AddressAllocation {
  /** The address each pool NIC was given. */
  assigned: Map<NicDraft, PoolAddress>;
  /** For the new lock, by pool: addresses once recorded and now held by no NIC of the lock, oldest first. */
  released: Map<string, string[]>;
}

export interface AddressLockInput {
  previous: AllocationLock | null;
  /** The lock's file name, for warnings. */
  lockName: string;
}

interface PoolNic {
  draft: VmDraft;
  nic: NicDraft;
  pool: PoolPlan;
}

/** Address → who holds it, for messages: pool gateways, then every static or pinned address (duplicates reported). */
function reserveFixedAddresses(drafts: VmDraft[], pools: Map<string, PoolPlan>): Map<number, string> {
  const taken = new Map<number, string>();
  for (const pool of pools.values()) {
    const gateway = pool.gateway === null ? null : parseIpv4(pool.gateway);
    if (gateway !== null) taken.set(gateway, `the gateway of pool ${pool.name}`);
  }
  for (const draft of drafts) {
    for (const nic of draft.nics) {
      if (nic.addressing.kind !== 'static') continue;
      const value = parseIpv4(nic.addressing.address)!;
      const holder = taken.get(value);
      if (holder !== undefined) draft.context.report([...nic.fieldPath, 'address'], `address ${nic.addressing.address} is already used by ${holder}`);
      else taken.set(value, `${draft.plan.name} ${nic.device}`);
    }
  }
  return taken;
}

/** Why a NIC cannot keep the address its lock records, or null when it can. */
function refusalOf(recorded: PoolAddress, pool: PoolPlan, taken: Map<number, string>, lockName: string): string | null {
  if (recorded.pool !== pool.name) return `the address ${lockName} records is from pool ${recorded.pool}, and the NIC now takes one from pool ${pool.name}`;
  const value = parseIpv4(recorded.address)!;
  if (value < pool.first || value > pool.last) return `the address ${lockName} records is outside pool ${pool.name}'s range ${formatIpv4(pool.first)}-${formatIpv4(pool.last)} now`;
  const holder = taken.get(value);
  if (holder !== undefined) return `${recorded.address}, which ${lockName} records, is now used by ${holder}`;
  return null;
}

/**
 * By pool, the addresses that may be handed out only when the pool has no never-used one left: those
 * the old lock had released, oldest first, then those recorded for NICs that did not keep them (gone,
 * renamed, moved), in address order. Addresses that left the pool's subnet are forgotten.
 */
function reservedAddresses(previous: AllocationLock | null, pools: Map<string, PoolPlan>, kept: Set<string>): Map<string, number[]> {
  const reserved = new Map<string, number[]>();
  if (previous === null) return reserved;
  const dropped = new Map<string, number[]>();
  for (const nics of previous.vms.values()) {
    for (const { address } of nics.values()) {
      if (address === null || kept.has(`${address.pool} ${address.address}`)) continue;
      const list = dropped.get(address.pool) ?? [];
      list.push(parseIpv4(address.address)!);
      dropped.set(address.pool, list);
    }
  }
  for (const pool of pools.values()) {
    const earlier = (previous.released.get(pool.name) ?? []).map((address) => parseIpv4(address)!);
    const now = (dropped.get(pool.name) ?? []).sort((a, b) => a - b);
    const usable = [...earlier, ...now].filter((address) => subnetContains(pool.subnet, address) && !kept.has(`${pool.name} ${formatIpv4(address)}`));
    reserved.set(pool.name, [...new Set(usable)]);
  }
  return reserved;
}

export function allocateAddresses(drafts: VmDraft[], pools: Map<string, PoolPlan>, lock: AddressLockInput): AddressAllocation {
  const taken = reserveFixedAddresses(drafts, pools);
  const poolNics: PoolNic[] = drafts.flatMap((draft) =>
    draft.nics.flatMap((nic) => (nic.addressing.kind === 'pool' ? [{ draft, nic, pool: nic.addressing.pool }] : [])),
  );
  const assigned = new Map<NicDraft, PoolAddress>();
  const give = ({ draft, nic, pool }: PoolNic, value: number) => {
    taken.set(value, `${draft.plan.name} ${nic.device}`);
    assigned.set(nic, { pool: pool.name, address: formatIpv4(value) });
    nic.addressing = { kind: 'static', address: formatIpv4(value), ...pool.subnet };
  };
  const refused: { entry: PoolNic; recorded: PoolAddress; refusal: string }[] = [];
  // Every recorded address is held before any new one is chosen, whatever the order of the VMs.
  for (const entry of poolNics) {
    const recorded = lock.previous?.vms.get(entry.draft.plan.name)?.get(entry.nic.device)?.address ?? null;
    if (recorded === null) continue;
    const refusal = refusalOf(recorded, entry.pool, taken, lock.lockName);
    if (refusal === null) give(entry, parseIpv4(recorded.address)!);
    else refused.push({ entry, recorded, refusal });
  }
  const kept = new Set([...assigned.values()].map(({ pool, address }) => `${pool} ${address}`));
  const reserved = reservedAddresses(lock.previous, pools, kept);
  handOutNewAddresses(poolNics.filter(({ nic }) => !assigned.has(nic)), reserved, taken, give);
  for (const { entry, recorded, refusal } of refused) {
    const now = assigned.get(entry.nic);
    if (now !== undefined && now.address !== recorded.address) entry.draft.context.warn(`${entry.nic.device}: ${refusal}; it gets a new address`);
  }
  const handedOut = new Set([...assigned.values()].map(({ pool, address }) => `${pool} ${address}`));
  const released = new Map(
    [...reserved].map(([pool, addresses]) => [pool, addresses.map(formatIpv4).filter((address) => !handedOut.has(`${pool} ${address}`))] as const),
  );
  return { assigned, released };
}

/** Lowest never-used address first; then, once a pool has none, its reserved ones in their order. */
function handOutNewAddresses(entries: PoolNic[], reserved: Map<string, number[]>, taken: Map<number, string>, give: (entry: PoolNic, value: number) => void): void {
  // Both cursors only move forward: what they pass is taken or unusable for the rest of the run.
  const nextFresh = new Map<string, number>();
  const nextReserved = new Map<string, number>();
  const reservedSets = new Map([...reserved].map(([pool, addresses]) => [pool, new Set(addresses)]));
  for (const entry of entries) {
    const { pool } = entry;
    const held = reservedSets.get(pool.name) ?? new Set<number>();
    let candidate = nextFresh.get(pool.name) ?? pool.first;
    while (candidate <= pool.last && (taken.has(candidate) || held.has(candidate))) candidate++;
    nextFresh.set(pool.name, candidate);
    if (candidate <= pool.last) {
      give(entry, candidate);
      continue;
    }
    const queue = reserved.get(pool.name) ?? [];
    let index = nextReserved.get(pool.name) ?? 0;
    while (index < queue.length && (taken.has(queue[index]!) || queue[index]! < pool.first || queue[index]! > pool.last)) index++;
    nextReserved.set(pool.name, index);
    if (index < queue.length) {
      give(entry, queue[index]!);
      // Worth knowing: something may still point at the address (an ARP cache, a DNS record, a known_hosts line).
      entry.draft.context.warn(`${entry.nic.device}: pool ${pool.name} has no never-used address left, so it gets ${formatIpv4(queue[index]!)}, which another NIC held before`);
    } else entry.draft.context.report([...entry.nic.fieldPath, 'pool'], `pool ${pool.name} has no free address left (${formatIpv4(pool.first)}-${formatIpv4(pool.last)})`);
  }
}
