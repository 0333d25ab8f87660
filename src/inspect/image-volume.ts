// The volumes inspect reads: the formats' own readers (ISO 9660, FAT) and the seed tar archive, whose
// shape adds cloud-localds's layout; and how a person's file name finds its entry in any of them.
import { noSuchFile, type FatVolume, type ImageEntry, type IsoVolume, type VolumeContents } from '../formats/index.js';
import type { TarLayout } from '../pack/seed-file.js';

export interface TarArchive extends VolumeContents {
  format: 'tar';
  /** Where the seed files sit, as cloud-localds's `-d` names it; null for any other arrangement. */
  layout: TarLayout | null;
  label: null;
}

export type ImageVolume = IsoVolume | FatVolume | TarArchive;

/**
 * The entry a person means by `name`: the exact path, else (on FAT, which ignores case) the path in
 * any case, else the one file whose last path part is `name` (`user-data` in a tar-seed-local archive).
 */
export function findFile(volume: ImageVolume, name: string): ImageEntry {
  const files = volume.entries.filter((entry) => entry.type === 'file');
  const exact = files.filter((entry) => entry.path === name);
  if (exact.length > 0) return exact[exact.length - 1] as ImageEntry;
  const folded = volume.format === 'vfat' ? files.filter((entry) => entry.path.toUpperCase() === name.toUpperCase()) : [];
  if (folded.length === 1) return folded[0] as ImageEntry;
  const byBaseName = files.filter((entry) => entry.path.slice(entry.path.lastIndexOf('/') + 1) === name);
  if (byBaseName.length === 1) return byBaseName[0] as ImageEntry;
  throw noSuchFile(name, volume.entries);
}
