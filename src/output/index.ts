// output/: the pipeline end to end, writing each VM's files atomically plus a run manifest.
export { buildFleet, validateSpec, type BuildOptions, type BuildProgress, type BuildResult } from './build-fleet.js';
export { planSpec, planSpecFile, type PlannedSpecFile, type PlanningOptions, type Platform } from './plan-spec-file.js';
export { sourceDateEpochFromEnv } from '../pack/source-date.js';
export { seedFilesOf, packVm, builtVm, vmFiles, type RenderedVm, type VmBuildOptions } from './build-vm.js';
export { buildManifest, describeVm, vmRecord, type BuiltVm, type RemovedVm, type VmRecord } from './manifest.js';
export { openOutput, type OpenedOutput } from './output-folder.js';
export { stageGeneration, type OutputFile, type StagedOutput } from './stage-generation.js';
