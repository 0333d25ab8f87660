// The whole pipeline as the library offers it: spec -> plan -> render -> pack -> write. The CLI's
// build, render and validate are this with fewer stages.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import path from 'node:path';
import { createRequire } from 'node:module';
import type { FleetPlan, VmPlan } from '../plan/index.js';
import { seedPrograms, toolIdentity } from '../pack/index.js';
import { checkDomainValues, forgetCompiledTemplates, renderFleet, renderVm, templateSetHash, type SeedDocuments } from '../render/index.js';
import { sourceDateEpochFromEnv } from '../pack/source-date.js';
import type { FleetSpec } from '../spec/index.js';
import { planSpecFile, type Platform, type PlanningOptions } from './plan-spec-file.js';
import { builtVm, packVm, vmFiles, type VmBuildOptions } from './build-vm.js';
import type { OutputFile } from './stage-generation.js';
import { buildManifest, sha256, vmRecord, type BuiltVm, type RemovedVm, type VmRecord } from './manifest.js';
import { openOutput, type OpenedOutput } from './output-folder.js';
import type { LockOptions } from './output-lock.js';
import { buildStateName, manifestName, vmStoreDirName } from './output-layout.js';
import { readPasswordCache, readPreviousBuild, type BuildState, type PreviousBuild, type PreviousVm } from './previous-build.js';
import { linkOutput, stageGeneration } from './stage-generation.js';
import { vmFingerprint, type FingerprintInputs } from './vm-fingerprint.js';
import { crashPoint } from './crash-point.js';
import { mapLimited } from '../map-limited.js';
import { checkKubevirtFleet, kubevirtFleetFiles, kubevirtVmFiles, kubevirtVmPlan, vmManifestFileName, vmManifestName } from '../kubevirt/index.js';
import { kubevirtFolderName } from './output-layout.js';
import { originOf } from '../plan/merge-defaults.js';


/** Where a build is, for a progress line: `done` of `total` VMs through `stage`. */
export interface BuildProgress {
  stage: 'plan' | 'build' | 'commit';
  done: number;
  total: number;
}

/**
 * `platform` (from PlanningOptions) says what the output is for: `libvirt` (seed images, domain XML,
 * qemu.sh; the default) or `kubevirt` (VirtualMachine manifests and a kustomization in OUT/kubevirt/).
 */
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
  /** The namespace of a KubeVirt build; default: the spec's `kubevirt.namespace`, else none (kubectl's). */
  namespace?: string;
  /** Called as the build moves on; often during `build`, so keep it cheap. */
  onProgress?: (progress: BuildProgress) => void;
}

export interface BuildResult {
  plan: FleetPlan;
  vms: BuiltVm[];
  manifestPath: string;
  /** VM folders no longer built but kept because they hold the user's own files. */
  notes: string[];
  /** VMs the live build had and this spec has not. */
  removed: string[];
  /** Whether the removed VMs' files were deleted (--prune); otherwise they are kept as they were. */
  pruned: boolean;
  /** The allocation lock beside the spec, and whether this build wrote it; null when the spec keeps none. */
  allocationLock: { path: string; changed: boolean } | null;
}

const packageVersion: string = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;


/** What this run does with each VM of the plan: keep the live build's folder, or build it anew. */
interface VmDecision {
  fingerprint: string;
  /** The live build's entry, when its files are exactly what this run would write. */
  keep: PreviousVm | null;
}

function decideVms(plan: FleetPlan, previous: PreviousBuild, storeDir: string, inputs: FingerprintInputs, force: boolean): VmDecision[] {
  return plan.vms.map((vm) => {
    const fingerprint = vmFingerprint(vm, inputs);
    const live = previous.vms.get(vm.name);
    const keep = !force && live?.fingerprint === fingerprint && existsSync(path.join(storeDir, live.store)) ? live : null;
    return { fingerprint, keep };
  });
}

/** The VMs of the live build that the spec no longer has, whose files are still there to carry over. */
function removedVms(planned: ReadonlySet<string>, previous: PreviousBuild, storeDir: string): [string, PreviousVm][] {
  return [...previous.vms].filter(([name, vm]) => !planned.has(name) && existsSync(path.join(storeDir, vm.store)));
}

/**
 * What makes two builds the same output: every VM's folder and fingerprint, the VMs carried over as
 * removed, and the manifest's fleet-wide fields. Equal to the live build's, nothing needs writing.
 */
function buildIdentity(manifestFields: object, stores: Record<string, { store: string; fingerprint: string }>, removed: readonly string[]): string {
  // By name: the VMs packed in parallel finish in any order, and the identity must not depend on it.
  const byName = Object.keys(stores).sort().map((name) => [name, stores[name]]);
  return createHash('sha256').update(JSON.stringify({ manifestFields, byName, removed })).digest('hex');
}

