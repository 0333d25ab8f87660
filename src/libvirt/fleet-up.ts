// `cloudseed up`: make what each VM needs that is missing (its overlay, on a remote host its volumes),
// define its domain (again when the definition changed) and start it. Everything that can be refused is
// checked for every VM before anything is made, so a refused run leaves nothing half-made. A second run
// changes nothing and says so.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CloudseedError, type Problem } from '../errors.js';
import { applyHostNetwork, hostNetworkProblems } from '../host/index.js';
import type { VmPlan } from '../plan/types.js';
import { mapLimited } from '../map-limited.js';
import { renderDomainXml } from '../render/index.js';
import { readMadeDisks, sameDisk, writeMadeDisks, type MadeDisk } from './disk-records.js';
import { definitionHash, inactiveXml, isRunning, markDefinition, runningDefinition, settleStart, startDomain, type DomainRecord } from './domain-records.js';
import { groupByHost, readGroupDomains, type FleetRunOptions, type HostGroup } from './fleet-hosts.js';
import { stopDomain } from './stop-domain.js';
import { checkBase, ensureLocalOverlay } from './root-disks.js';
import { checkPool, prepareRemoteDisks } from './remote-volumes.js';
import { readCloudInitResult, readerParallelism, type CloudInitResult } from './status-report.js';
import { virsh, type Connection } from '../host/virsh.js';

/** Domains of one local host made and started at once. */
const upParallelism = 8;

export interface UpOptions extends FleetRunOptions {
  /** Restart running VMs whose definition changed (else they are reported). */
  restart?: boolean;
  /** Make the overlays again, losing the guests' disks; VMs must not be running. */
  resetDisk?: boolean;
  /** Take over domains of these names that cloudseed did not define for this fleet. */
  adopt?: boolean;
  /** Wait for cloud-init in each guest until this many seconds have passed (null: do not wait). */
  waitSeconds?: number | null;
  /** Each VM once it is up (its actions and notes). */
  onVm?: (report: VmUpReport) => void;
  /** Each VM once its guest reported (or did not in time), with --wait. */
  onReady?: (report: VmUpReport) => void;
}

export interface VmUpReport {
  vm: string;
  uri: string;
  /** What this run did, in order: `disk created`, `defined`, `redefined`, `started`, …; empty when nothing. */
  actions: string[];
  /** Worth knowing, nothing done about it: a running VM whose definition changed, an overlay over another base. */
  notes: string[];
  /** cloud-init's result when --wait was given. */
  cloudInit: CloudInitResult | null;
}

/** A refusal found before anything is made, and whose it is: the user's (exit 2) or the host's (exit 4). */
interface Refusal {
  code: 'DOMAIN_CONFLICT' | 'SPEC_INVALID' | 'HOST_UNREADY';
  problem: Problem;
}

const refusal = (code: Refusal['code'], vm: VmPlan, message: string): Refusal => ({
  code,
  problem: { location: { file: `VM ${vm.name}`, line: null, column: null, field: null }, message },
});

/** Refusals found before anything is made: every VM's, in one error. */
async function preflight(group: HostGroup, domains: Map<string, DomainRecord>, options: UpOptions): Promise<Refusal[]> {
  const refusals: Refusal[] = [];
  for (const vm of group.vms) {
    const domain = domains.get(vm.name);
    if (domain !== undefined && domain.fleet !== vm.fleet && !options.adopt) {
      const owner = domain.fleet === null ? 'cloudseed did not define' : `belongs to fleet ${domain.fleet}`;
      refusals.push(refusal('DOMAIN_CONFLICT', vm, `${group.connection.uri} already has a domain ${vm.name} that ${owner}; up --adopt takes it over`));
    }
    if (options.resetDisk && vm.domain.rootDisk.overlay !== null && isRunning(domain)) {
      refusals.push(refusal('SPEC_INVALID', vm, `--reset-disk would replace the disk of a running guest; cloudseed down ${vm.name} first`));
    }
    const base = await checkBase(vm, true);
    if (base !== null) refusals.push(refusal('SPEC_INVALID', vm, base));
    if (group.connection.remote) {
      const pool = await checkPool(group.connection, vm.storagePool);
      if (pool !== null) refusals.push(refusal('HOST_UNREADY', vm, pool));
    }
  }
  return refusals;
}

/** The user's mistakes first: exit 2 when any refusal is one, else 4. */
const refusalOrder: Refusal['code'][] = ['DOMAIN_CONFLICT', 'SPEC_INVALID', 'HOST_UNREADY'];

function refusedError(refusals: Refusal[]): CloudseedError {
  const code = refusalOrder.find((candidate) => refusals.some((entry) => entry.code === candidate))!;
  const count = refusals.length === 1 ? 'one problem' : `${refusals.length} problems`;
  return new CloudseedError(code, `up changed nothing: ${count}`, { problems: refusals.map((entry) => entry.problem) });
}

