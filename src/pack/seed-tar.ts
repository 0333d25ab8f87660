// Seed files as a tar archive, laid out as cloud-localds lays them out: `tar` holds the files at the
// top; `tar-seed-local` and `tar-seed-net` put them where cloud-init's NoCloud looks on the root
// filesystem (var/lib/cloud/seed/nocloud and nocloud-net), to be unpacked into an image with `tar -C`.
import { writeTar } from '../formats/index.js';
import { tarSeedFolders, type SeedFile, type TarLayout } from './seed-file.js';

export interface TarOptions {
  layout: TarLayout;
  /** Seconds since the epoch for every entry's mtime. */
  timestamp: number;
}

export async function writeSeedTar(files: readonly SeedFile[], options: TarOptions): Promise<Uint8Array> {
  return writeTar(files, { folder: tarSeedFolders[options.layout], timestamp: options.timestamp });
}
