// `cloudseed down` stops the fleet's domains (gracefully, then by force after the timeout);
// `cloudseed destroy` also undefines them and, with --remove-disks, removes the disks `up` made (never
// a file or volume it did not make). Domains cloudseed did not define for this fleet are left alone.
import { rm } from 'node:fs/promises';
import { removeHostNetwork } from '../host/index.js';
import type { VmPlan } from '../plan/types.js';
import { readMadeDisks, writeMadeDisks, type MadeDisk } from './disk-records.js';
import { groupByHost, readGroupDomains, type FleetRunOptions } from './fleet-hosts.js';
import { mapLimited } from '../map-limited.js';
import { stopDomain } from './stop-domain.js';
import { tryVirsh, virsh, connectionOf } from '../host/virsh.js';

/** Guests asked to shut down at once on one host. */
const stopParallelism = 16;

export interface DownOptions extends FleetRunOptions {
  /** destroy: undefine the domains too. */
  undefine?: boolean;
  /** destroy --remove-disks: remove the overlays and volumes `up` made. */
  removeDisks?: boolean;
  onVm?: (report: VmDownReport) => void;
}

export interface VmDownReport {
  vm: string;
  uri: string;
  actions: string[];
  notes: string[];
}

async function removeDisk(disk: MadeDisk): Promise<void> {
  if (disk.kind === 'file') return rm(disk.path, { force: true });
  const connection = connectionOf(disk.uri);
  const result = await tryVirsh(connection, ['vol-delete', '--pool', disk.pool!, '--vol', disk.volume!]);
  if (!result.ok && !/not found|no storage vol/i.test(result.stderr)) {
    await virsh(connection, ['vol-delete', '--pool', disk.pool!, '--vol', disk.volume!], `removing volume ${disk.volume}`);
  }
}

export async function downFleet(vms: VmPlan[], options: DownOptions): Promise<VmDownReport[]> {
  const reports: VmDownReport[] = [];
  let made = readMadeDisks(options.outputDir);
  for (const group of groupByHost(vms, options.connect)) {
    const domains = await readGroupDomains(group);
    // Guests shut down in parallel: one at a time, a fleet would take its size times the slowest.
    const stopped = await mapLimited(group.vms, stopParallelism, async (vm) => {
      const domain = domains.get(vm.name);
      if (domain === undefined || domain.fleet !== vm.fleet) return null;
      return stopDomain(group.connection, vm.name, options.shutdownSeconds ?? 60);
    });
    for (const [index, vm] of group.vms.entries()) {
      const report: VmDownReport = { vm: vm.name, uri: group.connection.uri, actions: [], notes: [] };
      const domain = domains.get(vm.name);
      if (domain !== undefined && domain.fleet !== vm.fleet) {
        report.notes.push(`the domain ${vm.name} there is not this fleet's (${domain.fleet === null ? 'cloudseed did not define it' : `fleet ${domain.fleet}`}): left alone`);
      } else if (domain !== undefined) {
        if (stopped[index] !== 'already off') report.actions.push(stopped[index]!);
        if (options.undefine) {
          await virsh(group.connection, ['undefine', '--domain', vm.name], `undefining VM ${vm.name}`);
          report.actions.push('undefined');
        }
      }
      if (options.removeDisks && (domain === undefined || domain.fleet === vm.fleet)) {
        const own = made.filter((entry) => entry.vm === vm.name && entry.uri === group.connection.uri);
        for (const disk of [...own.filter((entry) => !entry.base), ...own.filter((entry) => entry.base)]) {
          // A base volume shared with VMs still recorded stays until the last of them goes.
          const shared = made.some((other) => other.vm !== vm.name && other.uri === disk.uri && other.path === disk.path);
          made = made.filter((entry) => entry !== disk);
          writeMadeDisks(options.outputDir, made);
          if (shared) continue;
          await removeDisk(disk);
          report.actions.push(`removed ${disk.kind === 'file' ? disk.path : `volume ${disk.volume}`}`);
        }
      }
      reports.push(report);
      options.onVm?.(report);
    }
  }
  if (options.hostNetwork !== undefined) {
    for (const action of await removeHostNetwork(options.hostNetwork, { connect: options.connect })) options.onHost?.(action);
  }
  return reports;
}
