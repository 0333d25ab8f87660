// The failure paths every packer shares, run against fake programs: a tool that fails, a tool that is
// missing, and a filesystem the packer does not write.
import { afterEach, describe, expect, it } from 'vitest';
import { CloudseedError } from '../../../src/errors.js';
import type { Packer, PackOptions, SeedFile, SeedFilesystem } from '../../../src/pack/seed-file.js';
import { emptyPath, failingToolsDirectory, prependToPath, restorePath } from './fake-tools.js';
import { sampleSeedFiles } from './sample-seed-files.js';

export function packOptions(overrides: Partial<PackOptions> = {}): PackOptions {
  return { label: 'cidata', filesystem: 'iso9660', diskFormat: 'raw', sourceDateEpoch: null, ...overrides };
}

/** The CloudseedError that packing `files` (the sample seed by default) fails with. */
export async function packError(
  packer: Packer,
  options: PackOptions,
  files: readonly SeedFile[] = sampleSeedFiles(),
): Promise<CloudseedError> {
  const error: unknown = await packer.pack(files, options).then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(CloudseedError);
  return error as CloudseedError;
}

export interface FailureExpectations {
  filesystem: SeedFilesystem;
  /** The program the packer runs first, which the fake makes fail. */
  firstProgram: string;
  /** The hint when programs are missing, e.g. `apt-get install -y xorriso`. */
  missingHint: string;
  /** A filesystem the packer cannot write, if any. */
  unsupportedFilesystem?: SeedFilesystem;
}

export function describePackerFailures(packer: Packer, expected: FailureExpectations): void {
  describe(`${packer.name} failures`, () => {
    afterEach(restorePath);

    it('reports a failing tool with its command line, exit code and stderr tail', async () => {
      prependToPath(failingToolsDirectory);
      const error = await packError(packer, packOptions({ filesystem: expected.filesystem }));
      expect(error.code).toBe('TOOL_FAILED');
      expect(error.message).toContain(`${failingToolsDirectory}/${expected.firstProgram} `);
      expect(error.message).toContain('exit code 3');
      expect(error.message).toContain(`${expected.firstProgram}: error line 25`);
    });

    it('reports a missing tool with its Debian package', async () => {
      emptyPath();
      expect(await packer.isAvailable()).toBe(false);
      const error = await packError(packer, packOptions({ filesystem: expected.filesystem }));
      expect(error.code).toBe('TOOL_MISSING');
      expect(error.hint).toBe(expected.missingHint);
    });

    const unsupported = expected.unsupportedFilesystem;
    if (unsupported !== undefined) {
      it('refuses a filesystem it does not write', async () => {
        const error = await packError(packer, packOptions({ filesystem: unsupported }));
        expect(error.code).toBe('USAGE');
        expect(error.message).toContain(`cannot write ${unsupported}`);
      });
    }
  });
}
