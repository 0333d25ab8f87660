// The pack stage: seed files in, a seed disk image out. A packer (an external tool) writes the raw
// filesystem; qcow2 is converted from that in one place.
import { convertDiskFormat } from './disk-format.js';
import { selectPacker } from './packer-registry.js';
import type { PackerChoice, PackerName, PackOptions, SeedFile } from './seed-file.js';

export type {
  DiskFormat,
  Packer,
  PackerChoice,
  PackerName,
  PackOptions,
  SeedFile,
  SeedFilesystem,
} from './seed-file.js';
export { listPackers, selectPacker } from './packer-registry.js';

export interface PackSeedOptions extends PackOptions {
  packer: PackerChoice;
}

export interface PackedSeed {
  bytes: Uint8Array;
  /** The packer that made it, which matters when `auto` chose. */
  packer: PackerName;
}

/** Packs `files` into a seed disk image with the chosen packer, in the requested disk format. */
export async function packSeed(files: readonly SeedFile[], options: PackSeedOptions): Promise<PackedSeed> {
  const packer = await selectPacker(options.packer, options.filesystem);
  const rawImage = await packer.pack(files, options);
  return { bytes: await convertDiskFormat(rawImage, options.diskFormat), packer: packer.name };
}
