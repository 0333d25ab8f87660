// `cloudseed status`: per VM, its domain's state on its host, the addresses the plan gave it (for a DHCP
// NIC the lease libvirt saw), and the result cloud-init reported over the status channel (asked for a few seconds only: a guest still
// booting says nothing yet, which is what `pending` means).
import { tryVirsh, type Connection } from '../host/virsh.js';
import type { VmPlan } from '../plan/types.js';
import { isRunning } from './domain-records.js';
import { groupByHost, readGroupDomains } from './fleet-hosts.js';
import { mapLimited } from '../map-limited.js';
import { readCloudInitResult, readerParallelism, type CloudInitResult } from './status-report.js';

export interface StatusOptions {
  connect?: string;
  /** Seconds to wait for each running guest's report. */
  reportSeconds?: number;
}

export interface VmStatus {
  vm: string;
  uri: string;
  /** `running`, `shut off`, … ; `not defined`; `not this fleet's` for a domain cloudseed did not define for it. */
  state: string;
  addresses: string[];
  cloudInit: CloudInitResult | null;
}

/**
 * A DHCP NIC's address as libvirt knows it: from its network's leases, else from the host's ARP table
 * (a bridge or macvtap NIC); by MAC address, which the plan decided.
 */
async function leasedAddresses(connection: Connection, name: string): Promise<Map<string, string>> {
  const byMac = new Map<string, string>();
  for (const source of ['lease', 'arp']) {
    const result = await tryVirsh(connection, ['domifaddr', '--domain', name, '--source', source]);
    for (const line of result.ok ? result.stdout.split('\n') : []) {
      const [, mac, family, address] = line.trim().split(/\s+/);
      if (mac !== undefined && family === 'ipv4' && address !== undefined && !byMac.has(mac)) byMac.set(mac, address);
    }
  }
  return byMac;
}

async function addressesOf(connection: Connection, vm: VmPlan, running: boolean): Promise<string[]> {
  const dhcp = vm.network.nics.some((nic) => nic.addressing.kind === 'dhcp');
  const leases = dhcp && running ? await leasedAddresses(connection, vm.name) : new Map<string, string>();
  return vm.network.nics.map((nic) => {
    if (nic.addressing.kind === 'static') return `${nic.device} ${nic.addressing.address}/${nic.addressing.prefix}`;
    return `${nic.device} dhcp ${leases.get(nic.macAddress) ?? '(no lease seen)'}`;
  });
}

export async function fleetStatus(vms: VmPlan[], options: StatusOptions): Promise<VmStatus[]> {
  const statuses: VmStatus[] = [];
  for (const group of groupByHost(vms, options.connect)) {
    const domains = await readGroupDomains(group);
    const deadline = Date.now() + (options.reportSeconds ?? 5) * 1000;
    const rows = await mapLimited(group.vms, readerParallelism, async (vm): Promise<VmStatus> => {
      const domain = domains.get(vm.name);
      const ours = domain !== undefined && domain.fleet === vm.fleet;
      const state = domain === undefined ? 'not defined' : ours ? domain.state : "not this fleet's";
      const asked = ours && isRunning(domain) && vm.domain.statusChannel;
      const cloudInit = asked ? await readCloudInitResult(group.connection, vm.name, deadline) : null;
      return { vm: vm.name, uri: group.connection.uri, state, addresses: await addressesOf(group.connection, vm, ours && isRunning(domain)), cloudInit: cloudInit?.status === 'timeout' ? { status: 'pending', errors: [] } : cloudInit };
    });
    statuses.push(...rows);
  }
  return statuses;
}
