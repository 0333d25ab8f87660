// Output folders written by cloudseed 0.1, before generations: real files in each VM folder and a real
// manifest.json listing them with their SHA-256. A file is taken over only while its bytes are still
// the ones that manifest recorded, so nothing the user changed or added since is ever replaced.
import { createHash } from 'node:crypto';
import { lstatSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { manifestName } from './output-layout.js';

export interface LegacyOutput {
  /** VM folders the old manifest lists. */
  vms: ReadonlySet<string>;
  /** True when OUT/<vm>/<name> is a regular file with the bytes the old manifest recorded. */
  isOwnFile(vmName: string, fileName: string): boolean;
}

interface LegacyManifest {
  cloudseed: string;
  vms: { name: string; files: { name: string; sha256: string }[] }[];
}

function isLegacyManifest(value: unknown): value is LegacyManifest {
  const manifest = value as Partial<LegacyManifest> | null;
  return typeof manifest?.cloudseed === 'string' && Array.isArray(manifest.vms) &&
    manifest.vms.every((vm) => typeof vm?.name === 'string' && Array.isArray(vm.files) &&
      vm.files.every((file) => typeof file?.name === 'string' && typeof file.sha256 === 'string'));
}

export function readLegacyManifest(outputDir: string): LegacyOutput | null {
  const file = path.join(outputDir, manifestName);
  let manifest: unknown;
  try {
    if (!lstatSync(file).isFile()) return null;
    manifest = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
  if (!isLegacyManifest(manifest)) return null;
  const recorded = new Map(manifest.vms.map((vm) => [vm.name, new Map(vm.files.map((entry) => [entry.name, entry.sha256]))]));
  return {
    vms: new Set(recorded.keys()),
    isOwnFile(vmName, fileName) {
      const sha256 = recorded.get(vmName)?.get(fileName);
      const file = path.join(outputDir, vmName, fileName);
      try {
        return sha256 !== undefined && lstatSync(file).isFile() && createHash('sha256').update(readFileSync(file)).digest('hex') === sha256;
      } catch {
        return false;
      }
    },
  };
}
