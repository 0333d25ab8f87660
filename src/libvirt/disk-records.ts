// The disks `up` made (overlays, uploaded volumes), recorded in the output folder so that `destroy
// --remove-disks` removes those and nothing else: a root.qcow2 the user put there is never ours.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stateDirName } from '../output/output-layout.js';

export interface MadeDisk {
  vm: string;
  /** `file` on this machine, or `volume` in a storage pool of `uri`. */
  kind: 'file' | 'volume';
  uri: string;
  /** The file, or for a volume its pool and name. */
  path: string;
  pool?: string;
  volume?: string;
  /** A base image under overlays: removed after them. */
  base?: boolean;
}

const fileName = 'disks.json';

export function readMadeDisks(outputDir: string): MadeDisk[] {
  const file = path.join(outputDir, stateDirName, fileName);
  if (!existsSync(file)) return [];
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as { disks?: MadeDisk[] };
  return parsed.disks ?? [];
}

/** Written whole and renamed into place: a run killed while writing leaves the old list. */
export function writeMadeDisks(outputDir: string, disks: MadeDisk[]): void {
  const file = path.join(outputDir, stateDirName, fileName);
  const sorted = [...disks].sort((a, b) => a.vm.localeCompare(b.vm) || a.path.localeCompare(b.path));
  writeFileSync(`${file}.new`, `${JSON.stringify({ disks: sorted }, null, 2)}\n`, { mode: 0o644 });
  renameSync(`${file}.new`, file);
}

export const sameDisk = (a: MadeDisk, b: MadeDisk) => a.vm === b.vm && a.kind === b.kind && a.uri === b.uri && a.path === b.path;
