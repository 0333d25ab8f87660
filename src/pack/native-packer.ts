// cloudseed's own writers as a packer: ISO9660 with Joliet and Rock Ridge, and FAT. No external
// program, so it is always available, byte-reproducible with SOURCE_DATE_EPOCH, and small.
import { writeFat, writeIso9660 } from '../formats/index.js';
import type { PackOptions, Packer, SeedFile } from './seed-file.js';

/** The stamp for every timestamp in a native image. */
export function nativeTimestamp(options: Pick<PackOptions, 'sourceDateEpoch' | 'buildTime'>): number {
  return options.sourceDateEpoch ?? options.buildTime ?? Math.floor(Date.now() / 1000);
}

export const nativePacker: Packer = {
  name: 'native',
  filesystems: ['iso9660', 'vfat'],
  debianPackages: [],
  programs: [],
  isAvailable: async () => true,
  async pack(files: readonly SeedFile[], options: PackOptions): Promise<Uint8Array> {
    const timestamp = nativeTimestamp(options);
    if (options.filesystem === 'vfat') return writeFat(files, { label: options.label.toUpperCase(), timestamp });
    return writeIso9660(files, { label: options.label, timestamp });
  },
};
