// A build is written as a new generation folder inside `.cloudseed/`, with nothing visible until one
// rename points `current` at it: before that instant every name shows the previous build, after it
// the new one, so a run killed at any point leaves one whole build (see output-layout.ts).
import { rmSync, renameSync, symlinkSync, writeFileSync, existsSync, unlinkSync, lstatSync, mkdtempSync, chmodSync } from 'node:fs';
import path from 'node:path';
import { crashPoint } from './crash-point.js';
import { conflictError, fileConflicts, ioError, makeFolder, type OpenedOutput } from './output-folder.js';
import {
  currentLinkName, generationPrefix, manifestName, newFolderPrefix, ownerMarkerName, ownerMarkerText, topFileLinkTarget, vmFileLinkTarget,
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
  /** Synchronous: see `write` below. Throws IO_FAILED. */
  writeVm(vmName: string, files: OutputFile[]): void;
  writeTop(file: OutputFile): void;
  /** Makes the staged generation the live one; returns notes on VM folders kept for the user's files. */
  commit(): string[];
  discard(): void;
}

export function stageGeneration(output: OpenedOutput): StagedOutput {
  let dir: string;
  try {
    dir = mkdtempSync(path.join(output.stateDir, generationPrefix));
    chmodSync(dir, 0o755);
  } catch (cause) {
    throw ioError(`cannot create a build folder in ${output.stateDir}`, cause);
  }
  const filesByVm = new Map<string, string[]>();
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
  const discard = () => {
    rmSync(dir, { recursive: true, force: true });
    output.sweep();
  };
  return {
    dir,
    writeVm(vmName, files) {
      makeFolder(path.join(dir, vmName));
      for (const file of files) write(path.join(dir, vmName, file.name), file);
      filesByVm.set(vmName, files.map((file) => file.name));
    },
    writeTop(file) {
      write(path.join(dir, file.name), file);
      topNames.push(file.name);
    },
    commit() {
      try {
        crashPoint('staged');
        const conflicts = [...filesByVm].flatMap(([vmName, names]) => fileConflicts(output.outputDir, vmName, names, output.legacy));
        if (conflicts.length > 0) throw conflictError(conflicts);
        for (const [vmName, names] of filesByVm) linkVmFolder(output, vmName, names);
        for (const name of topNames) linkFile(path.join(output.outputDir, name), topFileLinkTarget(name), output.legacy !== null && name === manifestName);
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
 * Gives the VM folder a symlink for each file. A new folder is put together inside `.cloudseed/` and
 * renamed into place, so a folder without cloudseed's marker never appears, even for an instant.
 */
function linkVmFolder(output: OpenedOutput, vmName: string, names: readonly string[]): void {
  const folder = path.join(output.outputDir, vmName);
  try {
    if (!existsSync(folder)) {
      const assembly = path.join(output.stateDir, `${newFolderPrefix}${vmName}`);
      makeFolder(assembly);
      writeFileSync(path.join(assembly, ownerMarkerName), ownerMarkerText(vmName), { mode: 0o644 });
      for (const name of names) symlinkSync(vmFileLinkTarget(vmName, name), path.join(assembly, name));
      renameSync(assembly, folder);
      return;
    }
    const marker = path.join(folder, ownerMarkerName);
    if (!existsSync(marker)) writeFileSync(marker, ownerMarkerText(vmName), { mode: 0o644, flag: 'wx' });
    for (const name of names) linkFile(path.join(folder, name), vmFileLinkTarget(vmName, name), output.legacy?.isOwnFile(vmName, name) ?? false);
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
