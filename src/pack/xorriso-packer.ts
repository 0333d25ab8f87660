// The xorriso packer: an ISO 9660 volume with Joliet and Rock Ridge through xorriso's mkisofs emulation.
// It is the reproducible ISO packer: given SOURCE_DATE_EPOCH, xorriso uses it for the volume dates and
// UUID and sets every file's other dates to its modification time, which staging set to the epoch.
import type { Packer, PackOptions } from './seed-file.js';
import { checkFilesystemSupported } from './packer-support.js';
import { isCommandAvailable, runTool } from './run-tool.js';
import { sourceDateEnvironment } from './source-date.js';
import { readImage, withStagedSeed, type StagedSeed } from './staging.js';
import { debianPackageByProgram } from './tool-programs.js';

export const xorrisoPacker: Packer = {
  name: 'xorriso',
  filesystems: ['iso9660'],
  debianPackages: [debianPackageByProgram.xorriso],
  programs: ['xorriso'],
  isAvailable: () => isCommandAvailable('xorriso'),
  pack: async (files, options) => {
    checkFilesystemSupported(xorrisoPacker, options.filesystem);
    return withStagedSeed(files, options, async (staged) => {
      await runTool('xorriso', xorrisoArguments(staged, options), {
        env: sourceDateEnvironment(options.sourceDateEpoch),
      });
      return readImage(staged.imagePath);
    });
  },
};

function xorrisoArguments(staged: StagedSeed, options: PackOptions): string[] {
  return [
    '-as', 'mkisofs',
    '-o', staged.imagePath,
    '-V', options.label,
    // Joliet keeps the real file names; plain ISO 9660 level 1 would shorten user-data to USER_DAT.
    '-J',
    // Rock Ridge with each file's own mode (not -r, which makes every file world-readable), owned by
    // root so the bytes do not depend on who ran the build.
    '-R', '-uid', '0', '-gid', '0',
    ...staged.filePaths,
  ];
}
