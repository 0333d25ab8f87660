// The mtools packer: mkfs.vfat (dosfstools) formats an image sized to the files, mcopy (mtools) copies
// them in. With a source date epoch the bytes are reproducible: a volume id derived from the epoch,
// mkfs.vfat's --invariant for its own timestamps, and file times from the staged files (mcopy -m).
import type { Packer, PackOptions, SeedFile } from './seed-file.js';
import { checkFilesystemSupported } from './packer-support.js';
import { findCommand, isCommandAvailable, runTool } from './run-tool.js';
import { sourceDateEnvironment } from './source-date.js';
import { readImage, withStagedSeed, type StagedSeed } from './staging.js';
import { debianPackageByProgram } from './tool-programs.js';
import { vfatImageKibibytes } from './vfat-image-size.js';

export const mtoolsPacker: Packer = {
  name: 'mtools',
  filesystems: ['vfat'],
  debianPackages: [debianPackageByProgram.mcopy, debianPackageByProgram['mkfs.vfat']],
  programs: ['mkfs.vfat', 'mcopy'],
  isAvailable: async () => (await isCommandAvailable('mkfs.vfat')) && (await isCommandAvailable('mcopy')),
  pack: async (files, options) => {
    checkFilesystemSupported(mtoolsPacker, options.filesystem);
    return withStagedSeed(files, options, async (staged) => {
      const env = sourceDateEnvironment(options.sourceDateEpoch);
      await runTool('mkfs.vfat', await mkfsArguments(staged, files, options), { env });
      // -m keeps each staged file's modification time (the epoch, when reproducible). Without it mcopy
      // stamps the current time, or SOURCE_DATE_EPOCH on an mtools that reads it (Debian 12's 4.0.32 does).
      await runTool('mcopy', ['-i', staged.imagePath, '-m', ...staged.filePaths, '::'], { env });
      return readImage(staged.imagePath);
    });
  },
};

async function mkfsArguments(staged: StagedSeed, files: readonly SeedFile[], options: PackOptions): Promise<string[]> {
  const size = vfatImageKibibytes(files.map((file) => file.bytes.byteLength));
  return [
    '-C', // create the image file, `size` KiB long
    ...(await reproducibleMkfsFlags(options.sourceDateEpoch)),
    // As given, as cloud-localds does (`-n cidata`): mkfs.vfat warns about lower case and keeps it.
    '-n', options.label,
    staged.imagePath,
    String(size),
  ];
}

async function reproducibleMkfsFlags(sourceDateEpoch: number | null): Promise<string[]> {
  if (sourceDateEpoch === null) return [];
  // -i must follow --invariant, which otherwise resets the volume id to its constant 1234ABCD.
  const invariant = (await mkfsHasInvariant()) ? ['--invariant'] : [];
  return [...invariant, '-i', vfatVolumeId(sourceDateEpoch)];
}

/** mkfs.vfat derives the volume id from the clock; deriving it from the epoch keeps that meaning. */
export function vfatVolumeId(sourceDateEpoch: number): string {
  return (sourceDateEpoch % 2 ** 32).toString(16).padStart(8, '0');
}

const invariantSupport = new Map<string, Promise<boolean>>();

/** dosfstools gained --invariant (fixed label timestamp, no random values) in 4.2. */
async function mkfsHasInvariant(): Promise<boolean> {
  const executable = (await findCommand('mkfs.vfat')) ?? 'mkfs.vfat';
  let supported = invariantSupport.get(executable);
  if (supported === undefined) {
    supported = runTool('mkfs.vfat', ['--help']).then(
      ({ stdout, stderr }) => `${stdout}\n${stderr}`.includes('--invariant'),
      () => false, // an mkfs.vfat too old for --help exits non-zero
    );
    invariantSupport.set(executable, supported);
  }
  return supported;
}
