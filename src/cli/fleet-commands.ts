// `cloudseed up | down | destroy | status SPEC|OUT [vm…]`: run the fleet over libvirt. SPEC is the
// fleet's spec (its output folder from -o, default out), or OUT an output folder, whose manifest names
// the spec it was built from. `up` builds first (an unchanged fleet costs a look), then acts.
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { CloudseedError } from '../errors.js';
import type { HostAction } from '../host/index.js';
import type { VmDownReport, VmStatus, VmUpReport } from '../libvirt/index.js';
import type { FleetPlan } from '../plan/types.js';
import { printable } from '../printable-text.js';
import { optionNames } from './command-help.js';
import { optionProblem } from './option-problems.js';
import { countOf } from './vm-count-text.js';
import { fleetWarningLines } from './warning-lines.js';

export type FleetCommand = 'up' | 'down' | 'destroy' | 'status';

/** A guest whose cloud-init failed or never reported under `up --wait`: the run did not reach its goal. */
export const guestFailedExitCode = 5;

const options = {
  output: { type: 'string', short: 'o' },
  connect: { type: 'string' },
  json: { type: 'boolean', default: false },
  quiet: { type: 'boolean', short: 'q', default: false },
  wait: { type: 'boolean', default: false },
  timeout: { type: 'string' },
  restart: { type: 'boolean', default: false },
  'reset-disk': { type: 'boolean', default: false },
  adopt: { type: 'boolean', default: false },
  'remove-disks': { type: 'boolean', default: false },
} as const;

const allowed: Record<FleetCommand, string[]> = {
  up: ['wait', 'timeout', 'restart', 'reset-disk', 'adopt'],
  down: ['timeout'],
  destroy: ['timeout', 'remove-disks'],
  status: ['timeout'],
};

function usageError(message: string, command: FleetCommand): CloudseedError {
  return new CloudseedError('USAGE', message, { hint: `cloudseed ${command} SPEC|OUT [vm…] — see cloudseed ${command} --help` });
}

function seconds(text: string | undefined, fallback: number, command: FleetCommand): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw usageError(`--timeout ${text}: expected a number of seconds`, command);
  return value;
}

/** SPEC, or an output folder whose manifest names its spec. */
function locateFleet(target: string, output: string | undefined): { specFile: string; outputDir: string } {
  if (existsSync(target) && statSync(target).isDirectory()) {
    const manifest = path.join(target, 'manifest.json');
    if (!existsSync(manifest)) throw new CloudseedError('USAGE', `${target} is a folder without manifest.json: expected a spec file or a folder cloudseed built`);
    const specFile = (JSON.parse(readFileSync(manifest, 'utf8')) as { spec?: { file?: string } }).spec?.file;
    if (typeof specFile !== 'string') throw new CloudseedError('OUTPUT_CONFLICT', `${manifest} names no spec file`);
    return { specFile, outputDir: target };
  }
  return { specFile: target, outputDir: output ?? 'out' };
}

/** up and the rest run libvirt domains: an output folder built for KubeVirt is kubectl's, not theirs. */
function refuseKubevirtOutput(outputDir: string, command: FleetCommand): void {
  const manifest = path.join(outputDir, 'manifest.json');
  if (!existsSync(manifest)) return;
  let platform: unknown;
  try {
    platform = (JSON.parse(readFileSync(manifest, 'utf8')) as { platform?: unknown }).platform;
  } catch {
    return; // the build that follows reports a manifest it cannot read
  }
  if (platform === 'kubevirt') {
    throw new CloudseedError('USAGE', `${outputDir} holds a build for KubeVirt, which ${command} does not run`, {
      hint: `apply it with kubectl apply -k ${path.join(outputDir, 'kubevirt')}/, or build for libvirt into another folder (-o)`,
    });
  }
}

async function planOf(specFile: string, outputDir: string): Promise<FleetPlan> {
  const { validateSpec } = await import('../output/index.js');
  return (await validateSpec(specFile, { outputDir })).plan;
}

function upLine(report: VmUpReport): string {
  const did = report.actions.length > 0 ? report.actions.join(', ') : 'unchanged';
  return [`${report.vm}: ${did}`, ...report.notes.map((note) => `${report.vm}: note: ${note}`)].map(printable).join('\n');
}

function readyLine(report: VmUpReport): string {
  const result = report.cloudInit!;
  return [`${report.vm}: cloud-init ${result.status}`, ...result.errors.map((error) => `${report.vm}:   ${error}`)].map(printable).join('\n');
}

