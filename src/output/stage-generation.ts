// A build is written as a new generation folder inside `.cloudseed/`, with nothing visible until one
// rename points `current` at it: before that instant every name shows the previous build, after it
// the new one, so a run killed at any point leaves one whole build (see output-layout.ts).
import { rmSync, renameSync, symlinkSync, writeFileSync, unlinkSync, lstatSync, mkdtempSync, chmodSync, readdirSync, readlinkSync, linkSync, type Dirent } from 'node:fs';
import path from 'node:path';
import { crashPoint } from './crash-point.js';
import { CloudseedError } from '../errors.js';
import { conflictError, ioError, makeFolder, type OpenedOutput, type PathProblem } from './output-folder.js';
import {
  currentLinkName, generationPrefix, manifestName, newFolderPrefix, ownerMarkerName, ownerMarkerText, topFileLinkTarget, vmFileLinkTarget,
  sweptMarkerName, vmStoreDirName, vmStoreLinkTarget,
} from './output-layout.js';

export interface OutputFile {
  /** Path relative to the VM's folder (or to the output folder for fleet-wide files). */
  name: string;
  bytes: Uint8Array | string;
  /** 0o600 for anything holding password hashes; the file is created with it, never chmod-ed later. */
  mode: number;
}

export interface StagedOutput {
  /** The generation folder being written. */
  dir: string;
  /**
   * Writes a VM's files into a new folder of `.cloudseed/vms/` and points the generation at it;
   * returns that folder's name. Synchronous: see `write` below. Throws IO_FAILED.
   */
  writeVm(vmName: string, files: OutputFile[]): string;
  /** Points the generation at the folder an earlier build wrote for the VM, whose files are `fileNames`. */
  keepVm(vmName: string, store: string, fileNames: readonly string[]): void;
  /** A fleet-wide file, linked at the top of the output folder (manifest.json). */
  writeTop(file: OutputFile): void;
  /**
   * A fleet-wide folder, linked at the top of the output folder like manifest.json: `files`, and
   * hard links to files of VMs already written, so that the folder holds regular files only (kustomize
   * refuses a symlink that leads out of the folder) and an unchanged VM's file keeps its inode.
   */
  writeFolder(name: string, files: OutputFile[], vmFiles: { name: string; vmName: string; file: string }[]): void;
  /** A file of the generation's own that is not shown outside `.cloudseed/` (state.json). */
  writeState(file: OutputFile): void;
  /** Makes the staged generation the live one; returns notes on VM folders kept for the user's files. */
  commit(): string[];
  discard(): void;
}

export function stageGeneration(output: OpenedOutput): StagedOutput {
  let dir: string;
  const storeDir = path.join(output.stateDir, vmStoreDirName);
  try {
    // From here on the folder may hold what a sweep must remove, should this run fail or be killed.
    rmSync(path.join(output.stateDir, sweptMarkerName), { force: true });
    makeFolder(storeDir, { existing: 'accept' });
    dir = mkdtempSync(path.join(output.stateDir, generationPrefix));
    chmodSync(dir, 0o755);
  } catch (cause) {
    throw cause instanceof CloudseedError ? cause : ioError(`cannot create a build folder in ${output.stateDir}`, cause);
  }
  const filesByVm = new Map<string, readonly string[]>();
  const topNames: string[] = [];
  // Synchronous on purpose: a VM's folder is five small files, and the promise API's round trips to
  // the thread pool cost more than writing them (1000 VMs staged and committed: 1.4 s, synchronously 0.5 s).
  const write = (file: string, output: OutputFile) => {
    try {
      writeFileSync(file, output.bytes, { mode: output.mode, flag: 'wx' });
    } catch (cause) {
      throw ioError(`cannot write ${file}`, cause);
    }
  };
  const linkStore = (vmName: string, store: string) => {
    try {
      symlinkSync(vmStoreLinkTarget(store), path.join(dir, vmName));
    } catch (cause) {
      throw ioError(`cannot link VM ${vmName} into ${dir}`, cause);
    }
  };
  const discard = () => {
    rmSync(dir, { recursive: true, force: true });
    output.sweep();
  };
  return {
    dir,
    writeVm(vmName, files) {
      let store: string;
      try {
        store = path.basename(mkdtempSync(path.join(storeDir, `${vmName}.`)));
        chmodSync(path.join(storeDir, store), 0o755);
      } catch (cause) {
        throw ioError(`cannot create a folder for VM ${vmName} in ${storeDir}`, cause);
      }
      for (const file of files) write(path.join(storeDir, store, file.name), file);
      linkStore(vmName, store);
      filesByVm.set(vmName, files.map((file) => file.name));
      return store;
    },
    keepVm(vmName, store, fileNames) {
      linkStore(vmName, store);
      filesByVm.set(vmName, fileNames);
    },
    writeTop(file) {
      write(path.join(dir, file.name), file);
      topNames.push(file.name);
    },
    writeFolder(name, files, vmFiles) {
      const folder = path.join(dir, name);
      makeFolder(folder);
      for (const file of files) write(path.join(folder, file.name), file);
      for (const link of vmFiles) {
        try {
          linkSync(path.join(dir, link.vmName, link.file), path.join(folder, link.name));
        } catch (cause) {
          throw ioError(`cannot link VM ${link.vmName}'s ${link.file} into ${folder}`, cause);
        }
      }
      topNames.push(name);
    },
    writeState(file) {
      write(path.join(dir, file.name), file);
    },
    commit() {
      try {
        crashPoint('staged');
        linkOutput(output, filesByVm, topNames);
        crashPoint('linked');
        switchCurrent(output.stateDir, path.basename(dir));
      } catch (error) {
        discard();
        throw error;
      }
      crashPoint('switched');
      return output.sweep();
    },
    discard,
  };
}

