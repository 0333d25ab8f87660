// What a run says when it is done, on stdout: one summary line, the same on a terminal and in a pipe,
// and with --verbose one line per VM before it. The statuses are those --json reports.
import type { BuildResult } from '../output/index.js';
import type { FleetPlan, VmPlan } from '../plan/index.js';
import { printable } from '../printable-text.js';
import { durationText } from './duration-text.js';
import { countOf, vmNames } from './vm-count-text.js';

export interface SummaryContext {
  /** What the command did to a VM it wrote: built, rendered. */
  verb: string;
  /** The output folder as the user named it. */
  outputDir: string;
  elapsedMs: number;
}

function folderText(outputDir: string): string {
  return printable(outputDir.endsWith('/') ? outputDir : `${outputDir}/`);
}

/** What became of `count` VMs the live build had and this spec has not. */
function removedFate(pruned: boolean, count: number): string {
  const them = count === 1 ? 'it' : 'them';
  return pruned ? `deleted what cloudseed wrote for ${them}` : `left in place, --prune deletes ${them}`;
}

function removedText(result: BuildResult): string {
  if (result.removed.length === 0) return '';
  return `; ${countOf(result.removed.length)} no longer in the spec (${vmNames(result.removed)}): ${removedFate(result.pruned, result.removed.length)}`;
}

/** `built 3 VMs into out/ and kept 21 unchanged in 1.2 s; 1 VM no longer in the spec (web9): …` */
export function buildSummary(result: BuildResult, context: SummaryContext): string {
  const built = result.vms.filter((vm) => vm.status === 'built').length;
  const kept = result.vms.length - built;
  const keptText = kept > 0 ? ` and kept ${kept} unchanged` : '';
  return `${context.verb} ${countOf(built)} into ${folderText(context.outputDir)}${keptText} in ${durationText(context.elapsedMs)}${removedText(result)}`;
}

/** `ok: 24 VMs in fleet.yaml, no problems` */
export function validateSummary(plan: FleetPlan): string {
  return `ok: ${countOf(plan.vms.length)} in ${printable(plan.specFile)}, no problems`;
}

function nicsText(vm: VmPlan): string {
  return vm.network.nics
    .map((nic) => `${nic.device} ${nic.macAddress} ${nic.addressing.kind === 'static' ? `${nic.addressing.address}/${nic.addressing.prefix}` : 'dhcp'}`)
    .join(', ');
}

function vmLine(status: string, vm: VmPlan): string {
  const nics = nicsText(vm);
  return `${status} ${printable(vm.name)}${nics ? `: ${printable(nics)}` : ''}`;
}

/** --verbose: each VM with its status (built or kept, `verb` naming the first), then each removed one. */
export function builtVmLines(result: BuildResult, verb: string): string[] {
  return [
    ...result.vms.map((vm) => vmLine(vm.status === 'built' ? verb : 'kept', vm.plan)),
    ...result.removed.map((name) => `removed ${printable(name)}: no longer in the spec; ${removedFate(result.pruned, 1)}`),
  ];
}

/** --verbose for validate: each VM as it would be built. */
export function checkedVmLines(plan: FleetPlan): string[] {
  return plan.vms.map((vm) => vmLine('checked', vm));
}
