// Which VMs a lifecycle command acts on, and through which libvirt connection: the VM's `connect`, else
// the command's `--connect`, else qemu:///system. A fleet spread over several hosts is handled per host.
import { CloudseedError } from '../errors.js';
import type { HostAction } from '../host/index.js';
import type { FleetPlan, HostNetworkPlan, VmPlan } from '../plan/types.js';
import { readDomains, type DomainRecord } from './domain-records.js';
import { connectionOf, defaultUri, type Connection } from '../host/virsh.js';

/** What up, down and destroy share: where the fleet is, how to reach its hosts, and its host side. */
export interface FleetRunOptions {
  outputDir: string;
  /** The libvirt URI for VMs whose spec names none. */
  connect?: string;
  /** Seconds a guest gets to shut down (down, destroy, up --restart) before it is forced off. */
  shutdownSeconds?: number;
  /** The fleet's host side (bridges, shims, libvirt networks): made by up before any domain, removed by down. */
  hostNetwork?: HostNetworkPlan;
  onHost?: (action: HostAction) => void;
}

export interface HostGroup {
  connection: Connection;
  vms: VmPlan[];
}

/** The plan's VMs named on the command line (all of them when none is), in spec order. */
export function selectVms(plan: FleetPlan, names: string[]): VmPlan[] {
  if (names.length === 0) return plan.vms;
  const known = new Set(plan.vms.map((vm) => vm.name));
  const unknown = names.filter((name) => !known.has(name));
  if (unknown.length > 0) {
    throw new CloudseedError('USAGE', `fleet ${plan.fleet} has no VM named ${unknown.join(', ')}`, { hint: `its VMs: ${plan.vms.slice(0, 8).map((vm) => vm.name).join(', ')}${plan.vms.length > 8 ? ', …' : ''}` });
  }
  const wanted = new Set(names);
  return plan.vms.filter((vm) => wanted.has(vm.name));
}

export function groupByHost(vms: VmPlan[], connect: string | undefined): HostGroup[] {
  const groups = new Map<string, HostGroup>();
  for (const vm of vms) {
    const uri = vm.connect ?? connect ?? defaultUri;
    const group = groups.get(uri) ?? { connection: connectionOf(uri), vms: [] };
    group.vms.push(vm);
    groups.set(uri, group);
  }
  return [...groups.values()];
}

/** The domains of a host group, read; a host that cannot be reached is named with the VMs that use it. */
export async function readGroupDomains(group: HostGroup): Promise<Map<string, DomainRecord>> {
  try {
    return await readDomains(group.connection, group.vms.map((vm) => vm.name));
  } catch (error) {
    if (!(error instanceof CloudseedError) || error.code !== 'HOST_UNREACHABLE') throw error;
    const names = group.vms.map((vm) => vm.name);
    const users = names.length === 1 ? `VM ${names[0]}` : `${names.length} VMs (${names.length === 2 ? names.join(', ') : `${names[0]} … ${names.at(-1)}`})`;
    throw new CloudseedError('HOST_UNREACHABLE', `${users}: ${error.message}`, { hint: error.hint ?? undefined, cause: error });
  }
}
