// The fleet's plan: every VM resolved, then what only the whole fleet can decide — pool addresses,
// derived MACs — and what only the whole fleet can check: duplicate names, addresses and MACs.
import { throwIfProblems, type Problem } from '../errors.js';
import type { FleetSpec } from '../spec/load-spec.js';
import type { FieldPath } from '../spec/source-map.js';
import { formatIpv4, parseIpv4 } from '../spec/ipv4.js';
import { deriveMac, macvtapTail, type MacPrefix } from './mac-address.js';
import { mergeVmSettings } from './merge-defaults.js';
import { planPool, type NicDraft, type PoolPlan } from './plan-network.js';
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
    const other = drafts[first]!.plan.name;
    if (other === name) draft.context.report(['name'], `VM name "${name}" is already used by vms[${first}]`);
    else draft.context.report(['name'], `VM name "${name}" differs from vms[${first}] ("${other}") only in case; expected names that stay apart on a case-insensitive file system`);
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
      if (first !== undefined) draft.context.report(['instanceId'], `instance-id "${pinnedInstanceId}" is already pinned by vms[${first}]; expected one instance-id per VM`);
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
    draft.context.report([field], `${fqdn !== null ? 'fqdn' : 'hostname'} "${fqdn ?? hostname}" is already the name of vms[${first}]; expected one hostname per VM`);
  });
}

/** Hands out pool addresses in VM order, skipping every address a NIC or pool gateway already holds. */
function allocateAddresses(drafts: VmDraft[], pools: Map<string, PoolPlan>): void {
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
  const next = new Map<string, number>();
  for (const draft of drafts) {
    for (const nic of draft.nics) {
      if (nic.addressing.kind !== 'pool') continue;
      const pool = nic.addressing.pool;
      let candidate = next.get(pool.name) ?? pool.first;
      while (candidate <= pool.last && taken.has(candidate)) candidate++;
      if (candidate > pool.last) {
        draft.context.report([...nic.fieldPath, 'pool'], `pool ${pool.name} has no free address left (${formatIpv4(pool.first)}-${formatIpv4(pool.last)})`);
        continue;
      }
      taken.set(candidate, `${draft.plan.name} ${nic.device}`);
      next.set(pool.name, candidate + 1);
      nic.addressing = { kind: 'static', address: formatIpv4(candidate), ...pool.subnet };
    }
  }
}

/**
 * Given MACs are reserved first; derived ones then take the first free candidate for their NIC. A
 * macvtap NIC's candidate must also leave its macvtap device name free (see macvtapTail).
 */
function allocateMacs(drafts: VmDraft[], fleet: string, prefix: MacPrefix): void {
  const taken = new Map<string, string>();
  const takenTails = new Set<string>();
  for (const draft of drafts) {
    for (const nic of draft.nics) {
      if (nic.macAddress === null) continue;
      const holder = taken.get(nic.macAddress);
      if (holder !== undefined) draft.context.report([...nic.fieldPath, 'mac'], `MAC ${nic.macAddress} is already used by ${holder}`);
      else taken.set(nic.macAddress, `${draft.plan.name} ${nic.device}`);
      if (nic.host.type === 'direct') takenTails.add(macvtapTail(nic.macAddress));
    }
  }
  for (const draft of drafts) {
    for (const nic of draft.nics) {
      if (nic.macAddress !== null) continue;
      const isFree = (mac: string) => !taken.has(mac) && !(nic.host.type === 'direct' && takenTails.has(macvtapTail(mac)));
      let attempt = 0;
      let mac = deriveMac(`${fleet}/${draft.plan.name}/${nic.device}`, prefix, attempt);
      while (!isFree(mac)) mac = deriveMac(`${fleet}/${draft.plan.name}/${nic.device}`, prefix, ++attempt);
      taken.set(mac, `${draft.plan.name} ${nic.device}`);
      if (nic.host.type === 'direct') takenTails.add(macvtapTail(mac));
      nic.macAddress = mac;
    }
  }
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

function finishNic(nic: NicDraft): NicPlan {
  const { fieldPath: _fieldPath, macAddress, addressing, ...rest } = nic;
  if (macAddress === null || addressing.kind === 'pool') throw new Error(`NIC ${nic.device} was not allocated`);
  return { ...rest, macAddress, addressing };
}

export function planFleet(spec: FleetSpec, options: PlanOptions): FleetPlan {
  const problems: Problem[] = [];
  const warnings: PlanWarning[] = [];
  const passwordHashes = new Map(options.passwordHashes);
  const fleet = spec.input.fleet ?? spec.fileStem;
  const pools = planPools(spec, problems);
  const drafts = spec.input.vms.map((vmSpec, vmIndex) =>
    planVmDraft(createVmContext(spec, vmIndex, mergeVmSettings(spec, vmSpec), options, { problems, warnings, passwordHashes }), pools),
  );
  checkUniqueIdentities(drafts, checkUniqueNames(drafts));
  allocateAddresses(drafts, pools);
  allocateMacs(drafts, fleet, spec.input.macPrefix ?? 'qemu');
  checkMacvtapNames(drafts);
  throwIfProblems(problems, spec.source.file);
  const vms: VmPlan[] = drafts.map((draft) => ({
    ...draft.plan,
    network: { ...draft.plan.network, nics: draft.nics.map(finishNic) },
  }));
  return { fleet, specFile: spec.source.file, outputDir: options.outputDir, vms, warnings };
}