async function defineDomain(connection: Connection, vm: VmPlan, xml: string): Promise<boolean> {
  const folder = await mkdtemp(path.join(tmpdir(), 'cloudseed-define-'));
  try {
    const file = path.join(folder, 'domain.xml');
    await writeFile(file, xml, { mode: 0o600 });
    const before = await inactiveXml(connection, vm.name);
    await virsh(connection, ['define', '--file', file], `defining VM ${vm.name}`);
    return before !== (await inactiveXml(connection, vm.name));
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

async function upVm(group: HostGroup, vm: VmPlan, domain: DomainRecord | undefined, options: UpOptions, recordDisks: (disks: MadeDisk[]) => void): Promise<VmUpReport> {
  const { connection } = group;
  const report: VmUpReport = { vm: vm.name, uri: connection.uri, actions: [], notes: [], cloudInit: null };
  let deployed: VmPlan = vm;
  if (connection.remote) {
    const remote = await prepareRemoteDisks(connection, vm, { resetDisk: options.resetDisk ?? false, record: recordDisks });
    deployed = remote.plan;
    report.actions.push(...remote.actions);
  } else if (vm.domain.rootDisk.overlay !== null) {
    const overlay = await ensureLocalOverlay(vm, options.resetDisk ?? false, () => {
      recordDisks([{ vm: vm.name, kind: 'file', uri: connection.uri, path: vm.domain.rootDisk.path }]);
    });
    if (overlay.action !== 'kept') report.actions.push(`disk ${overlay.action}`);
    if (overlay.note !== null) report.notes.push(overlay.note);
  }
  // An adopted domain keeps its UUID: libvirt refuses to redefine a name under another one.
  if (domain !== undefined && domain.uuid !== vm.uuid) deployed = { ...deployed, uuid: domain.uuid };
  const xml = renderDomainXml(deployed);
  const changed = await defineDomain(connection, vm, xml);
  if (domain === undefined) report.actions.push('defined');
  else if (changed) report.actions.push('redefined');
  const definition = definitionHash(xml);
  if (domain?.startInterrupted && (await settleStart(connection, vm.name))) {
    // A start libvirt never finished (an earlier up killed mid-way): the guest never ran, so it starts afresh.
    await virsh(connection, ['destroy', '--domain', vm.name], `stopping the unfinished start of VM ${vm.name}`);
    await startDomain(connection, vm.name, definition);
    report.actions.push('started (after an unfinished start)');
  } else if (!isRunning(domain)) {
    await startDomain(connection, vm.name, definition);
    report.actions.push('started');
  } else {
    const running = await runningDefinition(connection, vm.name);
    if (running === definition) return report;
    if (running === null && !changed) {
      // Started with no mark, by an up killed before it could mark it or by hand, from this very definition.
      await markDefinition(connection, vm.name, definition);
      return report;
    }
    // Also when an earlier up redefined it: the running guest still has the definition it started with.
    if (options.restart) {
      await stopDomain(connection, vm.name, options.shutdownSeconds ?? 60);
      await startDomain(connection, vm.name, definition);
      report.actions.push('restarted');
    } else {
      report.notes.push('running with an older definition: up --restart applies the new one');
    }
  }
  return report;
}

export async function upFleet(vms: VmPlan[], options: UpOptions): Promise<VmUpReport[]> {
  const groups = groupByHost(vms, options.connect);
  const domainsByGroup = new Map<HostGroup, Map<string, DomainRecord>>();
  const refusals: Refusal[] = [];
  for (const group of groups) {
    const domains = await readGroupDomains(group);
    domainsByGroup.set(group, domains);
    refusals.push(...(await preflight(group, domains, options)));
  }
  if (options.hostNetwork !== undefined) {
    const host = await hostNetworkProblems(options.hostNetwork, { connect: options.connect });
    refusals.push(...host.map((problem): Refusal => ({ code: 'HOST_UNREADY', problem })));
  }
  if (refusals.length > 0) throw refusedError(refusals);
  if (options.hostNetwork !== undefined) {
    for (const action of await applyHostNetwork(options.hostNetwork, { connect: options.connect })) options.onHost?.(action);
  }
  const made = readMadeDisks(options.outputDir);
  // Written at once, before the disk is made: what a killed run made is still known to be cloudseed's.
  const recordDisks = (disks: MadeDisk[]) => {
    const fresh = disks.filter((disk) => !made.some((known) => sameDisk(known, disk)));
    if (fresh.length === 0) return;
    made.push(...fresh);
    writeMadeDisks(options.outputDir, made);
  };
  const reports: VmUpReport[] = [];
  for (const group of groups) {
    const domains = domainsByGroup.get(group)!;
    // VMs of one host in parallel; on a remote host one at a time, so that one base is uploaded once.
    const parallel = group.connection.remote ? 1 : upParallelism;
    reports.push(...(await mapLimited(group.vms, parallel, async (vm) => {
      const report = await upVm(group, vm, domains.get(vm.name), options, recordDisks);
      options.onVm?.(report);
      return report;
    })));
  }
  if (options.waitSeconds !== null && options.waitSeconds !== undefined) await waitForGuests(groups, reports, options);
  return reports;
}

/** Every guest at once: one that never reports is a timeout for that VM alone. */
async function waitForGuests(groups: HostGroup[], reports: VmUpReport[], options: UpOptions): Promise<void> {
  const deadline = Date.now() + options.waitSeconds! * 1000;
  const byName = new Map(reports.map((report) => [report.vm, report]));
  const guests = groups.flatMap((group) => group.vms.map((vm) => ({ group, vm })));
  await mapLimited(guests, readerParallelism, async ({ group, vm }) => {
    const report = byName.get(vm.name)!;
    report.cloudInit = vm.domain.statusChannel
      ? await readCloudInitResult(group.connection, vm.name, deadline)
      : { status: 'unknown', errors: ['domain.statusChannel is off: the guest does not report'] };
    options.onReady?.(report);
  });
}
