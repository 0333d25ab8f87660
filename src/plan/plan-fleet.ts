// The fleet's plan: every VM resolved, then what only the whole fleet can decide — pool addresses,
// derived MACs — and what only the whole fleet can check: duplicate names, addresses and MACs.
import { throwIfProblems, type Problem } from '../errors.js';
import type { FleetSpec } from '../spec/load-spec.js';
import type { FieldPath } from '../spec/source-map.js';
import { formatIpv4, parseIpv4 } from '../spec/ipv4.js';
import { deriveMac, type MacPrefix } from './mac-address.js';
import { mergeVmSettings } from './merge-defaults.js';
import { planPool, type NicDraft, type PoolPlan } from './plan-network.js';
import { planVmDraft, type VmDraft } from './plan-vm.js';
import type { FleetPlan, NicPlan, VmPlan } from './types.js';
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

function checkUniqueNames(drafts: VmDraft[]): void {
  const seen = new Map<string, number>();
  drafts.forEach((draft, index) => {
    const first = seen.get(draft.plan.name);
    if (first !== undefined) draft.context.report(['name'], `VM name "${draft.plan.name}" is already used by vms[${first}]`);
    else seen.set(draft.plan.name, index);
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

/** Given MACs are reserved first; derived ones then take the first free candidate for their NIC. */
function allocateMacs(drafts: VmDraft[], fleet: string, prefix: MacPrefix): void {
  const taken = new Map<string, string>();
  for (const draft of drafts) {
    for (const nic of draft.nics) {
      if (nic.macAddress === null) continue;
      const holder = taken.get(nic.macAddress);
      if (holder !== undefined) draft.context.report([...nic.fieldPath, 'mac'], `MAC ${nic.macAddress} is already used by ${holder}`);
      else taken.set(nic.macAddress, `${draft.plan.name} ${nic.device}`);
    }
  }
  for (const draft of drafts) {
    for (const nic of draft.nics) {
      if (nic.macAddress !== null) continue;
      let attempt = 0;
      let mac = deriveMac(`${fleet}/${draft.plan.name}/${nic.device}`, prefix, attempt);
      while (taken.has(mac)) mac = deriveMac(`${fleet}/${draft.plan.name}/${nic.device}`, prefix, ++attempt);
      taken.set(mac, `${draft.plan.name} ${nic.device}`);
      nic.macAddress = mac;
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
  const warnings: string[] = [];
  const passwordHashes = new Map(options.passwordHashes);
  const fleet = spec.input.fleet ?? spec.fileStem;
  const pools = planPools(spec, problems);
  const drafts = spec.input.vms.map((vmSpec, vmIndex) =>
    planVmDraft(createVmContext(spec, vmIndex, mergeVmSettings(spec, vmSpec), options, { problems, warnings, passwordHashes }), pools),
  );
  checkUniqueNames(drafts);
  allocateAddresses(drafts, pools);
  allocateMacs(drafts, fleet, spec.input.macPrefix ?? 'qemu');
  throwIfProblems(problems, spec.source.file);
  const vms: VmPlan[] = drafts.map((draft) => ({
    ...draft.plan,
    network: { ...draft.plan.network, nics: draft.nics.map(finishNic) },
  }));
  return { fleet, specFile: spec.source.file, outputDir: options.outputDir, vms, warnings };
}
