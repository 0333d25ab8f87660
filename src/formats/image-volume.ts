// What every reader returns: the volume's kind and label, its entries (path, type, size, mode, time),
// and a way to get a file's bytes. The readers differ only in the format-specific fields they add.
import { CloudseedError } from '../errors.js';

export type EntryType = 'file' | 'directory' | 'symlink' | 'other';

export interface ImageEntry {
  /** Slash-separated path from the volume's root: `user-data`, `var/lib/cloud/seed/nocloud/meta-data`. */
  path: string;
  type: EntryType;
  /** Bytes of file data; 0 for directories. */
  size: number;
  /** Permission bits (0o7777) where the format records them (Rock Ridge PX, tar), else null. */
  mode: number | null;
  /** Last modification, or null when the format records none or the stamp is not a valid date. */
  modified: Date | null;
}

export interface VolumeContents {
  /** Every file and directory, parents before their contents. */
  entries: readonly ImageEntry[];
  /** The bytes of the file at `path` (exactly as in `entries`); a USAGE error if there is no such file. */
  readFile(path: string): Uint8Array;
}

export interface IsoVolume extends VolumeContents {
  format: 'iso9660';
  /** The primary volume descriptor's volume identifier, e.g. `cidata`. */
  label: string;
  /** The Joliet descriptor's volume identifier, when there is one. */
  jolietLabel: string | null;
  joliet: boolean;
  rockRidge: boolean;
  blockSize: number;
}

export interface FatVolume extends VolumeContents {
  format: 'vfat';
  fatType: 12 | 16 | 32;
  /**
   * The label blkid reports as LABEL, and so the one cloud-init finds the seed by: the root directory's
   * volume-label entry. A label only in the boot sector is not it (blkid calls that LABEL_FATBOOT).
   */
  label: string | null;
  /** The volume-label entry in the root directory. */
  directoryLabel: string | null;
  /** BS_VolLab, which blkid reports as LABEL_FATBOOT; null when absent or `NO NAME`. */
  bootSectorLabel: string | null;
  /** BS_VolID as blkid prints it, e.g. `720C-CA6C`. */
  volumeSerial: string | null;
  clusterBytes: number;
}

/**
 * A `readFile` over `entries`: finds the file by exact path (the last one wins if a damaged or
 * appended-to image holds a path twice, as tar's own rule is) and hands it to `readData`.
 */
export function fileReader<T extends ImageEntry>(entries: readonly T[], readData: (entry: T) => Uint8Array): (path: string) => Uint8Array {
  const byPath = new Map(entries.map((entry) => [entry.path, entry]));
  return (path) => {
    const entry = byPath.get(path);
    if (entry === undefined || entry.type !== 'file') throw noSuchFile(path, entries);
    return readData(entry);
  };
}

/** USAGE: the image has no file `name`, and what it does hold. */
export function noSuchFile(name: string, entries: readonly ImageEntry[]): CloudseedError {
  const files = entries.filter((entry) => entry.type === 'file').map((entry) => entry.path);
  const holds = files.length === 0 ? 'it holds no files' : `it holds ${files.join(', ')}`;
  return new CloudseedError('USAGE', `the image has no file ${JSON.stringify(name)}; ${holds}`);
}
