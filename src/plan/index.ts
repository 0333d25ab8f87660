// plan/: from a validated spec to fully resolved VM plans (addresses, MACs, hashes, paths).
export { planFleet } from './plan-fleet.js';
export { hashFleetPasswords } from './hash-passwords.js';
export { loadSaltSecret } from './salt-secret.js';
export { detectEnvironment } from './environment.js';
export type { PlanEnvironment, PlanOptions } from './vm-context.js';
export type * from './types.js';