/**
 * Gives every VM folder (and the top of the output folder) a symlink for each of its files, after
 * checking that none of those names holds something of the user's. Links already there are left alone,
 * so for a build that changed nothing this only restores a link someone removed. One listing per VM
 * folder, and a readlink only where a name is there: a 1000-VM fleet is 6,000 names.
 */
export function linkOutput(output: OpenedOutput, filesByVm: ReadonlyMap<string, readonly string[]>, topNames: readonly string[]): void {
  // Only the folders that lack something are kept for the second pass: usually none or a few.
  const incomplete: { vmName: string; names: readonly string[]; listing: Map<string, Dirent> | null }[] = [];
  const conflicts: PathProblem[] = [];
  for (const [vmName, names] of filesByVm) {
    const listing = listFolder(path.join(output.outputDir, vmName));
    let complete = listing?.has(ownerMarkerName) ?? false;
    for (const name of names) {
      const entry = listing?.get(name);
      if (entry === undefined) complete = false;
      else if (!isOwnLink(output, vmName, name, entry)) conflicts.push({ path: path.join(output.outputDir, vmName, name), message: 'was not written by cloudseed' });
      else if (!entry.isSymbolicLink()) complete = false;
    }
    if (!complete) incomplete.push({ vmName, names, listing });
  }
  if (conflicts.length > 0) throw conflictError(conflicts);
  for (const { vmName, names, listing } of incomplete) linkVmFolder(output, vmName, names, listing);
  for (const name of topNames) linkFile(path.join(output.outputDir, name), topFileLinkTarget(name), output.legacy !== null && name === manifestName);
}

/** A folder's entries by name, or null when there is no folder. */
function listFolder(folder: string): Map<string, Dirent> | null {
  try {
    return new Map(readdirSync(folder, { withFileTypes: true }).map((entry) => [entry.name, entry]));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw ioError(`cannot list ${folder}`, error);
  }
}

/** cloudseed's symlink for this file, or a file an older cloudseed wrote there (see legacy-output.ts). */
function isOwnLink(output: OpenedOutput, vmName: string, name: string, entry: Dirent): boolean {
  if (entry.isSymbolicLink()) {
    try {
      if (readlinkSync(path.join(output.outputDir, vmName, name)) === vmFileLinkTarget(vmName, name)) return true;
    } catch {
      return false;
    }
  }
  return output.legacy?.isOwnFile(vmName, name) ?? false;
}

/**
 * Gives the VM folder a symlink for each file that lacks one. A new folder is put together inside
 * `.cloudseed/` and renamed into place, so a folder without cloudseed's marker never appears, even for an instant.
 */
function linkVmFolder(output: OpenedOutput, vmName: string, names: readonly string[], listing: Map<string, Dirent> | null): void {
  const folder = path.join(output.outputDir, vmName);
  try {
    if (listing === null) {
      const assembly = path.join(output.stateDir, `${newFolderPrefix}${vmName}`);
      makeFolder(assembly);
      writeFileSync(path.join(assembly, ownerMarkerName), ownerMarkerText(vmName), { mode: 0o644 });
      for (const name of names) symlinkSync(vmFileLinkTarget(vmName, name), path.join(assembly, name));
      renameSync(assembly, folder);
      return;
    }
    if (!listing.has(ownerMarkerName)) writeFileSync(path.join(folder, ownerMarkerName), ownerMarkerText(vmName), { mode: 0o644, flag: 'wx' });
    for (const name of names) {
      const entry = listing.get(name);
      if (entry?.isSymbolicLink()) continue;
      // Not a link, yet checked as ours: a file of cloudseed 0.1's, replaced by the link.
      if (entry !== undefined) unlinkSync(path.join(folder, name));
      symlinkSync(vmFileLinkTarget(vmName, name), path.join(folder, name));
    }
  } catch (cause) {
    throw ioError(`cannot put VM ${vmName}'s files in ${folder}`, cause);
  }
}

/** Puts the symlink at `file` unless it is there; `replace` is for a file an older cloudseed wrote. */
function linkFile(file: string, target: string, replace: boolean): void {
  if (replace) unlinkSync(file);
  let present = false;
  try {
    present = lstatSync(file).isSymbolicLink();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (!present) symlinkSync(target, file);
}

/** The one step that publishes a build: rename(2) replaces `current` atomically. */
function switchCurrent(stateDir: string, generation: string): void {
  const next = path.join(stateDir, `${currentLinkName}.${process.pid}`);
  rmSync(next, { force: true });
  symlinkSync(generation, next);
  renameSync(next, path.join(stateDir, currentLinkName));
}
