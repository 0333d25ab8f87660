// From a spec file to its plan, with one report of everything wrong: when the schema refuses some
// fields, the rest of the spec is still planned, so a wrong value and, say, a duplicate address
// elsewhere are reported by the same run instead of one run each. The spec's allocation lock is read
// here and its update handed back; writing it is the caller's, once its output is committed.
import { CloudseedError, problemsError } from '../errors.js';
import {
  allocationLockUpdate,
  cachedHashes,
  collectPasswords,
  detectEnvironment,
  fleetNameOf,
  frozenLockError,
  hashFleetPasswords,
  loadSaltSecret,
  planFleet,
  readAllocationLockFile,
  type AllocationLock,
  type AllocationLockUpdate,
  type FleetPlan,
  type PasswordCache,
  type PlanEnvironment,
} from '../plan/index.js';
import { parseSpec, readSpecText, salvageSpec, type FleetSpec } from '../spec/index.js';

/** What a build's output is for: libvirt hosts (the default), or KubeVirt manifests. */
export type Platform = 'libvirt' | 'kubevirt';

export interface PlanningOptions {
  outputDir: string;
  /** Keys password salts; default: CLOUDSEED_SALT_SECRET, else this machine's secret (see loadSaltSecret). */
  saltSecret?: string;
  environment?: PlanEnvironment;
  /** Fail (SPEC_INVALID) rather than plan anything the allocation lock does not already record: for CI. */
  frozen?: boolean;
  platform?: Platform;
  /** Password hashes a previous build remembered; those are not hashed again. */
  passwordCache?: PasswordCache;
}

export interface PlannedSpecFile {
  spec: FleetSpec;
  plan: FleetPlan;
  /** The lock beside the spec and how this plan changes it; null when the spec keeps none. */
  allocationLock: AllocationLockUpdate | null;
}

/** Plans `spec`, keeping what `allocationLock` (the spec's lock as read) records. */
export async function planSpec(spec: FleetSpec, options: PlanningOptions, allocationLock: AllocationLock | null = null): Promise<FleetPlan> {
  const saltSecret = options.saltSecret ?? (await loadSaltSecret(spec));
  const pairs = collectPasswords(spec, saltSecret);
  const known = cachedHashes(pairs, options.passwordCache ?? new Map(), saltSecret);
  const computed = await hashFleetPasswords(spec, { saltSecret, known, pairs });
  return planFleet(spec, {
    outputDir: options.outputDir,
    environment: options.environment ?? detectEnvironment(),
    saltSecret,
    passwordHashes: new Map([...known, ...computed]),
    allocationLock,
    platform: options.platform,
  });
}

export async function planSpecFile(specFile: string, options: PlanningOptions): Promise<PlannedSpecFile> {
  const text = await readSpecText(specFile);
  let spec: FleetSpec;
  try {
    spec = parseSpec(text, specFile);
  } catch (error) {
    throw await withPlanningProblems(error, text, specFile, options);
  }
  const lockFile = readAllocationLockFile(specFile, fleetNameOf(spec));
  const plan = await planSpec(spec, options, lockFile.lock);
  const allocationLock = allocationLockUpdate(lockFile, plan.allocations);
  const frozen = options.frozen ? frozenLockError(allocationLock, lockFile) : null;
  if (frozen !== null) throw frozen;
  return { spec, plan, allocationLock };
}

/** `error` from the schema, joined by what planning finds in the fields the schema did not refuse. */
async function withPlanningProblems(error: unknown, text: string, specFile: string, options: PlanningOptions): Promise<unknown> {
  if (!(error instanceof CloudseedError) || error.code !== 'SPEC_INVALID') return error;
  const salvaged = salvageSpec(text, specFile);
  if (salvaged === null) return error;
  try {
    // Without the lock: it changes which addresses are chosen, never whether they can be.
    await planSpec(salvaged.spec, options);
    return error;
  } catch (planError) {
    if (!(planError instanceof CloudseedError) || planError.code !== 'SPEC_INVALID') return error;
    // A field the schema refused was left out, so the planner may complain of it or its parent too:
    // that is one problem, already reported.
    const beyond = planError.problems.filter((problem) => !salvaged.leftOut.some((field) => related(problem.location.field, field)));
    return problemsError([...error.problems, ...beyond], specFile);
  }
}

/** One field path inside the other, or the same. */
function related(field: string | null, leftOut: string): boolean {
  if (field === null) return false;
  const within = (inner: string, outer: string) => inner === outer || inner.startsWith(`${outer}.`) || inner.startsWith(`${outer}[`);
  return within(field, leftOut) || within(leftOut, field);
}
