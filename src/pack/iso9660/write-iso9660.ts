// The native ISO 9660 writer: seed files, a label and a timestamp in, image bytes out. Pure: no clock,
// no file system, no randomness, so the same input always gives the same bytes.
import type { SeedFile } from '../seed-file.js';
import { checkIsoInput } from './check-input.js';
import { layoutVolume } from './layout.js';
import { renderVolume } from './render-volume.js';
import { toEpochSeconds } from './timestamps.js';
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
export function writeIso9660(files: readonly SeedFile[], options: Iso9660Options): Uint8Array {
  checkIsoInput({ files, label: options.label, timestamp: options.timestamp });
  const plan = planVolume(files, toEpochSeconds(options.timestamp));
  return renderVolume(plan, layoutVolume(plan), options.label);
}
