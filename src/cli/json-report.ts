// `--json`: what a run did as one JSON document on stdout, for pipelines. The same per-VM description
// as manifest.json, with each VM's status and warnings; nothing else goes to stdout.
import { describeVm, type BuildResult, type BuiltVm } from '../output/index.js';
import type { FleetPlan } from '../plan/index.js';
import type { SeedDocuments } from '../render/index.js';

export type VmStatus = 'built' | 'rendered' | 'checked' | 'removed';

function vmReports(plan: FleetPlan, vms: readonly BuiltVm[], status: VmStatus) {
  return vms.map((vm) => ({
    ...describeVm(vm),
    status,
    warnings: plan.warnings.filter((warning) => warning.vm === vm.plan.name).map((warning) => warning.message),
  }));
}

function document(plan: FleetPlan, vms: unknown[], extra: object): string {
  return JSON.stringify({ fleet: plan.fleet, spec: plan.specFile, ...extra, vms, warnings: plan.warnings }, null, 2);
}

export function buildReport(result: BuildResult, renderOnly: boolean): string {
  const vms = [
    ...vmReports(result.plan, result.vms, renderOnly ? 'rendered' : 'built'),
    ...result.removed.map((name) => ({ name, status: 'removed' as const })),
  ];
  return document(result.plan, vms, { outputDir: result.plan.outputDir, manifest: result.manifestPath, notes: result.notes });
}

/** validate writes nothing: each VM as it would be built, without files. */
export function validateReport(plan: FleetPlan, documents: readonly SeedDocuments[]): string {
  const checked = plan.vms.map((vm, index) => ({ status: 'built' as const, plan: vm, documents: documents[index]!, files: [], packer: null }));
  return document(plan, vmReports(plan, checked, 'checked'), {});
}
