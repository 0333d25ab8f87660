// The pack stage: seed files in, a seed disk image out. A packer (the native writers of formats/, or an
// external tool) writes the raw filesystem; qcow2 is converted from that in one place.
import { convertDiskFormat } from './disk-format.js';
import { listPackers, selectPacker } from './packer-registry.js';
import type { ToolProgram } from './tool-programs.js';
import type { PackerChoice, PackerName, PackOptions, SeedFile, SeedFormat, TarLayout } from './seed-file.js';
import { writeSeedTar } from './seed-tar.js';
import { nativeTimestamp } from './native-packer.js';

export type {
  DiskFormat,
  Packer,
  PackerChoice,
  PackerName,
  PackOptions,
  SeedFile,
  SeedFilesystem,
  SeedFormat,
  TarLayout,
} from './seed-file.js';
export { writeFat, writeIso9660 } from '../formats/index.js';
export { writeSeedTar } from './seed-tar.js';
export { listPackers, selectPacker } from './packer-registry.js';
export { toolIdentity } from './run-tool.js';

export interface PackSeedOptions extends Omit<PackOptions, 'diskFormat'> {
  packer: PackerChoice;
  /** raw or qcow2 disk images, or one of the tar forms (which ignore filesystem and packer). */
  diskFormat: SeedFormat;
}

export interface PackedSeed {
  bytes: Uint8Array;
  /** What made it: the packer (which matters when `auto` chose), or `tar` for the tar forms. */
  packer: PackerName | 'tar';
}

function isTarLayout(format: SeedFormat): format is TarLayout {
  return format === 'tar' || format === 'tar-seed-local' || format === 'tar-seed-net';
}

/**
 * The programs packing a seed with these settings runs: none for `native` and `auto` (which picks the
 * native writers, available for every filesystem) and the tar forms; the named packer's otherwise,
 * and qemu-img for a qcow2 image.
 */
export function seedPrograms(options: Pick<PackSeedOptions, 'packer' | 'diskFormat'>): ToolProgram[] {
  if (isTarLayout(options.diskFormat)) return [];
  const packer = options.packer === 'auto' ? [] : (listPackers().find((candidate) => candidate.name === options.packer)?.programs ?? []);
  return [...packer, ...(options.diskFormat === 'qcow2' ? ['qemu-img' as const] : [])];
}

/** Packs `files` into a seed image with the chosen packer, in the requested format. */
export async function packSeed(files: readonly SeedFile[], options: PackSeedOptions): Promise<PackedSeed> {
  const format = options.diskFormat;
  if (isTarLayout(format)) return { bytes: await writeSeedTar(files, { layout: format, timestamp: nativeTimestamp(options) }), packer: 'tar' };
  const packer = await selectPacker(options.packer, options.filesystem);
  const rawImage = await packer.pack(files, { ...options, diskFormat: format });
  return { bytes: await convertDiskFormat(rawImage, format), packer: packer.name };
}
