// Where a fleet build's time goes: buildFleet's stages called one by one from the library, each timed.
// Run in a fresh process: SPEC OUTPUT-DIR [DIST-DIR]. Prints one JSON line: StageProfile.
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadCloudseed, type Cloudseed } from './library.js';

export interface StageProfile {
  /** Milliseconds per stage, in pipeline order. */
  stages: Record<string, number>;
  cpuStages: Record<string, number>;
  /** System CPU per stage: for write, the file system's own work, which varies with the disk's state. */
  kernelStages: Record<string, number>;
  totalMs: number;
  /** Distinct passwords hashed ahead in worker threads (0: few enough for the planner to hash inline). */
  hashedInWorkers: number;
  /** Hashing the same passwords on the main thread, one after another, as planFleet does alone. */
  inlineHashMs: number | null;
}

/** Wall time and CPU per stage (CPU of the whole process: main thread, workers, libuv's I/O threads). */
const stages: Record<string, number> = {};
const cpuStages: Record<string, number> = {};
const kernelStages: Record<string, number> = {};

async function timed<T>(name: string, work: () => T | Promise<T>): Promise<T> {
  const start = performance.now();
  const cpu = process.cpuUsage();
  const result = await work();
  stages[name] = performance.now() - start;
  const { user, system } = process.cpuUsage(cpu);
  cpuStages[name] = (user + system) / 1000;
  kernelStages[name] = system / 1000;
  return result;
}

async function profile(cloudseed: Cloudseed, specFile: string, outputDir: string): Promise<StageProfile> {
  const environment = { kvmUsable: true, fileExists: () => true };
  const planOptions = { outputDir, environment, saltSecret: 'cloudseed' };
  const spec = await timed('load', () => cloudseed.loadSpec(specFile));
  const passwordHashes = await timed('hash', () => cloudseed.hashFleetPasswords(spec, planOptions));
  const plan = await timed('plan', () => cloudseed.planFleet(spec, { ...planOptions, passwordHashes }));
  const documents = await timed('render', () => cloudseed.renderFleet(plan));
  const images = await timed('pack', async () => {
    const packed = [];
    for (const [index, vm] of plan.vms.entries()) {
      packed.push(await cloudseed.packSeed(cloudseed.seedFilesOf(documents[index]!), { ...vm.seed, diskFormat: vm.seed.format, sourceDateEpoch: 0 }));
    }
    return packed;
  });
  const files = plan.vms.map((vm, index) => cloudseed.vmFiles(vm, { documents: documents[index]!, image: images[index]! }));
  const vms = plan.vms.map((vm, index) => cloudseed.builtVm(vm, { documents: documents[index]!, image: images[index]! }, files[index]!));
  const manifest = await timed('manifest', () => cloudseed.buildManifest({ plan, specText: spec.text, vms, removed: [], cloudseedVersion: 'bench', sourceDateEpoch: 0, platform: 'libvirt', namespace: null }));
  await timed('write', async () => {
    const output = await cloudseed.openOutput(outputDir);
    try {
      const staged = cloudseed.stageGeneration(output);
      vms.forEach((vm, index) => staged.writeVm(vm.plan.name, files[index]!));
      staged.writeTop(manifest);
      staged.commit();
    } finally {
      output.close();
    }
  });
  const totalMs = Object.values(stages).reduce((sum, ms) => sum + ms, 0);
  let inlineHashMs: number | null = null;
  if (passwordHashes.size > 0) {
    const start = performance.now();
    cloudseed.planFleet(spec, planOptions);
    inlineHashMs = performance.now() - start - (stages.plan ?? 0);
  }
  return { stages, cpuStages, kernelStages, totalMs, hashedInWorkers: passwordHashes.size, inlineHashMs };
}

const [specFile, outputDir, distDir] = process.argv.slice(2);
if (specFile === undefined || outputDir === undefined) throw new Error('usage: stage-profile.ts SPEC OUTPUT-DIR [DIST-DIR]');
console.log(JSON.stringify(await profile(await loadCloudseed(distDir && path.resolve(distDir)), specFile, outputDir)));