interface BuildRun {
  spec: FleetSpec;
  plan: FleetPlan;
  /** The platform, and for KubeVirt the namespace (null: none). */
  target: { platform: Platform; namespace: string | null };
  vmOptions: VmBuildOptions;
  options: BuildOptions;
  onProgress: (progress: BuildProgress) => void;
}

async function buildInto(output: OpenedOutput, { spec, plan, target, vmOptions, options, onProgress }: BuildRun): Promise<Omit<BuildResult, 'manifestPath' | 'plan' | 'allocationLock'>> {
  // Refused before any packing: a folder of the user's where a VM's would go.
  const kubevirt = target.platform === 'kubevirt';
  const topNames = kubevirt ? [manifestName, kubevirtFolderName] : [manifestName];
  output.checkNames(plan.vms.map((vm) => vm.name), topNames.slice(1));
  const storeDir = path.join(output.stateDir, vmStoreDirName);
  const previous = readPreviousBuild(output.stateDir);
  // The templates are read afresh by each build: their texts are part of every fingerprint.
  forgetCompiledTemplates();
  const templateSets = new Map<string | null, string>();
  const programsOf = (vm: VmPlan) => (vmOptions.renderOnly || kubevirt ? [] : seedPrograms({ packer: vm.seed.packer, diskFormat: vm.seed.format }));
  const toolIdentities = new Map<string, string>();
  for (const program of new Set(plan.vms.flatMap(programsOf))) toolIdentities.set(program, await toolIdentity(program));
  const inputs: FingerprintInputs = {
    cloudseedVersion: packageVersion,
    sourceDateEpoch: vmOptions.sourceDateEpoch,
    renderOnly: vmOptions.renderOnly,
    target: `${target.platform}:${target.namespace ?? ''}`,
    templateSet(dir) {
      if (!templateSets.has(dir)) templateSets.set(dir, templateSetHash(dir));
      return templateSets.get(dir)!;
    },
    tools: (vm) => programsOf(vm).map((program) => toolIdentities.get(program)).join('\n'),
  };
  const decisions = decideVms(plan, previous, storeDir, inputs, options.force ?? false);
  const prune = options.prune ?? false;
  const planned = new Set(plan.vms.map((vm) => vm.name));
  const carried = prune ? [] : removedVms(planned, previous, storeDir);
  // The live build's VMs: from its state, or from its manifest alone when it predates state.json (or 0.1's).
  const live = previous.identity !== null ? [...previous.vms.keys()] : output.liveVmNames();
  const removed = live.filter((name) => !planned.has(name));
  const toBuild = decisions.flatMap((decision, index) => (decision.keep === null ? [index] : []));
  // Fleet-wide checks first; each VM is then rendered (and checked) just before it is packed, so a
  // 10,000-VM build never holds every document at once. A template that fails half-way leaves only a
  // generation nobody sees, which is removed.
  checkDomainValues(plan);
  const total = plan.vms.length;
  let done = total - toBuild.length;
  onProgress({ stage: 'build', done, total });

  const manifestFields = { cloudseed: packageVersion, fleet: plan.fleet, spec: sha256(spec.text), sourceDateEpoch: vmOptions.sourceDateEpoch, warnings: plan.warnings, ...target };
  const vms: BuiltVm[] = plan.vms.map((vm, index) => {
    const keep = decisions[index]!.keep;
    // A VM to build gets its entry once it is packed, below.
    return keep === null ? { status: 'built', plan: vm, record: undefined as never } : { status: 'kept', plan: vm, record: keep.record };
  });
  const removedRecords: RemovedVm[] = carried.map(([name, vm]) => ({ name, record: vm.record }));
  const fileNamesOf = (record: VmRecord) => record.files.map((file) => file.name);

  // The live build's folders this build links again: unchanged VMs, and removed ones until --prune.
  const reused = [...plan.vms.flatMap((vm, index) => {
    const keep = decisions[index]!.keep;
    return keep === null ? [] : [[vm.name, keep] as const];
  }), ...carried];
  const stores: Record<string, { store: string; fingerprint: string }> = Object.fromEntries(reused.map(([name, vm]) => [name, { store: vm.store, fingerprint: vm.fingerprint }]));
  const removedNames = carried.map(([name]) => name);
  if (toBuild.length === 0 && buildIdentity(manifestFields, stores, removedNames) === previous.identity) {
    // The live build is already this build: only put back a link someone may have removed.
    linkOutput(output, new Map(reused.map(([name, vm]) => [name, fileNamesOf(vm.record)])), topNames);
    return { vms, notes: [], removed, pruned: prune };
  }

  const staged = stageGeneration(output);
  try {
    for (const [name, vm] of reused) staged.keepVm(name, vm.store, fileNamesOf(vm.record));
    // Several at a time: the external packers (genisoimage, mtools) are processes worth overlapping.
    // Native packing is CPU work on this thread; worker threads for render and pack were tried and lost
    // on two cores (each spends ~0.5 s loading and warming up before it beats the main thread).
    await mapLimited(toBuild, availableParallelism(), async (index) => {
      const vm = plan.vms[index]!;
      let files: OutputFile[];
      if (kubevirt) {
        const where = () => spec.source.locate(originOf(spec, index, ['name']));
        files = kubevirtVmFiles(vm, target.namespace, where).files;
        // KubeVirt's instance-id is the firmware UUID it is given (see vm-manifests.ts), and the record says so.
        vms[index] = { status: 'built', plan: vm, record: vmRecord(vm, vm.uuid, files, null) };
      } else {
        const rendered = await packVm(vm, renderVm(vm), vmOptions);
        files = vmFiles(vm, rendered);
        vms[index] = builtVm(vm, rendered, files);
      }
      stores[vm.name] = { store: staged.writeVm(vm.name, files), fingerprint: decisions[index]!.fingerprint };
      onProgress({ stage: 'build', done: ++done, total });
    });
    if (kubevirt) {
      const vmLinks = plan.vms.map((vm) => ({ name: vmManifestFileName(vm.name), vmName: vm.name, file: vmManifestName }));
      staged.writeFolder(kubevirtFolderName, kubevirtFleetFiles(plan, target.namespace), vmLinks);
    }
    staged.writeTop(buildManifest({ plan, specText: spec.text, vms, removed: removedRecords, cloudseedVersion: packageVersion, sourceDateEpoch: vmOptions.sourceDateEpoch, ...target }));
    const state: BuildState = {
      cloudseedState: 1,
      identity: buildIdentity(manifestFields, stores, removedNames),
      vms: stores,
      passwordHashes: plan.passwordCache,
    };
    // 0600: the fingerprints cover the plan, which may hold a plaintext password (el7), and the hashes are the guests'.
    staged.writeState({ name: buildStateName, bytes: `${JSON.stringify(state)}\n`, mode: 0o600 });
  } catch (error) {
    staged.discard();
    throw error;
  }
  onProgress({ stage: 'commit', done: total, total });
  return { vms, notes: staged.commit(), removed, pruned: prune };
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
  const { spec, plan, allocationLock } = await planSpecFile(specFile, { passwordCache: readPasswordCache(options.outputDir), ...options });
  const target = prepareTarget(spec, plan, options);
  crashPoint('planned');
  const output = await openOutput(options.outputDir, options.lock);
  try {
    const result = await buildInto(output, { spec, plan, target, vmOptions, options, onProgress });
    // Only once the output is committed: a lock must never record addresses no build has handed out.
    // A run killed before this line plans the same allocations again, from the same spec and old lock.
    allocationLock?.save();
    return {
      plan,
      manifestPath: path.join(options.outputDir, manifestName),
      ...result,
      allocationLock: allocationLock === null ? null : { path: allocationLock.path, changed: allocationLock.changed },
    };
  } finally {
    output.close();
  }
}

