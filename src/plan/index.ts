// plan/: from a validated spec to fully resolved VM plans (addresses, MACs, hashes, paths).
export { fleetNameOf, planFleet } from './plan-fleet.js';
export { lockFilePath, parseAllocationLock, serializeAllocationLock, type AllocationLock, type LockedNic, type PoolAddress } from './allocation-lock.js';
export { allocationLockUpdate, frozenLockError, readAllocationLockFile, type AllocationLockUpdate, type LockFileState } from './allocation-lock-file.js';
export { describeLockChanges } from './lock-changes.js';
export { collectPasswords, hashFleetPasswords } from './hash-passwords.js';
export { cachedHashes, passwordCacheKey, type PasswordCache } from './password-cache.js';
export { loadSaltSecret } from './salt-secret.js';
export { detectEnvironment } from './environment.js';
export type { PlanEnvironment, PlanOptions } from './vm-context.js';
export type * from './types.js';
