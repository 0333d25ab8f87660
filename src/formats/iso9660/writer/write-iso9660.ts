// The native ISO 9660 writer: seed files, a label and a timestamp in, image bytes out. Pure: no clock,
// no file system, no randomness, so the same input always gives the same bytes.
import type { ImageFile } from '../../image-file.js';
import { sectorSize } from '../iso9660-layout.js';
import { checkIsoInput } from './check-input.js';
import { renderVolume } from './render-volume.js';
import { toEpochSeconds } from './timestamps.js';
import { layoutVolume } from './volume-layout.js';
import { planVolume } from './volume-plan.js';

export interface Iso9660Options {
  /** Volume identifier in both descriptors, as given: `cidata` for NoCloud. At most 16 ASCII characters. */
  label: string;
  /** Every recorded time: a Date, or seconds since the epoch (e.g. SOURCE_DATE_EPOCH). */
  timestamp: Date | number;
}

/**
 * An ISO 9660 image of `files` in its root directory, with Joliet and Rock Ridge (RRIP 1.10) names,
 * modes and times. Throws a CloudseedError listing every name, mode, size, label or timestamp it cannot
 * record.
 */
export function writeIso9660(files: readonly ImageFile[], options: Iso9660Options): Uint8Array {
  const key = headerKey(files, options);
  const header = recentHeaders.get(key);
  if (header !== undefined) return fillHeader(header, files);
  const { image, fileSectors } = writeVolume(files, options);
  if (recentHeaders.size >= recentHeadersLimit) recentHeaders.delete(recentHeaders.keys().next().value ?? '');
  recentHeaders.set(key, headerOf(image, files, fileSectors));
  return image;
}

/** The whole writer, every structure encoded anew (what writeIso9660 does for a header it has not seen). */
export function writeIso9660Afresh(files: readonly ImageFile[], options: Iso9660Options): Uint8Array {
  return writeVolume(files, options).image;
}

function writeVolume(files: readonly ImageFile[], options: Iso9660Options): { image: Uint8Array; fileSectors: number[] } {
  checkIsoInput({ files, label: options.label, timestamp: options.timestamp });
  const plan = planVolume(files, toEpochSeconds(options.timestamp));
  const layout = layoutVolume(plan);
  // Names are unique (checkIsoInput), so each given file is found by its name among the planned ones.
  const sectorByName = new Map([...layout.files].map(([file, extent]) => [file.name, extent.sector]));
  return { image: renderVolume(plan, layout, options.label), fileSectors: files.map((file) => sectorByName.get(file.path) ?? 0) };
}

/**
 * Everything before the first file's data (descriptors, path tables, directories, Rock Ridge areas)
 * depends on the label, the time and each file's name, mode and size, but not on what the files hold.
 * The seeds of a fleet mostly agree on all of those, so the last few such headers are kept and a seed
 * that matches one is its header plus its files' bytes: a third of the writer's time per VM.
 */
interface VolumeHeader {
  bytes: Uint8Array;
  sectorCount: number;
  /** Where each file's data starts, in the order the files were given. */
  fileSectors: number[];
}

const recentHeaders = new Map<string, VolumeHeader>();
const recentHeadersLimit = 16;

function headerKey(files: readonly ImageFile[], options: Iso9660Options): string {
  const fileKeys = files.map((file) => [file.path, file.mode, file.bytes.length]);
  return JSON.stringify([options.label, toEpochSeconds(options.timestamp), fileKeys]);
}

function fillHeader(header: VolumeHeader, files: readonly ImageFile[]): Uint8Array {
  const image = new Uint8Array(header.sectorCount * sectorSize);
  image.set(header.bytes);
  files.forEach((file, index) => image.set(file.bytes, (header.fileSectors[index] ?? 0) * sectorSize));
  return image;
}

/** File data sits at the end of the image, from sector boundaries; everything before it is the header. */
function headerOf(image: Uint8Array, files: readonly ImageFile[], fileSectors: number[]): VolumeHeader {
  const sectorCount = image.length / sectorSize;
  const dataSectors = fileSectors.filter((_sector, index) => (files[index]?.bytes.length ?? 0) > 0);
  const headerSectors = dataSectors.length === 0 ? sectorCount : Math.min(...dataSectors);
  return { bytes: image.slice(0, headerSectors * sectorSize), sectorCount, fileSectors };
}
