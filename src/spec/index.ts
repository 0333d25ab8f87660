// spec/: reading and validating the YAML spec that describes a fleet.
export { loadSpec, parseSpec, readSpecText, type FleetSpec } from './load-spec.js';
export { salvageSpec } from './salvage-spec.js';
export { formatFieldPath, type FieldPath, type SpecSource } from './source-map.js';
export type * from './schema.js';
