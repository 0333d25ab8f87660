// The genisoimage packer: an ISO 9660 volume with Joliet and Rock Ridge, as cloud-localds makes it.
// genisoimage 1.1.11 (Debian) ignores SOURCE_DATE_EPOCH: it stamps the current time into the volume
// descriptors and the root directory records, so two runs differ (in 32 bytes) even when every file
// time is fixed. Choose xorriso when the bytes must be reproducible.
import type { Packer, PackOptions } from './seed-file.js';
import { checkFilesystemSupported } from './packer-support.js';
import { isCommandAvailable, runTool } from './run-tool.js';
import { sourceDateEnvironment } from './source-date.js';
import { readImage, withStagedSeed, type StagedSeed } from './staging.js';
import { debianPackageByProgram } from './tool-programs.js';

/** A packer for genisoimage or a program that takes its flags (Debian's mkisofs is genisoimage). */
export function createGenisoimageStylePacker(program: 'genisoimage' | 'mkisofs'): Packer {
  const packer: Packer = {
    name: program,
    filesystems: ['iso9660'],
    debianPackages: [debianPackageByProgram[program]],
    programs: [program],
    isAvailable: () => isCommandAvailable(program),
    pack: async (files, options) => {
      checkFilesystemSupported(packer, options.filesystem);
      return withStagedSeed(files, options, async (staged) => {
        await runTool(program, genisoimageArguments(staged, options), {
          env: sourceDateEnvironment(options.sourceDateEpoch),
        });
        return readImage(staged.imagePath);
      });
    },
  };
  return packer;
}

export const genisoimagePacker = createGenisoimageStylePacker('genisoimage');

function genisoimageArguments(staged: StagedSeed, options: PackOptions): string[] {
  return [
    '-output', staged.imagePath,
    '-volid', options.label,
    // Joliet keeps the real file names; plain ISO 9660 level 1 would shorten user-data to USER_DAT.
    '-joliet',
    // Rock Ridge with each file's own mode (not -r, which makes every file world-readable), owned by
    // root rather than by whoever ran the build.
    '-rock', '-uid', '0', '-gid', '0',
    ...staged.filePaths,
  ];
}