/**
 * The platform and namespace of a build. For KubeVirt, refuses what it cannot run (SPEC_INVALID, before
 * anything is written) and adds to the plan's warnings what it does its own way.
 */
function prepareTarget(spec: FleetSpec, plan: FleetPlan, options: Pick<BuildOptions, 'platform' | 'namespace'>): BuildRun['target'] {
  const platform = options.platform ?? 'libvirt';
  if (platform !== 'kubevirt') return { platform, namespace: null };
  const namespace = options.namespace ?? plan.kubevirtNamespace;
  const check = checkKubevirtFleet(spec, plan, namespace);
  plan.warnings.push(...check.warnings);
  plan.host.warnings.push(...check.fleetWarnings.map((message) => ({ location: spec.source.locate(['host']), message })));
  return { platform, namespace };
}

/**
 * Loads, plans and renders without writing anything: what `cloudseed validate` checks. The password
 * hashes a build into `outputDir` remembered are used (only read), so validating before a rebuild of a
 * fleet with a password per VM does not hash them all again.
 */
export async function validateSpec(specFile: string, options: Omit<BuildOptions, 'renderOnly'>): Promise<{ plan: FleetPlan; documents: SeedDocuments[] }> {
  const { spec, plan } = await planSpecFile(specFile, { passwordCache: readPasswordCache(options.outputDir), ...options });
  const target = prepareTarget(spec, plan, options);
  return { plan, documents: renderFleet(target.platform === 'kubevirt' ? { ...plan, vms: plan.vms.map(kubevirtVmPlan) } : plan) };
}
