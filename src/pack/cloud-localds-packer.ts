// The cloud-localds packer (Debian cloud-image-utils). cloud-localds only carries user-data, meta-data,
// network-config (-N) and vendor-data (-V), always labels the volume cidata, and makes a vfat image of
// a fixed 128 KiB, so a large user-data fails there with mcopy's "Disk full"; the mtools packer sizes
// its image to fit. We always pass meta-data, so its invented `iid-local01` instance id never appears.
import { CloudseedError } from '../errors.js';
import type { Packer, PackOptions, SeedFile } from './seed-file.js';
import { checkFilesystemSupported } from './packer-support.js';
import { isCommandAvailable, runTool } from './run-tool.js';
import { sourceDateEnvironment } from './source-date.js';
import { readImage, withStagedSeed, type StagedSeed } from './staging.js';
import { debianPackageByProgram } from './tool-programs.js';

const fixedLabel = 'cidata';
const requiredFiles = ['user-data', 'meta-data'] as const;
const flagByOptionalFile: Readonly<Record<string, string>> = { 'network-config': '-N', 'vendor-data': '-V' };

export const cloudLocaldsPacker: Packer = {
  name: 'cloud-localds',
  filesystems: ['iso9660', 'vfat'],
  debianPackages: [debianPackageByProgram['cloud-localds']],
  // It runs genisoimage for iso9660, mkfs.vfat and mcopy for vfat.
  programs: ['cloud-localds', 'genisoimage', 'mkfs.vfat', 'mcopy'],
  isAvailable: () => isCommandAvailable('cloud-localds'),
  pack: async (files, options) => {
    checkFilesystemSupported(cloudLocaldsPacker, options.filesystem);
    checkCarriable(files, options);
    return withStagedSeed(files, options, async (staged) => {
      await runTool('cloud-localds', cloudLocaldsArguments(staged, options), {
        env: sourceDateEnvironment(options.sourceDateEpoch),
      });
      return readImage(staged.imagePath);
    });
  },
};

function cloudLocaldsArguments(staged: StagedSeed, options: PackOptions): string[] {
  const optionalFlags = Object.entries(flagByOptionalFile).flatMap(([name, flag]) => {
    const stagedPath = staged.pathByName.get(name);
    return stagedPath === undefined ? [] : [flag, stagedPath];
  });
  const userData = requireStagedPath(staged, 'user-data');
  const metaData = requireStagedPath(staged, 'meta-data');
  return ['--filesystem', options.filesystem, ...optionalFlags, staged.imagePath, userData, metaData];
}

function requireStagedPath(staged: StagedSeed, name: string): string {
  const stagedPath = staged.pathByName.get(name);
  if (stagedPath === undefined) throw new CloudseedError('INTERNAL', `${name} was checked but not staged`);
  return stagedPath;
}

/** cloud-localds cannot be told the label or arbitrary files; refuse rather than pack something else. */
function checkCarriable(files: readonly SeedFile[], options: PackOptions): void {
  const hint = 'choose another packer, e.g. --packer xorriso or --packer mtools';
  if (options.label !== fixedLabel) {
    const message = `cloud-localds always labels the volume ${fixedLabel}, not ${options.label}`;
    throw new CloudseedError('USAGE', message, { hint });
  }
  const names = files.map((file) => file.path);
  const missing = requiredFiles.filter((name) => !names.includes(name));
  if (missing.length > 0) {
    throw new CloudseedError('USAGE', `cloud-localds needs ${missing.join(' and ')}`, { hint });
  }
  const carried: readonly string[] = [...requiredFiles, ...Object.keys(flagByOptionalFile)];
  const extra = names.filter((name) => !carried.includes(name));
  if (extra.length > 0) {
    const message = `cloud-localds cannot carry ${extra.join(', ')}; it carries only ${carried.join(', ')}`;
    throw new CloudseedError('USAGE', message, { hint });
  }
}
