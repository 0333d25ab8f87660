// The fleet's plan: every VM resolved, then what only the whole fleet can decide — pool addresses,
// derived MACs, kept stable by the allocation lock — and what only the whole fleet can check:
// duplicate names, addresses and MACs.
import path from 'node:path';
import { throwIfProblems, type Problem } from '../errors.js';
import type { FleetSpec } from '../spec/load-spec.js';
import type { FieldPath } from '../spec/source-map.js';
import { allocateAddresses, type AddressAllocation } from './allocate-addresses.js';
import { allocateMacs } from './allocate-macs.js';
import { lockFilePath, type AllocationLock, type LockedNic } from './allocation-lock.js';
import { macvtapTail } from './mac-address.js';
import { passwordCacheEntries } from './password-cache.js';
import { mergeVmSettings } from './merge-defaults.js';
import { planPool, type NicDraft, type PoolPlan } from './plan-network.js';
import { domainUuid } from './domain-uuid.js';
import { planHostNetwork, vmHostNetwork } from './plan-host-network.js';
import { planVmDraft, type VmDraft } from './plan-vm.js';
import type { FleetPlan, NicPlan, PlanWarning, VmPlan } from './types.js';
import { createVmContext, type PlanOptions } from './vm-context.js';

function planPools(spec: FleetSpec, problems: Problem[]): Map<string, PoolPlan> {
  const pools = new Map<string, PoolPlan>();
  for (const [name, pool] of Object.entries(spec.input.pools ?? {})) {
    const report = (fieldPath: FieldPath, message: string) =>
      problems.push({ location: spec.source.locate(['pools', name, ...fieldPath]), message });
    pools.set(name, planPool(name, pool, report));
  }
  return pools;
}

/**
 * Another VM as a problem names it: by its name and the line of its entry. Not by `vms[N]`: with name
 * patterns, a VM's place in the fleet is not its entry's place in the file.
 */
function otherVm(draft: VmDraft, field = 'name'): string {
  const { line } = draft.context.spec.source.locate(['vms', draft.context.vmIndex, field]);
  return `VM ${draft.plan.name}${line === null ? '' : ` (line ${line})`}`;
}

/**
 * Each name is a folder of the output: names that differ only in case are one folder on a
 * case-insensitive file system (macOS, Windows, some network shares). Returns the VMs whose name clashed.
 */
function checkUniqueNames(drafts: VmDraft[]): Set<number> {
  const seen = new Map<string, number>();
  const clashed = new Set<number>();
  drafts.forEach((draft, index) => {
    const { name } = draft.plan;
    const first = seen.get(name.toLowerCase());
    if (first === undefined) {
      seen.set(name.toLowerCase(), index);
      return;
    }
    clashed.add(index);
    const other = drafts[first]!;
    if (other.plan.name === name) draft.context.report(['name'], `VM name "${name}" is already used by the entry at line ${other.context.spec.source.locate(['vms', other.context.vmIndex, 'name']).line}`);
    else draft.context.report(['name'], `VM name "${name}" differs from ${otherVm(other)} only in case; expected names that stay apart on a case-insensitive file system`);
  });
  return clashed;
}

/**
 * A pinned instance-id shared by two VMs makes cloud-init take one for the other; two VMs with one name
 * (fqdn, else hostname; DNS ignores case) cannot both be reached by it. A VM whose name already
 * clashed is skipped, so that a copied VM is one problem, not two.
 */
function checkUniqueIdentities(drafts: VmDraft[], skip: Set<number>): void {
  const instanceIds = new Map<string, number>();
  const hostnames = new Map<string, number>();
  drafts.forEach((draft, index) => {
    const { pinnedInstanceId, fqdn, hostname } = draft.plan;
    if (pinnedInstanceId !== null) {
      const first = instanceIds.get(pinnedInstanceId);
      if (first !== undefined) draft.context.report(['instanceId'], `instance-id "${pinnedInstanceId}" is already pinned by ${otherVm(drafts[first]!, 'instanceId')}; expected one instance-id per VM`);
      else instanceIds.set(pinnedInstanceId, index);
    }
    if (skip.has(index)) return;
    const known = (fqdn ?? hostname).toLowerCase();
    const first = hostnames.get(known);
    if (first === undefined) {
      hostnames.set(known, index);
      return;
    }
    const field = fqdn !== null ? 'fqdn' : draft.context.vm.hostname !== undefined ? 'hostname' : 'name';
    draft.context.report([field], `${fqdn !== null ? 'fqdn' : 'hostname'} "${fqdn ?? hostname}" is already the name of ${otherVm(drafts[first]!)}; expected one hostname per VM`);
  });
}

/**
 * qemu.sh names each macvtap device `mvt` + the last three bytes of its NIC's MAC (IFNAMSIZ leaves no
 * room for more), so two macvtap NICs whose MACs end alike would ask for one device. Both are named,
 * since either MAC may be the one to change. Equal MACs were reported as duplicates already.
 */
