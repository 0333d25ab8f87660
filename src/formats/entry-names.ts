// What the readers accept as one part of a path. ISO 9660, Joliet, Rock Ridge and FAT all forbid `/` and
// NUL in a name and reserve `.` and `..`; an image that has them anyway was made to confuse whatever
// reads it, so it is refused as damaged rather than read as some other path.
import { invalidImage } from './invalid-image.js';

// No seed image comes near this; it bounds the memory and time a hostile image can ask for.
export const maxImageEntries = 100_000;

/** `name` if it can be one part of a path, else SPEC_INVALID saying where it was found. */
export function checkedEntryName(name: string, where: string): string {
  const problem =
    name === '' ? 'an empty name'
    : name === '.' || name === '..' ? `the name ${JSON.stringify(name)}, which is reserved`
    : name.includes('/') ? `the name ${JSON.stringify(name)}, which holds a "/" inside one name`
    : name.includes('\0') ? `the name ${JSON.stringify(name)}, which holds a NUL character`
    : null;
  if (problem === null) return name;
  throw invalidImage(`${where} holds an entry with ${problem}; no file system allows that`, 'the image is damaged or made to mislead; do not trust it');
}

/** SPEC_INVALID once a reader has found more entries than any seed image holds. */
export function checkEntryCount(count: number): void {
  if (count > maxImageEntries) {
    throw invalidImage(`the image holds more than ${maxImageEntries} files and folders; seed images hold a handful`, 'the image is damaged or not a seed image');
  }
}
