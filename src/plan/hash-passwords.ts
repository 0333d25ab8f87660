// A fleet's distinct passwords hashed before planning, spread over the cores in worker threads.
// SHA-512 crypt is slow on purpose (5,000 rounds), and a fleet with a password per VM would otherwise
// spend most of its build hashing them one after another on the main thread.
import { availableParallelism } from 'node:os';
import { CloudseedError } from '../errors.js';
import type { FleetSpec } from '../spec/load-spec.js';
import { mergeVmSettings } from './merge-defaults.js';
import { passwordHashKey, passwordSalt } from './plan-accounts.js';
import { siblingModule, startWorker } from '../worker-threads.js';

export interface PasswordToHash {
  salt: string;
  password: string;
}

/** Below this the planner hashes inline: a worker takes about 80 ms to start, the time of four hashes. */
const minimumForWorkers = 16;

const workerModule = siblingModule(import.meta.url, 'hash-worker');

/**
 * Each (user name, password) the planner will hash. This mirrors planPassword's sources (users,
 * chpasswd.users, rootPassword); a password it missed would still be hashed, inline, by the planner.
 */
function* passwordsToHash(spec: FleetSpec): Generator<{ name: string; password: string }> {
  for (const vmSpec of spec.input.vms) {
    const vm = mergeVmSettings(spec, vmSpec);
    if (vm.passwordStorage === 'plaintext') continue;
    for (const { name, password } of [...(vm.users ?? []), ...(vm.chpasswd?.users ?? []), { name: 'root', password: vm.rootPassword }]) {
      if (password !== undefined) yield { name, password };
    }
  }
}

/** Whether planning `spec` derives any salt, and so needs a salt secret. */
export function hasPasswordsToHash(spec: FleetSpec): boolean {
  return !passwordsToHash(spec).next().done;
}

/** Every distinct (salt, password) the planner will hash. */
export function collectPasswords(spec: FleetSpec, saltSecret: string): PasswordToHash[] {
  const fleet = spec.input.fleet ?? spec.fileStem;
  const pairs = new Map<string, PasswordToHash>();
  for (const { name, password } of passwordsToHash(spec)) {
    const salt = passwordSalt(fleet, name, saltSecret);
    pairs.set(passwordHashKey(salt, password), { salt, password });
  }
  return [...pairs.values()];
}

function hashInWorker(pairs: PasswordToHash[]): Promise<(string | null)[]> {
  return new Promise((resolve, reject) => {
    const worker = startWorker(workerModule, { workerData: pairs });
    const fail = (cause: unknown) => reject(new CloudseedError('INTERNAL', 'a password hashing worker failed', { cause }));
    worker.once('message', resolve);
    worker.once('error', fail);
    worker.once('exit', (code) => fail(new Error(`exit code ${code}`)));
  });
}

/** The hashes for planFleet's `passwordHashes`, by passwordHashKey; empty when too few to be worth workers. */
export async function hashFleetPasswords(
  spec: FleetSpec,
  options: { saltSecret: string; workers?: number; known?: ReadonlyMap<string, string>; pairs?: readonly PasswordToHash[] },
): Promise<Map<string, string>> {
  const all = options.pairs ?? collectPasswords(spec, options.saltSecret);
  const pairs = all.filter((pair) => !options.known?.has(passwordHashKey(pair.salt, pair.password)));
  const workers = Math.min(options.workers ?? availableParallelism(), pairs.length);
  const hashes = new Map<string, string>();
  if (pairs.length < minimumForWorkers || workers < 2) return hashes;
  const shares = Array.from({ length: workers }, (_, worker) => pairs.filter((_pair, index) => index % workers === worker));
  const results = await Promise.all(shares.map(hashInWorker));
  shares.forEach((share, worker) => share.forEach((pair, index) => {
    const hash = results[worker]?.[index];
    if (hash) hashes.set(passwordHashKey(pair.salt, pair.password), hash);
  }));
  return hashes;
}
