// Every packer cloudseed knows and how one is chosen: by name, or `auto`, the first available in a
// priority list per filesystem. Like cloud-init's network renderers, a failed search names every
// packer it tried and what to install.
import { CloudseedError } from '../errors.js';
import { cloudLocaldsPacker } from './cloud-localds-packer.js';
import { genisoimagePacker } from './genisoimage-packer.js';
import { mkisofsPacker } from './mkisofs-packer.js';
import { mtoolsPacker } from './mtools-packer.js';
import { nativePacker } from './native-packer.js';
import { checkFilesystemSupported } from './packer-support.js';
import type { Packer, PackerChoice, PackerName, SeedFilesystem } from './seed-file.js';
import { aptInstallHint } from './tool-programs.js';
import { xorrisoPacker } from './xorriso-packer.js';

const packers: readonly Packer[] = [
  nativePacker,
  genisoimagePacker,
  xorrisoPacker,
  mkisofsPacker,
  mtoolsPacker,
  cloudLocaldsPacker,
];

// Native first: it needs no program, is reproducible and is the fastest. Then genisoimage, because it
// is what cloud-localds itself runs; cloud-localds last because it can only carry the four NoCloud
// files under the label cidata.
const autoPriority: Readonly<Record<SeedFilesystem, readonly PackerName[]>> = {
  iso9660: ['native', 'genisoimage', 'xorriso', 'mkisofs', 'cloud-localds'],
  vfat: ['native', 'mtools', 'cloud-localds'],
};

/** Every packer, available here or not. */
export function listPackers(): readonly Packer[] {
  return packers;
}

/** The packer to use for `filesystem`: the one named, if it can, or the first available one. */
export async function selectPacker(choice: PackerChoice, filesystem: SeedFilesystem): Promise<Packer> {
  return choice === 'auto' ? selectFirstAvailable(filesystem) : selectNamed(choice, filesystem);
}

async function selectNamed(name: PackerName, filesystem: SeedFilesystem): Promise<Packer> {
  const packer = packerNamed(name);
  const hint = `packers for ${filesystem}: ${autoPriority[filesystem].join(', ')}, or auto`;
  checkFilesystemSupported(packer, filesystem, hint);
  if (!(await packer.isAvailable())) {
    const noun = packer.debianPackages.length === 1 ? 'package' : 'packages';
    const packages = packer.debianPackages.join(' and ');
    const message = `the ${name} packer is not available here: it needs the Debian ${noun} ${packages}`;
    throw new CloudseedError('TOOL_MISSING', message, { hint: aptInstallHint(packer.debianPackages) });
  }
  return packer;
}

/** `auto`'s order for a filesystem. */
export function autoOrder(filesystem: SeedFilesystem): readonly PackerName[] {
  return autoPriority[filesystem];
}

/** The first available of `names` (default: auto's order) that writes `filesystem`. */
export async function selectFirstAvailable(filesystem: SeedFilesystem, names: readonly PackerName[] = autoPriority[filesystem]): Promise<Packer> {
  const candidates = names.map(packerNamed);
  for (const packer of candidates) {
    if (await packer.isAvailable()) return packer;
  }
  const tried = candidates.map((packer) => `${packer.name} (Debian: ${packer.debianPackages.join(', ')})`);
  const first = candidates[0];
  throw new CloudseedError('TOOL_MISSING', `no packer for ${filesystem} is available; tried ${tried.join('; ')}`, {
    hint: first === undefined ? undefined : `install one, e.g. ${aptInstallHint(first.debianPackages)}`,
  });
}

function packerNamed(name: PackerName): Packer {
  const packer = packers.find((candidate) => candidate.name === name);
  if (packer === undefined) throw new CloudseedError('USAGE', `there is no packer named ${String(name)}`);
  return packer;
}
