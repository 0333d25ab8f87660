// `--json`: what a run did as one JSON document on stdout, for pipelines. The same per-VM description
// as manifest.json, with each VM's status and warnings; nothing else goes to stdout.
import { describeVm, vmRecord, type BuildResult, type BuiltVm } from '../output/index.js';
import type { FleetPlan } from '../plan/index.js';
import type { SeedDocuments } from '../render/index.js';

/**
 * built: this run wrote the VM's files; kept: unchanged since the live build, left as they were;
 * removed: the live build had it and the spec no longer has; checked: validate, which writes nothing.
 * render reports built and kept as build does (its VMs have `seed: null`): the status says what the
 * run did to the VM's folder, whichever command it was.
 */
export type VmStatus = BuiltVm['status'] | 'removed' | 'checked';

function warningsOf(plan: FleetPlan, vmName: string): string[] {
  return plan.warnings.filter((warning) => warning.vm === vmName).map((warning) => warning.message);
}

function document(plan: FleetPlan, command: string, vms: unknown[], extra: object): string {
  return JSON.stringify({ command, fleet: plan.fleet, spec: plan.specFile, ...extra, vms, warnings: plan.warnings }, null, 2);
}

export function buildReport(result: BuildResult, command: 'build' | 'render'): string {
  const { plan } = result;
  const vms = [
    ...result.vms.map((vm) => ({ ...describeVm(vm), status: vm.status satisfies VmStatus, warnings: warningsOf(plan, vm.plan.name) })),
    // pruned: whether this run deleted the files cloudseed wrote for it, or left them (no --prune).
    ...result.removed.map((name) => ({ name, status: 'removed' satisfies VmStatus, pruned: result.pruned })),
  ];
  return document(plan, command, vms, { outputDir: plan.outputDir, manifest: result.manifestPath, notes: result.notes });
}

/** validate writes nothing: each VM as it would be built, without files. */
export function validateReport(plan: FleetPlan, documents: readonly SeedDocuments[]): string {
  const vms = plan.vms.map((vm, index) => {
    const unwritten: BuiltVm = { status: 'built', plan: vm, record: vmRecord(vm, documents[index]!.instanceId, [], null) };
    return { ...describeVm(unwritten), status: 'checked' satisfies VmStatus, warnings: warningsOf(plan, vm.name) };
  });
  return document(plan, 'validate', vms, {});
}
