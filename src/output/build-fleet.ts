// The whole pipeline as the library offers it: spec -> plan -> render -> pack -> write. The CLI's
// build, render and validate are this with fewer stages.
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import type { FleetPlan } from '../plan/index.js';
import { renderFleet, type SeedDocuments } from '../render/index.js';
import { sourceDateEpochFromEnv } from '../pack/source-date.js';
import type { FleetSpec } from '../spec/index.js';
import { planSpecFile, type PlanningOptions } from './plan-spec-file.js';
import { builtVm, packVm, type RenderedVm, type VmBuildOptions } from './build-vm.js';
import { buildManifest, type BuiltVm } from './manifest.js';
import { openOutput } from './output-folder.js';
import type { LockOptions } from './output-lock.js';
import { stageGeneration, type StagedOutput } from './stage-generation.js';

/** Where a build is, for a progress line: `done` of `total` VMs through `stage`. */
export interface BuildProgress {
  stage: 'plan' | 'build' | 'commit';
  done: number;
  total: number;
}

export interface BuildOptions extends PlanningOptions {
  /** Stop after rendering: write the documents and the domain, no seed image. */
  renderOnly?: boolean;
  /** For reproducible images; default: the SOURCE_DATE_EPOCH environment variable, if set. */
  sourceDateEpoch?: number | null;
  /** What native images are stamped with when there is no SOURCE_DATE_EPOCH; default: now. */
  buildTime?: number;
  /** Waiting for another run that holds the output folder. */
  lock?: LockOptions;
  /** Rebuild every VM, also those whose inputs did not change since the live build. */
  force?: boolean;
  /** Remove the files of VMs the spec no longer has; without it they are kept and reported. */
  prune?: boolean;
  /** Called as the build moves on; often during `build`, so keep it cheap. */
  onProgress?: (progress: BuildProgress) => void;
}

export interface BuildResult {
  plan: FleetPlan;
  vms: BuiltVm[];
  manifestPath: string;
  /** VM folders no longer built but kept because they hold the user's own files. */
  notes: string[];
  /** VMs the previous build had and this spec has not. */
  removed: string[];
  /** Whether the removed VMs' files were deleted (--prune); otherwise they are kept as they were. */
  pruned: boolean;
}

const packageVersion: string = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;

/** Runs `work` over `items` with at most `limit` at a time, keeping the order of results. */
async function mapLimited<T, R>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

interface GenerationInput {
  spec: FleetSpec;
  plan: FleetPlan;
  documents: SeedDocuments[];
  vmOptions: VmBuildOptions;
  onProgress: (progress: BuildProgress) => void;
}

/** Packs every VM into the staged generation, each written as soon as it is built, then the manifest. */
async function writeGeneration(staged: StagedOutput, { spec, plan, documents, vmOptions, onProgress }: GenerationInput): Promise<BuiltVm[]> {
  const vms: BuiltVm[] = new Array(plan.vms.length);
  let done = 0;
  const accept = (index: number, rendered: RenderedVm) => {
    const vm = builtVm(plan.vms[index]!, rendered);
    vms[index] = vm;
    staged.writeVm(vm.plan.name, vm.files);
    onProgress({ stage: 'build', done: ++done, total: plan.vms.length });
  };
  // Several at a time: the external packers (genisoimage, mtools) are processes worth overlapping.
  // Native packing is CPU work on this thread; worker threads for render and pack were tried and lost
  // on two cores (each spends ~0.5 s loading and warming up before it beats the main thread).
  await mapLimited(plan.vms, availableParallelism(), async (vm, index) => accept(index, await packVm(vm, documents[index]!, vmOptions)));
  staged.writeTop(buildManifest({
    plan,
    specText: spec.text,
    vms,
    cloudseedVersion: packageVersion,
    sourceDateEpoch: vmOptions.sourceDateEpoch,
  }));
  return vms;
}

export async function buildFleet(specFile: string, options: BuildOptions): Promise<BuildResult> {
  const vmOptions: VmBuildOptions = {
    renderOnly: options.renderOnly ?? false,
    sourceDateEpoch: options.sourceDateEpoch ?? sourceDateEpochFromEnv(),
    // Read once here, so every image of the run carries the same time and no stage reads the clock.
    buildTime: options.buildTime ?? Math.floor(Date.now() / 1000),
  };
  const onProgress = options.onProgress ?? (() => {});
  onProgress({ stage: 'plan', done: 0, total: 0 });
  const { spec, plan } = await planSpecFile(specFile, options);
  // Every document is rendered (and so checked) before anything is written or any packer runs.
  const documents = renderFleet(plan);
  const output = await openOutput(options.outputDir, options.lock);
  try {
    // Refused before any packing: a folder of the user's where a VM's would go.
    output.checkNames(plan.vms.map((vm) => vm.name));
    const staged = stageGeneration(output);
    let vms: BuiltVm[];
    try {
      vms = await writeGeneration(staged, { spec, plan, documents, vmOptions, onProgress });
    } catch (error) {
      staged.discard();
      throw error;
    }
    const built = new Set(plan.vms.map((vm) => vm.name));
    const removed = output.liveVmNames().filter((name) => !built.has(name));
    onProgress({ stage: 'commit', done: plan.vms.length, total: plan.vms.length });
    const notes = staged.commit();
    return { plan, vms, manifestPath: path.join(options.outputDir, 'manifest.json'), notes, removed, pruned: true };
  } finally {
    output.close();
  }
}

/** Loads, plans and renders without writing anything: what `cloudseed validate` checks. */
export async function validateSpec(specFile: string, options: Omit<BuildOptions, 'renderOnly'>): Promise<{ plan: FleetPlan; documents: SeedDocuments[] }> {
  const { plan } = await planSpecFile(specFile, options);
  return { plan, documents: renderFleet(plan) };
}
