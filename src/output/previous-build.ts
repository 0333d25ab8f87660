// What the live build left for the next one to compare with: per VM, the fingerprint of everything its
// files were made from and the folder in `.cloudseed/vms/` that holds them (state.json), and its record
// (manifest.json). Anything missing or malformed reads as "no previous build": the VM is built again,
// which is always safe.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { PasswordCache } from '../plan/index.js';
import { buildStateName, currentLinkName, manifestName, stateDirName } from './output-layout.js';
import type { ManifestStatus, VmRecord } from './manifest.js';

export interface PreviousVm {
  /** Its folder's name in `.cloudseed/vms/`. */
  store: string;
  fingerprint: string;
  record: VmRecord;
  status: ManifestStatus;
}

export interface PreviousBuild {
  vms: ReadonlyMap<string, PreviousVm>;
  /** See buildState: equal identities and every VM kept mean the live build is already this one. */
  identity: string | null;
}

export interface BuildState {
  cloudseedState: 1;
  identity: string;
  vms: Record<string, { store: string; fingerprint: string }>;
  /** See plan/password-cache.ts. */
  passwordHashes: Record<string, string>;
}

const nothing: PreviousBuild = { vms: new Map(), identity: null };

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

function isBuildState(value: unknown): value is BuildState {
  const state = value as Partial<BuildState> | null;
  return state?.cloudseedState === 1 && typeof state.identity === 'string' && typeof state.vms === 'object' && state.vms !== null &&
    Object.values(state.vms).every((vm) => typeof vm?.store === 'string' && typeof vm.fingerprint === 'string' && !vm.store.includes('/'));
}

/**
 * The password hashes the live build remembered. Read before planning, without the output's lock: a
 * build committing meanwhile replaces `current` in one step, and a stale or missing entry only costs
 * a hash.
 */
export function readPasswordCache(outputDir: string): PasswordCache {
  const state = readJson(path.join(outputDir, stateDirName, currentLinkName, buildStateName)) as Partial<BuildState> | null;
  const hashes = state?.cloudseedState === 1 && typeof state.passwordHashes === 'object' && state.passwordHashes !== null ? state.passwordHashes : {};
  return new Map(Object.entries(hashes).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}

export function readPreviousBuild(stateDir: string): PreviousBuild {
  const live = path.join(stateDir, currentLinkName);
  const state = readJson(path.join(live, buildStateName));
  const manifest = readJson(path.join(live, manifestName)) as { vms?: unknown } | null;
  if (!isBuildState(state) || !Array.isArray(manifest?.vms)) return nothing;
  const records = new Map<string, { status: ManifestStatus; record: VmRecord }>();
  for (const entry of manifest.vms as ({ status?: unknown; name?: unknown } & VmRecord)[]) {
    if (typeof entry?.name !== 'string' || !Array.isArray(entry.files)) continue;
    const { status, ...record } = entry;
    if (status === 'built' || status === 'kept' || status === 'removed') records.set(entry.name, { status, record: record as VmRecord });
  }
  const vms = new Map<string, PreviousVm>();
  for (const [name, { store, fingerprint }] of Object.entries(state.vms)) {
    const found = records.get(name);
    if (found !== undefined) vms.set(name, { store, fingerprint, ...found });
  }
  return { vms, identity: state.identity };
}
