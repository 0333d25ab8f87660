// The allocation lock's format: what it records (each VM's derived MACs and pool addresses, and the
// addresses of VMs that are gone), how it is read back, and its one byte layout. No I/O here.
import path from 'node:path';
import { CloudseedError, type Problem } from '../errors.js';
import { normalizeMac } from '../spec/formats.js';
import { parseIpv4 } from '../spec/ipv4.js';

/** Bumped whenever a reader of the old format would misread the new one. */
export const lockFormatVersion = 1;

export interface PoolAddress {
  pool: string;
  address: string;
}

/** What the lock holds for one NIC: whichever of its MAC and address cloudseed chose (null: given in the spec). */
export interface LockedNic {
  macAddress: string | null;
  address: PoolAddress | null;
}

export interface AllocationLock {
  fleet: string;
  /** By VM name, then by NIC device. */
  vms: Map<string, Map<string, LockedNic>>;
  /** By pool: addresses of VMs and NICs that are gone, oldest first; handed out again only when the pool has no other. */
  released: Map<string, string[]>;
}

/** `seeds/fleet.yaml` → `seeds/fleet.lock.json`: beside the spec, named like it, never matched by `*.yaml`. */
export function lockFilePath(specFile: string): string {
  const base = path.basename(specFile).replace(/\.ya?ml$/i, '');
  return path.join(path.dirname(specFile), `${base}.lock.json`);
}

/** Code-unit order, the same on every machine and locale. */
function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The lock as the file holds it: keys in a fixed order, VMs, devices and pools sorted, two-space indent. */
export function serializeAllocationLock(lock: AllocationLock): string {
  const vms = [...lock.vms].sort(([a], [b]) => byName(a, b)).map(([vm, nics]) => {
    const entries = [...nics].sort(([a], [b]) => byName(a, b)).map(([device, nic]) => {
      const entry: Record<string, string> = {};
      if (nic.macAddress !== null) entry.mac = nic.macAddress;
      if (nic.address !== null) Object.assign(entry, { pool: nic.address.pool, address: nic.address.address });
      return [device, entry] as const;
    });
    return [vm, Object.fromEntries(entries)] as const;
  });
  const released = [...lock.released].filter(([, addresses]) => addresses.length > 0).sort(([a], [b]) => byName(a, b));
  const document = {
    cloudseedLock: lockFormatVersion,
    fleet: lock.fleet,
    vms: Object.fromEntries(vms),
    released: Object.fromEntries(released),
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

function sameNic(a: LockedNic, b: LockedNic | undefined): boolean {
  return b !== undefined && a.macAddress === b.macAddress && a.address?.pool === b.address?.pool && a.address?.address === b.address?.address;
}

/** Whether two locks record the same, i.e. serialize to the same bytes (without building them: a fleet of thousands plans often). */
export function sameAllocationLock(a: AllocationLock, b: AllocationLock): boolean {
  if (a.fleet !== b.fleet || a.vms.size !== b.vms.size) return false;
  for (const [vm, nics] of a.vms) {
    const other = b.vms.get(vm);
    if (other === undefined || other.size !== nics.size) return false;
    for (const [device, nic] of nics) if (!sameNic(nic, other.get(device))) return false;
  }
  const released = (lock: AllocationLock) => [...lock.released].filter(([, addresses]) => addresses.length > 0);
  const [ours, theirs] = [released(a), released(b)];
  return ours.length === theirs.length && ours.every(([pool, addresses]) => b.released.get(pool)?.join() === addresses.join());
}

/** Whether `text` is meant as a cloudseed lock of any version: the one thing checked before replacing a file. */
export function isAllocationLockText(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return isObject(value) && Object.hasOwn(value, 'cloudseedLock');
  } catch {
    return false;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

type FieldParts = readonly (string | number)[];

/** `vms.runner-01.eth0`, `released.lan[2]`, or `vms["odd key"]` where a key would not read as one. */
function fieldName(parts: FieldParts): string {
  return parts
    .map((part, index) => {
      if (typeof part === 'number') return `[${part}]`;
      return /^[A-Za-z0-9_-]+$/.test(part) ? `${index === 0 ? '' : '.'}${part}` : `[${JSON.stringify(part)}]`;
    })
    .join('');
}

const restoreHint = 'cloudseed writes this file; restore it from version control, or delete it to allocate anew (every pool address and derived MAC may then move)';

export interface LockReadContext {
  /** The lock file's path, for messages. */
  file: string;
  /** The spec's fleet name, which the lock must carry. */
  fleet: string;
}

/** Reads a lock file's text; anything but cloudseed's own lock of this fleet and format is refused (SPEC_INVALID, exit 2). */
export function parseAllocationLock(text: string, context: LockReadContext): AllocationLock {
  const { file } = context;
  const whole = { file, line: null, column: null, field: null };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new CloudseedError('SPEC_INVALID', `${file} is not JSON (${(cause as Error).message}); expected cloudseed's allocation lock, an object with "cloudseedLock": ${lockFormatVersion}`, { location: whole, hint: restoreHint, cause });
  }
  if (!isObject(value) || !Object.hasOwn(value, 'cloudseedLock')) {
    throw new CloudseedError('SPEC_INVALID', `${file} is not a cloudseed allocation lock: expected a JSON object with "cloudseedLock": ${lockFormatVersion}`, {
      location: whole,
      hint: `cloudseed keeps the lock of this spec at ${file}; move that file away or give the spec another name`,
    });
  }
  if (value.cloudseedLock !== lockFormatVersion) {
    throw new CloudseedError('SPEC_INVALID', `${file} is an allocation lock of format ${JSON.stringify(value.cloudseedLock)}; this cloudseed reads format ${lockFormatVersion}`, {
      location: whole,
      hint: 'build with the cloudseed that wrote it (a newer one, if the format is higher)',
    });
  }
  const problems: Problem[] = [];
  const report = (parts: FieldParts, message: string) => problems.push({ location: { ...whole, field: fieldName(parts) }, message });
  const lock = readLockDocument(value, report);
  if (problems.length > 0) {
    throw new CloudseedError('SPEC_INVALID', `${file} is not a valid allocation lock (${problems.length === 1 ? 'one problem' : `${problems.length} problems`})`, { problems, hint: restoreHint });
  }
  if (lock.fleet !== context.fleet) {
    throw new CloudseedError('SPEC_INVALID', `${file} is the lock of fleet "${lock.fleet}", but the spec's fleet is "${context.fleet}"`, {
      location: whole,
      hint: `a lock belongs to one fleet: set \`fleet: ${lock.fleet}\` in the spec, or delete ${path.basename(file)} to allocate anew (every pool address and derived MAC may then move)`,
    });
  }
  return lock;
}

type Report = (parts: FieldParts, message: string) => void;

function checkKeys(value: Record<string, unknown>, allowed: readonly string[], parts: FieldParts, report: Report): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) report([...parts, key], `unknown key; expected only ${allowed.map((name) => `"${name}"`).join(', ')}`);
  }
}