function checkMacvtapNames(drafts: VmDraft[]): void {
  const byTail = new Map<string, { draft: VmDraft; nic: NicDraft }[]>();
  for (const draft of drafts) {
    for (const nic of draft.nics) {
      if (nic.host.type !== 'direct' || nic.macAddress === null) continue;
      const tail = macvtapTail(nic.macAddress);
      byTail.set(tail, [...(byTail.get(tail) ?? []), { draft, nic }]);
    }
  }
  for (const [tail, holders] of byTail) {
    if (new Set(holders.map(({ nic }) => nic.macAddress)).size < 2) continue;
    for (const { draft, nic } of holders) {
      const others = holders.filter((other) => other.nic.macAddress !== nic.macAddress).map((other) => `${other.draft.plan.name} ${other.nic.device} (${other.nic.macAddress})`);
      draft.context.report([...nic.fieldPath, 'mac'], `MAC ${nic.macAddress} ends in ${tail} like ${others.join(', ')}: qemu.sh names both macvtap devices mvt${tail.replace(/:/g, '')}; expected macvtap NICs whose MACs differ in their last three bytes`);
    }
  }
}

/**
 * A disk written by two VMs is corrupted by both (or, with QEMU's image locking, only one of them ever
 * starts), and a VM that writes another's base image corrupts every overlay over it.
 */
function checkWritableDisks(drafts: VmDraft[]): void {
  const writers = new Map<string, VmDraft>();
  for (const draft of drafts) {
    const { rootDisk } = draft.plan.domain;
    if (rootDisk.overlay !== null || rootDisk.path === '') continue;
    const first = writers.get(rootDisk.path);
    if (first === undefined) writers.set(rootDisk.path, draft);
    else draft.context.report(['domain', 'rootDisk', 'path'], `root disk ${rootDisk.path} is already written by ${otherVm(first, 'domain')}; expected one writer per disk: give both rootDisk.base to boot each from its own overlay over it`);
  }
  for (const draft of drafts) {
    const overlay = draft.plan.domain.rootDisk.overlay;
    const writer = overlay === null ? undefined : writers.get(overlay.base);
    if (writer !== undefined) draft.context.report(['domain', 'rootDisk', 'base'], `base image ${overlay!.base} is written by ${otherVm(writer, 'domain')} as its root disk; a base must stay unchanged under its overlays`);
  }
}

function finishNic(nic: NicDraft): NicPlan {
  const { fieldPath: _fieldPath, macAddress, addressing, ...rest } = nic;
  if (macAddress === null || addressing.kind === 'pool') throw new Error(`NIC ${nic.device} was not allocated`);
  return { ...rest, macAddress, addressing };
}

/** The fleet's name: MACs are derived from it and its lock carries it. */
export function fleetNameOf(spec: FleetSpec): string {
  return spec.input.fleet ?? spec.fileStem;
}

/** What this plan chose for each NIC (derived MACs, pool addresses), as the lock records it. */
function recordAllocations(fleet: string, drafts: VmDraft[], macs: Map<NicDraft, string>, addresses: AddressAllocation): AllocationLock {
  const vms = new Map<string, Map<string, LockedNic>>();
  for (const draft of drafts) {
    const nics = new Map<string, LockedNic>();
    for (const nic of draft.nics) {
      const locked = { macAddress: macs.get(nic) ?? null, address: addresses.assigned.get(nic) ?? null };
      if (locked.macAddress !== null || locked.address !== null) nics.set(nic.device, locked);
    }
    if (nics.size > 0) vms.set(draft.plan.name, nics);
  }
  return { fleet, vms, released: addresses.released };
}

export function planFleet(spec: FleetSpec, options: PlanOptions): FleetPlan {
  const problems: Problem[] = [];
  const warnings: PlanWarning[] = [];
  const passwordHashes = new Map(options.passwordHashes);
  const fleet = fleetNameOf(spec);
  const pools = planPools(spec, problems);
  const drafts = spec.input.vms.map((vmSpec, vmIndex) =>
    planVmDraft(createVmContext(spec, vmIndex, mergeVmSettings(spec, vmSpec), options, { problems, warnings, passwordHashes }), pools),
  );
  checkUniqueIdentities(drafts, checkUniqueNames(drafts));
  const lock = { previous: options.allocationLock ?? null, lockName: path.basename(lockFilePath(spec.source.file)) };
  const addresses = allocateAddresses(drafts, pools, lock);
  const macs = allocateMacs(drafts, { fleet, prefix: spec.input.macPrefix ?? 'qemu', ...lock });
  checkMacvtapNames(drafts);
  checkWritableDisks(drafts);
  const host = planHostNetwork(spec, drafts, { fleet, problems });
  throwIfProblems(problems, spec.source.file);
  const vms: VmPlan[] = drafts.map((draft) => ({
    ...draft.plan,
    fleet,
    uuid: domainUuid(fleet, draft.plan.name),
    network: { ...draft.plan.network, nics: draft.nics.map(finishNic) },
    hostNetwork: vmHostNetwork(host, draft.nics.map((nic) => nic.host)),
  }));
  const allocations = recordAllocations(fleet, drafts, macs, addresses);
  const passwordCache = passwordCacheEntries(passwordHashes, options.saltSecret);
  return { fleet, specFile: spec.source.file, outputDir: options.outputDir, vms, warnings, allocations, passwordCache, host, kubevirtNamespace: spec.input.kubevirt?.namespace ?? null };
}