function hostLine(action: HostAction): string {
  return printable(`host: ${action.object} ${action.name} ${action.outcome}${action.detail === null ? '' : ` (${action.detail})`}`);
}

function downLine(report: VmDownReport): string {
  return [`${report.vm}: ${report.actions.length > 0 ? report.actions.join(', ') : 'nothing to do'}`, ...report.notes.map((note) => `${report.vm}: note: ${note}`)].map(printable).join('\n');
}

/** A table on a terminal; the same columns, tab-free, for a pipe (use --json there for parsing). */
export function statusTable(rows: VmStatus[]): string {
  const table = [['VM', 'STATE', 'ADDRESSES', 'CLOUD-INIT'], ...rows.map((row) => [
    row.vm, row.state, row.addresses.join(', ') || '-', row.cloudInit === null ? '-' : row.cloudInit.status + (row.cloudInit.errors.length > 0 ? ` (${row.cloudInit.errors.length} errors)` : ''),
  ])].map((cells) => cells.map(printable));
  const widths = table[0]!.map((_, column) => Math.max(...table.map((cells) => cells[column]!.length)));
  return table.map((cells) => cells.map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  ')).join('\n');
}

export async function runFleetCommand(command: FleetCommand, argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options });
  } catch (cause) {
    throw optionProblem(cause, { command, options: optionNames(command) });
  }
  const { values, positionals } = parsed;
  for (const name of Object.keys(values)) {
    const given = values[name as keyof typeof values];
    if (given !== undefined && given !== false && !['output', 'connect', 'json', 'quiet', ...allowed[command]].includes(name)) {
      throw usageError(`--${name} does not apply to ${command}`, command);
    }
  }
  const [target, ...names] = positionals;
  if (target === undefined) throw usageError(`${command} needs a spec file or an output folder`, command);
  const { specFile, outputDir } = locateFleet(target, values.output);
  refuseKubevirtOutput(outputDir, command);
  const libvirt = await import('../libvirt/index.js');
  const say = (text: string) => { if (!values.quiet && !values.json) console.log(text); };

  if (command === 'up') {
    const { buildFleet } = await import('../output/index.js');
    const built = await buildFleet(specFile, { outputDir });
    if (!values.quiet) for (const line of fleetWarningLines(built.plan)) console.error(line);
    const vms = libvirt.selectVms(built.plan, names);
    const reports = await libvirt.upFleet(vms, {
      outputDir, connect: values.connect, restart: values.restart, resetDisk: values['reset-disk'], adopt: values.adopt,
      shutdownSeconds: seconds(values.timeout, 60, command),
      hostNetwork: built.plan.host,
      onHost: (action) => say(hostLine(action)),
      waitSeconds: values.wait ? seconds(values.timeout, 900, command) : null,
      onVm: (report) => say(upLine(report)),
      onReady: (report) => say(readyLine(report)),
    });
    if (values.json) console.log(JSON.stringify({ command, fleet: built.plan.fleet, vms: reports }, null, 2));
    const changed = reports.filter((report) => report.actions.length > 0).length;
    say(changed === 0 ? `up: nothing to do: ${countOf(reports.length)} already up` : `up: ${changed} of ${countOf(reports.length)} changed`);
    const failed = reports.filter((report) => report.cloudInit !== null && !/^done$/.test(report.cloudInit.status));
    return failed.length > 0 ? guestFailedExitCode : 0;
  }
  const plan = await planOf(specFile, outputDir);
  const vms = libvirt.selectVms(plan, names);
  if (command === 'status') {
    const rows = await libvirt.fleetStatus(vms, { connect: values.connect, reportSeconds: seconds(values.timeout, 5, command) });
    if (values.json) console.log(JSON.stringify({ command, fleet: plan.fleet, vms: rows }, null, 2));
    else if (!values.quiet) console.log(statusTable(rows));
    return 0;
  }
  const reports = await libvirt.downFleet(vms, {
    outputDir, connect: values.connect, shutdownSeconds: seconds(values.timeout, 60, command),
    undefine: command === 'destroy', removeDisks: values['remove-disks'],
    // Only when the whole fleet goes down: the host side is shared by all its VMs.
    ...(names.length === 0 ? { hostNetwork: plan.host, onHost: (action: HostAction) => say(hostLine(action)) } : {}),
    onVm: (report) => say(downLine(report)),
  });
  if (values.json) console.log(JSON.stringify({ command, fleet: plan.fleet, vms: reports }, null, 2));
  return 0;
}
