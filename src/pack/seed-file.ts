// The seam between rendering and packing: a seed file is a name, its bytes and a mode. Every packer
// takes a list of them plus a label and options, and knows nothing about cloud-init.
import type { ImageFile } from '../formats/index.js';
import type { ToolProgram } from './tool-programs.js';

/** A seed file is what the format writers take: a name at the volume's root, its bytes and its mode. */
export type SeedFile = ImageFile;

export type SeedFilesystem = 'iso9660' | 'vfat';
export type DiskFormat = 'raw' | 'qcow2';
/** The tar forms replace the filesystem image altogether, as cloud-localds's `-d tar…` do. */
export type TarLayout = 'tar' | 'tar-seed-local' | 'tar-seed-net';
/** Where each tar form puts the seed files: the top, or the folders NoCloud reads on the root filesystem. */
export const tarSeedFolders: Readonly<Record<TarLayout, string | null>> = {
  tar: null,
  'tar-seed-local': 'var/lib/cloud/seed/nocloud',
  'tar-seed-net': 'var/lib/cloud/seed/nocloud-net',
};
export type SeedFormat = DiskFormat | TarLayout;
export type PackerName = 'native' | 'cloud-localds' | 'genisoimage' | 'mkisofs' | 'xorriso' | 'mtools';
export type PackerChoice = PackerName | 'auto';

export interface PackOptions {
  /** Volume label; `cidata` for NoCloud. */
  label: string;
  filesystem: SeedFilesystem;
  diskFormat: DiskFormat;
  /** Seconds since the epoch for file and volume timestamps, or null for the tool's own clock. */
  sourceDateEpoch: number | null;
  /**
   * The time native writers stamp when sourceDateEpoch is null (seconds since the epoch), read once
   * by the caller so the writers never read the clock themselves.
   */
  buildTime?: number;
}

export interface Packer {
  name: PackerName;
  /** Filesystems this packer can write. */
  filesystems: readonly SeedFilesystem[];
  /** The Debian packages that provide the programs it runs, named in "missing tool" errors. */
  debianPackages: readonly string[];
  /** The programs it may run: a rebuild compares them (see toolIdentity), since another version writes other bytes. */
  programs: readonly ToolProgram[];
  isAvailable(): Promise<boolean>;
  /** Returns the raw filesystem image, whatever `options.diskFormat` says: `packSeed` converts it. */
  pack(files: readonly SeedFile[], options: PackOptions): Promise<Uint8Array>;
}
