// Opening an output folder for a build: refuse a folder that is not safe to write scripts run as root
// into, take the folder's lock, clean up what a killed run left, and tell which names cloudseed may
// use. The folder is the user's: cloudseed touches only what its own marker or symlinks say is its own.
import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, rmdirSync, statSync, unlinkSync, writeFileSync, type Stats } from 'node:fs';
import path from 'node:path';
import { CloudseedError, type Problem } from '../errors.js';
import { crashPoint } from './crash-point.js';
import { readLegacyManifest, type LegacyOutput } from './legacy-output.js';
import { lockOutput, type LockOptions, type OutputLock } from './output-lock.js';
import {
  currentLinkName, generationPrefix, manifestName, newFolderPrefix, ownerMarkerName, stateDirName, sweptMarkerName, topFileLinkTarget, topLinkNames, vmFileLinkTarget, vmStoreDirName,
} from './output-layout.js';

export interface OpenedOutput {
  outputDir: string;
  stateDir: string;
  /** Left by an earlier cloudseed that wrote real files instead of symlinks; null for the current layout. */
  legacy: LegacyOutput | null;
  /** Throws OUTPUT_CONFLICT naming every path among `vmNames`, manifest.json and `topNames` that is not cloudseed's. */
  checkNames(vmNames: readonly string[], topNames?: readonly string[]): void;
  /** Removes what cloudseed no longer builds; returns notes on VM folders kept for the user's files. */
  sweep(): string[];
  /** The VMs of the live build (or of 0.1's manifest), before this run changes it. */
  liveVmNames(): string[];
  /** Releases the lock; after a run that committed nothing into a folder it created, removes the folder. */
  close(): void;
}

/** A path in the output folder that cloudseed may not use, and why. */
export interface PathProblem {
  path: string;
  message: string;
}

export function conflictError(problems: PathProblem[]): CloudseedError {
  const located: Problem[] = problems.map((problem) => ({ location: { file: problem.path, line: null, column: null, field: null }, message: problem.message }));
  return new CloudseedError('OUTPUT_CONFLICT', `the output folder holds ${problems.length === 1 ? 'a path' : `${problems.length} paths`} cloudseed may not write`, {
    problems: located,
    hint: 'cloudseed replaces only files it wrote: move these away, rename the VM, or build into another folder (-o)',
  });
}

export async function openOutput(outputDir: string, lockOptions: LockOptions = {}): Promise<OpenedOutput> {
  if (outputDir.trim() === '') throw new CloudseedError('USAGE', 'the output folder (-o) is an empty name');
  const stateDir = path.join(outputDir, stateDirName);
  const { createdTop, lock } = await createAndLock(outputDir, stateDir, lockOptions);
  // A first run that failed removes .cloudseed, perhaps while this run waited for the lock.
  ensureStateFolder(stateDir);
  const legacy = readLegacyManifest(outputDir);
  const opened: OpenedOutput = {
    outputDir,
    stateDir,
    legacy,
    checkNames: (vmNames, topNames = []) => checkNames(outputDir, vmNames, topNames, legacy),
    sweep: () => sweepOutput(outputDir, stateDir),
    liveVmNames: () => legacy !== null ? [...legacy.vms] : liveManifestVms(stateDir),
    close() {
      // A run that never committed leaves nothing behind, not even the folders it made. Done while
      // holding the lock, so no other run is using the folder.
      if (!existsSync(path.join(stateDir, currentLinkName))) {
        rmSync(stateDir, { recursive: true, force: true });
        if (createdTop !== null) removeEmptyUpTo(outputDir, createdTop);
      } else {
        rmSync(path.join(stateDir, 'lock'), { force: true });
      }
      lock.release();
    },
  };
  try {
    opened.sweep();
  } catch (error) {
    opened.close();
    throw error;
  }
  return opened;
}

/**
 * Creates the output folder as needed and takes its lock. A failed first run removes the folder it
 * made, perhaps while this run waited for the lock: then the lock is of a folder that is gone, and
 * this run starts over with the folder as it is now.
 */
async function createAndLock(outputDir: string, stateDir: string, lockOptions: LockOptions): Promise<{ createdTop: string | null; lock: OutputLock }> {
  for (let attempt = 1; ; attempt++) {
    let createdTop: string | null;
    let identity: Stats;
    try {
      createdTop = createFolders(outputDir);
      ensureStateFolder(stateDir);
      identity = statSync(outputDir);
    } catch (error) {
      if (attempt < 5 && !existsSync(outputDir)) continue;
      throw error;
    }
    let lock: OutputLock;
    try {
      lock = await lockOutput({ outputDir, identity, stateDir }, lockOptions);
    } catch (error) {
      if (error instanceof CloudseedError) throw error;
      throw ioError(`cannot lock ${outputDir}`, error);
    }
    const now = statSync(outputDir, { throwIfNoEntry: false });
    if (now?.dev === identity.dev && now.ino === identity.ino) return { createdTop, lock };
    lock.release();
    if (attempt === 5) throw new CloudseedError('IO_FAILED', `${outputDir} was removed or replaced each time this run took its lock`);
  }
}

