// The whole pipeline as the library offers it: spec -> plan -> render -> pack -> write. The CLI's
// build, render and validate are this with fewer stages.
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { packSeed } from '../pack/index.js';
import type { SeedFile } from '../pack/seed-file.js';
import { detectEnvironment, hashFleetPasswords, planFleet, type FleetPlan, type PlanEnvironment, type VmPlan } from '../plan/index.js';
import { renderFleet, type SeedDocuments } from '../render/index.js';
import { loadSpec, type FleetSpec } from '../spec/index.js';
import { buildManifest, type BuiltVm } from './manifest.js';
import { stageOutput, type OutputFile } from './write-atomically.js';

export interface BuildOptions {
  outputDir: string;
  /** Stop after rendering: write the documents and the domain, no seed image. */
  renderOnly?: boolean;
  /** For reproducible images; default: the SOURCE_DATE_EPOCH environment variable, if set. */
  sourceDateEpoch?: number | null;
  /** What native images are stamped with when there is no SOURCE_DATE_EPOCH; default: now. */
  buildTime?: number;
  /** Mixed into password salts; default: CLOUDSEED_SALT_SECRET, else a fixed string. */
  saltSecret?: string;
  environment?: PlanEnvironment;
}

export interface BuildResult {
  plan: FleetPlan;
  vms: BuiltVm[];
  manifestPath: string;
}

const packageVersion: string = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;

export function sourceDateEpochFromEnv(env: NodeJS.ProcessEnv = process.env): number | null {
  const value = env.SOURCE_DATE_EPOCH;
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : null;
}

export async function planSpec(spec: FleetSpec, options: BuildOptions): Promise<FleetPlan> {
  const saltSecret = options.saltSecret ?? process.env.CLOUDSEED_SALT_SECRET ?? 'cloudseed';
  return planFleet(spec, {
    outputDir: options.outputDir,
    environment: options.environment ?? detectEnvironment(),
    saltSecret,
    passwordHashes: await hashFleetPasswords(spec, { saltSecret }),
  });
}

/** The files of a seed volume; user-data holds password hashes, so it is 0600 like the image. */
export function seedFilesOf(documents: SeedDocuments): SeedFile[] {
  const encode = (text: string) => new TextEncoder().encode(text);
  return [
    { path: 'user-data', bytes: encode(documents.userData), mode: 0o600 },
    { path: 'meta-data', bytes: encode(documents.metaData), mode: 0o644 },
    { path: 'network-config', bytes: encode(documents.networkConfig), mode: 0o644 },
  ];
}

function documentFiles(documents: SeedDocuments): OutputFile[] {
  return [
    ...seedFilesOf(documents).map((file) => ({ name: file.path, bytes: file.bytes, mode: file.mode })),
    { name: 'domain.xml', bytes: documents.domainXml, mode: 0o644 },
  ];
}

async function buildVm(vm: VmPlan, documents: SeedDocuments, options: BuildOptions): Promise<BuiltVm> {
  const files = documentFiles(documents);
  if (options.renderOnly) return { plan: vm, documents, files, packer: null };
  const packed = await packSeed(seedFilesOf(documents), {
    label: vm.seed.label,
    filesystem: vm.seed.filesystem,
    diskFormat: vm.seed.format,
    sourceDateEpoch: options.sourceDateEpoch ?? null,
    buildTime: options.buildTime,
    packer: vm.seed.packer,
  });
  files.push({ name: vm.seed.fileName, bytes: packed.bytes, mode: 0o600 });
  return { plan: vm, documents, files, packer: packed.packer };
}

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

export async function buildFleet(specFile: string, options: BuildOptions): Promise<BuildResult> {
  const resolved = {
    ...options,
    sourceDateEpoch: options.sourceDateEpoch ?? sourceDateEpochFromEnv(),
    // Read once here, so every image of the run carries the same time and no stage reads the clock.
    buildTime: options.buildTime ?? Math.floor(Date.now() / 1000),
  };
  const spec = await loadSpec(specFile);
  const plan = await planSpec(spec, resolved);
  const documents = renderFleet(plan);
  const vms = await mapLimited(plan.vms, availableParallelism(), (vm, index) => buildVm(vm, documents[index]!, resolved));
  const staged = await stageOutput(options.outputDir);
  try {
    for (const vm of vms) await staged.writeVm(vm.plan.name, vm.files);
    await staged.writeTop(buildManifest({
      plan,
      specText: spec.text,
      vms,
      cloudseedVersion: packageVersion,
      sourceDateEpoch: resolved.sourceDateEpoch,
    }));
  } catch (error) {
    await staged.discard();
    throw error;
  }
  await staged.commit();
  return { plan, vms, manifestPath: path.join(options.outputDir, 'manifest.json') };
}

/** Loads, plans and renders without writing anything: what `cloudseed validate` checks. */
export async function validateSpec(specFile: string, options: Omit<BuildOptions, 'renderOnly'>): Promise<{ plan: FleetPlan; documents: SeedDocuments[] }> {
  const spec = await loadSpec(specFile);
  const plan = await planSpec(spec, options);
  return { plan, documents: renderFleet(plan) };
}
