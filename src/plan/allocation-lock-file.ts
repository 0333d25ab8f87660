// The allocation lock on disk: read beside the spec before planning; written back, atomically, only
// when the plan changed what it records, and never over a file that cloudseed did not write.
import { chmodSync, lstatSync, readFileSync, realpathSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CloudseedError } from '../errors.js';
import { isAllocationLockText, lockFilePath, parseAllocationLock, sameAllocationLock, serializeAllocationLock, type AllocationLock } from './allocation-lock.js';
import { describeLockChanges } from './lock-changes.js';

/** The spec's lock as found before planning. */
export interface LockFileState {
  path: string;
  /** The file's bytes as read (null: there was none), so that save() can tell whether it changed since. */
  bytes: Buffer | null;
  lock: AllocationLock | null;
}

/** What a build does with the lock once its output is committed. */
export interface AllocationLockUpdate {
  path: string;
  /** Whether the plan records anything the file does not (or there is no file yet). */
  changed: boolean;
  /** Each change, one line for people (see describeLockChanges); empty when nothing changed. */
  changes: readonly string[];
  /** Writes the new lock if it changed: a temporary file in the same folder, renamed over the old one. */
  save(): void;
}

function readBytes(file: string): Buffer | null {
  try {
    return readFileSync(file);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    const what = code === 'EISDIR' ? 'is a folder' : 'cannot be read';
    throw new CloudseedError('SPEC_INVALID', `the allocation lock ${file} ${what}`, {
      location: { file, line: null, column: null, field: null },
      hint: 'cloudseed keeps the lock of a spec beside it, named like the spec with .lock.json',
      cause,
    });
  }
}

/** Reads the lock of `specFile`, if it has one; refuses a file that is not this fleet's cloudseed lock. */
export function readAllocationLockFile(specFile: string, fleet: string): LockFileState {
  const file = lockFilePath(specFile);
  const bytes = readBytes(file);
  if (bytes === null) return { path: file, bytes, lock: null };
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (cause) {
    throw new CloudseedError('SPEC_INVALID', `${file} is not UTF-8 text; expected cloudseed's allocation lock (JSON)`, {
      location: { file, line: null, column: null, field: null },
      cause,
    });
  }
  return { path: file, bytes, lock: parseAllocationLock(text, { file, fleet }) };
}

/**
 * What to do with the lock after planning, or null when there is none to keep. A spec with no NIC
 * taking its address from a pool gets no lock unless it already has one: nothing of it moves when VMs
 * come and go but a derived MAC, and that only when a new VM's first candidate equals it (one chance
 * in 16 million per existing NIC), which is not worth a file to commit for every small spec.
 */
export function allocationLockUpdate(state: LockFileState, next: AllocationLock): AllocationLockUpdate | null {
  const usesPools = [...next.vms.values()].some((nics) => [...nics.values()].some((nic) => nic.address !== null));
  if (state.lock === null && !usesPools) return null;
  // Compared by what it records: a lock re-indented or with CRLF line ends is not rewritten.
  const changed = state.lock === null || !sameAllocationLock(state.lock, next);
  let changes: string[] = [];
  if (changed) {
    changes = describeLockChanges(state.lock, next, path.basename(state.path));
    if (changes.length === 0) changes = [`${path.basename(state.path)} would be rewritten`];
  }
  let expected = state.bytes;
  return {
    path: state.path,
    changed,
    changes,
    save() {
      if (!changed) return;
      const text = serializeAllocationLock(next);
      writeLockFile(state.path, expected, text);
      expected = Buffer.from(text);
    },
  };
}

/** The SPEC_INVALID error of a frozen build whose lock would change; null when it would not. */
export function frozenLockError(update: AllocationLockUpdate | null, state: LockFileState, shown = 10): CloudseedError | null {
  if (update === null || !update.changed) return null;
  const name = path.basename(update.path);
  const lines = update.changes.slice(0, shown);
  if (update.changes.length > shown) lines.push(`… and ${update.changes.length - shown} more`);
  const location = { file: update.path, line: null, column: null, field: null };
  const count = update.changes.length === 1 ? 'one change' : `${update.changes.length} changes`;
  const what = state.lock === null ? `${update.path} does not exist, and the build would write it` : `the build would change ${update.path} (${count})`;
  return new CloudseedError('SPEC_INVALID', `${what}, which frozen forbids`, {
    problems: lines.map((message) => ({ location, message })),
    hint: `run cloudseed build without --frozen and commit ${name}`,
  });
}

function conflict(file: string, what: string, hint: string): CloudseedError {
  return new CloudseedError('OUTPUT_CONFLICT', `${file} ${what}; cloudseed did not replace it`, { location: { file, line: null, column: null, field: null }, hint });
}

/** Refuses a file that appeared or changed since planning read it; a symlink is written through. */
function writeLockFile(file: string, expected: Buffer | null, text: string): void {
  const current = readBytes(file);
  if (current !== null && current.toString('utf8') === text) return;
  if (current !== null && (expected === null || !current.equals(expected))) {
    if (!isAllocationLockText(current.toString('utf8'))) throw conflict(file, 'is not a cloudseed allocation lock', 'move that file away, or give the spec another name');
    throw conflict(file, 'changed while this run was planning (another cloudseed run?)', 'run the build again');
  }
  let target = file;
  if (lstatSync(file, { throwIfNoEntry: false })?.isSymbolicLink()) {
    try {
      target = realpathSync(file);
    } catch {
      throw conflict(file, 'is a symbolic link to nothing', 'remove the link, or point it at the lock');
    }
  }
  const temporary = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.tmp`);
  try {
    // A leftover of a killed run with this pid is ours to replace; `wx` never follows a planted link.
    rmSync(temporary, { force: true });
    writeFileSync(temporary, text, { mode: 0o644, flag: 'wx' });
    chmodSync(temporary, 0o644); // whatever the umask: the lock is meant to be committed and read by all
    renameSync(temporary, target);
  } catch (cause) {
    rmSync(temporary, { force: true });
    throw new CloudseedError('IO_FAILED', `cannot write the allocation lock ${file}: ${(cause as Error).message}`, { cause });
  }
}
