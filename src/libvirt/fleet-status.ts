// `cloudseed status`: per VM, its domain's state on its host, the addresses the plan gave it, and the
// result cloud-init reported over the status channel (asked for a few seconds only: a guest still
// booting says nothing yet, which is what `pending` means).
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

function plannedAddresses(vm: VmPlan): string[] {
  return vm.network.nics.map((nic) => (nic.addressing.kind === 'static' ? `${nic.device} ${nic.addressing.address}/${nic.addressing.prefix}` : `${nic.device} dhcp`));
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
      return { vm: vm.name, uri: group.connection.uri, state, addresses: plannedAddresses(vm), cloudInit: cloudInit?.status === 'timeout' ? { status: 'pending', errors: [] } : cloudInit };
    });
    statuses.push(...rows);
  }
  return statuses;
}