function readLockDocument(value: Record<string, unknown>, report: Report): AllocationLock {
  checkKeys(value, ['cloudseedLock', 'fleet', 'vms', 'released'], [], report);
  if (typeof value.fleet !== 'string' || value.fleet === '') report(['fleet'], 'expected the fleet\'s name, a non-empty string');
  const vms = new Map<string, Map<string, LockedNic>>();
  if (!isObject(value.vms)) report(['vms'], 'expected an object of VMs by name');
  else {
    for (const [vm, nics] of Object.entries(value.vms)) vms.set(vm, readLockedVm(nics, ['vms', vm], report));
  }
  const released = new Map<string, string[]>();
  if (!isObject(value.released)) report(['released'], 'expected an object of address lists by pool name');
  else {
    for (const [pool, addresses] of Object.entries(value.released)) released.set(pool, readReleased(addresses, ['released', pool], report));
  }
  return { fleet: typeof value.fleet === 'string' ? value.fleet : '', vms, released };
}

function readLockedVm(value: unknown, parts: FieldParts, report: Report): Map<string, LockedNic> {
  const nics = new Map<string, LockedNic>();
  if (!isObject(value)) {
    report(parts, 'expected an object of NICs by device, such as {"eth0": {"mac": "52:54:00:12:34:56"}}');
    return nics;
  }
  for (const [device, nic] of Object.entries(value)) {
    const locked = readLockedNic(nic, [...parts, device], report);
    if (locked) nics.set(device, locked);
  }
  return nics;
}

function readLockedNic(value: unknown, parts: FieldParts, report: Report): LockedNic | null {
  if (!isObject(value)) {
    report(parts, 'expected an object with "mac", or "pool" and "address", or all three');
    return null;
  }
  checkKeys(value, ['mac', 'pool', 'address'], parts, report);
  let macAddress: string | null = null;
  if (value.mac !== undefined) {
    macAddress = typeof value.mac === 'string' ? normalizeMac(value.mac) : null;
    if (macAddress === null) report([...parts, 'mac'], `${JSON.stringify(value.mac)} is not a unicast MAC address such as 52:54:00:12:34:56`);
  }
  const hasPool = value.pool !== undefined;
  const hasAddress = value.address !== undefined;
  let address: PoolAddress | null = null;
  if (hasPool !== hasAddress) report(parts, 'expected "pool" and "address" together, or neither');
  else if (hasPool) {
    const poolOk = typeof value.pool === 'string' && value.pool !== '';
    const addressOk = typeof value.address === 'string' && parseIpv4(value.address) !== null;
    if (!poolOk) report([...parts, 'pool'], `${JSON.stringify(value.pool)} is not a pool name`);
    if (!addressOk) report([...parts, 'address'], `${JSON.stringify(value.address)} is not an IPv4 address such as 10.0.0.5`);
    if (poolOk && addressOk) address = { pool: value.pool as string, address: value.address as string };
  } else if (value.mac === undefined) report(parts, 'expected "mac", or "pool" and "address"');
  return { macAddress, address };
}

function readReleased(value: unknown, parts: FieldParts, report: Report): string[] {
  if (!Array.isArray(value)) {
    report(parts, 'expected a list of IPv4 addresses, oldest first');
    return [];
  }
  const addresses: string[] = [];
  value.forEach((address, index) => {
    if (typeof address === 'string' && parseIpv4(address) !== null) addresses.push(address);
    else report([...parts, index], `${JSON.stringify(address)} is not an IPv4 address such as 10.0.0.5`);
  });
  return addresses;
}