export function ioError(what: string, cause: unknown): CloudseedError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new CloudseedError('IO_FAILED', `${what}: ${reason}`, { cause });
}

/** mkdir with exactly 0755 whatever the umask: these folders hold scripts that root runs. */
export function makeFolder(folder: string, options: { existing?: 'refuse' | 'accept' } = {}): boolean {
  try {
    mkdirSync(folder);
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'EEXIST' && options.existing === 'accept') return false;
    throw ioError(`cannot create ${folder}`, cause);
  }
  try {
    chmodSync(folder, 0o755);
  } catch (cause) {
    throw ioError(`cannot set the mode of ${folder}`, cause);
  }
  return true;
}

/** Makes `.cloudseed` unless another run just did, and checks it is this user's alone. */
function ensureStateFolder(stateDir: string): void {
  makeFolder(stateDir, { existing: 'accept' });
  checkOwnFolder(stateDir);
}

/** Creates `outputDir` and any missing parents; returns the topmost folder it created, or null. */
function createFolders(outputDir: string): string | null {
  let info: Stats | null = null;
  try {
    info = statSync(outputDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw ioError(`cannot use ${outputDir}`, error);
  }
  if (info !== null) {
    if (!info.isDirectory()) throw conflictError([{ path: outputDir, message: 'exists and is not a folder; -o names the folder to build into' }]);
    checkNotWorldWritable(outputDir, info);
    return null;
  }
  const parent = path.dirname(outputDir);
  const createdAbove = parent === outputDir ? null : createFolders(parent);
  // Another run may make the same folder at the same moment; then it is not this run's to remove.
  const created = makeFolder(outputDir, { existing: 'accept' });
  return createdAbove ?? (created ? outputDir : null);
}

function checkNotWorldWritable(folder: string, info: Stats): void {
  const sticky = (info.mode & 0o1000) !== 0;
  if ((info.mode & 0o002) !== 0 && !sticky) {
    throw conflictError([{ path: folder, message: `any user on this machine can write here (mode ${(info.mode & 0o7777).toString(8)}), and so replace a VM's qemu.sh, which runs as root; chmod o-w it or build elsewhere` }]);
  }
}

function checkOwnFolder(stateDir: string): void {
  const info = lstatSync(stateDir);
  const uid = process.getuid?.();
  if (!info.isDirectory() || (uid !== undefined && info.uid !== uid) || (info.mode & 0o022) !== 0) {
    throw conflictError([{ path: stateDir, message: 'is not a folder this user made for cloudseed (it must be a folder owned by this user, writable by no one else)' }]);
  }
}

function removeEmptyUpTo(folder: string, topmost: string): void {
  for (let current = folder; ; current = path.dirname(current)) {
    try {
      rmdirSync(current);
    } catch {
      return;
    }
    if (path.resolve(current) === path.resolve(topmost)) return;
  }
}

function lstatOrNull(file: string): Stats | null {
  try {
    return lstatSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw ioError(`cannot look at ${file}`, error);
  }
}

function isLinkTo(file: string, target: string): boolean {
  try {
    return readlinkSync(file) === target;
  } catch {
    return false;
  }
}

/** True when `folder` carries cloudseed's marker, as a regular file of this user's. */
export function isOwnVmFolder(folder: string): boolean {
  const marker = lstatOrNull(path.join(folder, ownerMarkerName));
  const uid = process.getuid?.();
  return marker !== null && marker.isFile() && (uid === undefined || marker.uid === uid);
}

function checkNames(outputDir: string, vmNames: readonly string[], topNames: readonly string[], legacy: LegacyOutput | null): void {
  const problems: PathProblem[] = [];
  for (const name of vmNames) {
    const folder = path.join(outputDir, name);
    const info = lstatOrNull(folder);
    if (info === null || (info.isDirectory() && (isOwnVmFolder(folder) || legacy?.vms.has(name)))) continue;
    const what = info.isSymbolicLink() ? 'is a symlink' : info.isDirectory() ? `is a folder without cloudseed's marker ${ownerMarkerName}` : 'is a file';
    problems.push({ path: folder, message: `${what}, so it is not cloudseed's to write VM ${name} into` });
  }
  const manifest = path.join(outputDir, manifestName);
  const info = lstatOrNull(manifest);
  if (info !== null && !isLinkTo(manifest, topFileLinkTarget(manifestName)) && legacy === null) {
    problems.push({ path: manifest, message: 'was not written by cloudseed' });
  }
  for (const name of topNames) {
    const file = path.join(outputDir, name);
    if (lstatOrNull(file) !== null && !isLinkTo(file, topFileLinkTarget(name))) problems.push({ path: file, message: 'was not written by cloudseed' });
  }
  if (problems.length > 0) throw conflictError(problems);
}

/**
 * Removes every trace of builds that are not the live one: generation and temporary folders in
 * `.cloudseed`, and in VM folders the symlinks that now point at nothing (a VM or a file the live build
 * no longer has). A VM folder left with nothing of the user's goes too.
 */
function sweepOutput(outputDir: string, stateDir: string): string[] {
  const live = liveGeneration(stateDir);
  let leftovers = false;
  for (const name of readdirSync(stateDir)) {
    const stale = (name.startsWith(generationPrefix) && name !== live) || name.startsWith(newFolderPrefix) || name.startsWith(`${currentLinkName}.`);
    if (stale) rmSync(path.join(stateDir, name), { recursive: true, force: true });
    leftovers ||= stale;
  }
  // A run leaves dead links only by being killed while it staged, linked or swept, and each of those
  // leaves a trace here: a stale generation, or a live one not yet marked swept. Without one, the walk
  // through every VM folder (most of a rebuild that changed nothing) would find nothing to do.
  const marker = path.join(stateDir, sweptMarkerName);
  if (!leftovers && live !== null && readTextOrNull(marker) === live) return [];
  sweepVmStore(stateDir, live);
  const notes: string[] = [];
  for (const entry of readdirSync(outputDir, { withFileTypes: true })) {
    const folder = path.join(outputDir, entry.name);
    if (entry.name.startsWith('.cloudseed-staging-')) rmSync(folder, { recursive: true, force: true });
    if (!entry.isDirectory() || !isOwnVmFolder(folder)) continue;
    const { live, others } = removeDeadLinks(folder, entry.name);
    if (live === 0 && others.length === 0) removeVmFolder(stateDir, folder, entry.name);
    else if (live === 0) {
      notes.push(`${folder} is no longer built but is kept: it holds files cloudseed did not write (${others.join(', ')})`);
    }
  }
  for (const name of topLinkNames) {
    const link = path.join(outputDir, name);
    if (isLinkTo(link, topFileLinkTarget(name)) && !existsSync(link)) unlinkSync(link);
  }
  if (live !== null) writeFileSync(marker, live, { mode: 0o644 });
  return notes;
}

/**
 * Takes an emptied VM folder out of sight in one rename before taking it apart: removed in place, a
 * kill between unlinking the marker and rmdir would leave a folder without the marker, which the next
 * build must refuse as the user's. Inside `.cloudseed/` a leftover is swept like any other.
 */
function removeVmFolder(stateDir: string, folder: string, vmName: string): void {
  const away = path.join(stateDir, `${newFolderPrefix}${vmName}`);
  rmSync(away, { recursive: true, force: true });
  renameSync(folder, away);
  crashPoint('sweeping');
  unlinkSync(path.join(away, ownerMarkerName));
  rmdirSync(away);
}

function readTextOrNull(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

/** Removes the VM folders in `.cloudseed/vms/` that the live generation does not link to. */
function sweepVmStore(stateDir: string, live: string | null): void {
  const storeDir = path.join(stateDir, vmStoreDirName);
  if (!existsSync(storeDir)) return;
  const used = new Set<string>();
  if (live !== null) {
    for (const entry of readdirSync(path.join(stateDir, live), { withFileTypes: true })) {
      if (entry.isSymbolicLink()) used.add(path.basename(readlinkSync(path.join(stateDir, live, entry.name))));
    }
  }
  for (const name of readdirSync(storeDir)) {
    if (!used.has(name)) rmSync(path.join(storeDir, name), { recursive: true, force: true });
  }
}

/** Removes cloudseed's dangling symlinks from a VM folder; counts the live ones and names the user's files. */
function removeDeadLinks(folder: string, vmName: string): { live: number; others: string[] } {
  let live = 0;
  const others: string[] = [];
  for (const name of readdirSync(folder)) {
    if (name === ownerMarkerName) continue;
    const file = path.join(folder, name);
    if (!isLinkTo(file, vmFileLinkTarget(vmName, name))) others.push(name);
    else if (existsSync(file)) live++;
    else unlinkSync(file);
  }
  return { live, others };
}

function liveManifestVms(stateDir: string): string[] {
  try {
    const manifest = JSON.parse(readFileSync(path.join(stateDir, currentLinkName, manifestName), 'utf8')) as { vms?: { name?: unknown }[] };
    return (manifest.vms ?? []).map((vm) => vm.name).filter((name): name is string => typeof name === 'string');
  } catch {
    return [];
  }
}

/** The name of the generation `current` points at, or null before the first build. */
export function liveGeneration(stateDir: string): string | null {
  try {
    return readlinkSync(path.join(stateDir, currentLinkName));
  } catch {
    return null;
  }
}
