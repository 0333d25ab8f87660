// The one check every packer and the registry share: a packer only writes the filesystems it lists.
import { CloudseedError } from '../errors.js';
import type { Packer, SeedFilesystem } from './seed-file.js';

/** Throws a USAGE error when `packer` cannot write `filesystem`. */
export function checkFilesystemSupported(
  packer: Pick<Packer, 'name' | 'filesystems'>,
  filesystem: SeedFilesystem,
  hint?: string,
): void {
  if (packer.filesystems.includes(filesystem)) return;
  throw new CloudseedError(
    'USAGE',
    `the ${packer.name} packer cannot write ${filesystem}; it writes ${packer.filesystems.join(', ')}`,
    hint === undefined ? {} : { hint },
  );
}
