// cloudseed's public API, the package's only entry: the whole pipeline (buildFleet, validateSpec), one
// VM's documents (renderVm), the pure seed writers, inspectImage, the error users catch, and the types
// of their inputs and results. Everything else is internal (src/internal.ts). This file only re-exports.
// Some declarations behind these name Node's types (Buffer, NodeJS.ProcessEnv), so the package depends
// on @types/node and says so here, where TypeScript keeps it in dist/index.d.ts.
/// <reference types="node" preserve="true" />
export { CloudseedError, formatError, type CloudseedErrorOptions, type ErrorCode, type Problem, type SourceLocation } from './errors.js';
export { buildFleet, validateSpec, type BuildOptions, type BuildProgress, type BuildResult, type BuiltVm, type Platform, type PlanningOptions, type VmRecord } from './output/index.js';
export type { FleetSpec } from './spec/index.js';
export type { FleetPlan, VmPlan } from './plan/index.js';
export { renderVm, type SeedDocuments } from './render/index.js';
export { writeFat, writeIso9660, type FatWriteOptions, type Iso9660Options } from './formats/index.js';
export { writeSeedTar, type SeedFile, type TarLayout } from './pack/index.js';
export type { TarOptions } from './pack/seed-tar.js';
export { inspectImage, type ImageEntry, type ImageInspection, type ImageVolume, type InspectOptions } from './inspect/index.js';
