// VFAT long names (spec section 7): entries with LDIR_Ord N|0x40 down to 1 precede the short entry,
// each with 13 UTF-16 units and the checksum of that entry's 11-byte name. A broken sequence, a
// checksum that does not match or a non-zero LDIR_Type/LDIR_FstClusLO makes the long name an orphan.
import { u16le, u8 } from '../../byte-fields.js';
import {
  lastLongEntryFlag,
  longEntryFields,
  longNameUnitOffsets,
  maxLongNameUnits,
  shortNameChecksum,
  unitsPerLongEntry,
} from '../fat-layout.js';

// The longest name and its NUL fill 20 entries.
const maxEntries = Math.ceil((maxLongNameUnits + 1) / unitsPerLongEntry);
const at = longEntryFields;

/** Collects long-name entries as they come and hands the name to the short entry they belong to. */
export class LongNameCollector {
  private parts: number[][] = [];
  private checksum = 0;
  private expectedOrder = 0;

  add(entry: Uint8Array): void {
    const order = u8(entry, at.order);
    const sequence = order & ~lastLongEntryFlag;
    const wellFormed = u8(entry, at.type) === 0 && u16le(entry, at.firstClusterLow) === 0 && sequence >= 1 && sequence <= maxEntries;
    if (!wellFormed) return this.reset();
    if ((order & lastLongEntryFlag) !== 0) {
      this.parts = [];
      this.checksum = u8(entry, at.checksum);
    } else if (sequence !== this.expectedOrder || u8(entry, at.checksum) !== this.checksum) {
      return this.reset();
    }
    this.parts[sequence - 1] = longNameUnitOffsets.map((offset) => u16le(entry, offset));
    this.expectedOrder = sequence - 1;
  }

  /** The UTF-16 units of the long name for the short entry named `shortName`, or null. Resets. */
  take(shortName: Uint8Array): number[] | null {
    const complete = this.parts.length > 0 && this.expectedOrder === 0 && this.checksum === shortNameChecksum(shortName);
    const units = complete ? this.parts.flat() : null;
    this.reset();
    return units;
  }

  reset(): void {
    this.parts = [];
    this.expectedOrder = 0;
  }
}

/** The name up to its NUL (0xFFFF pads the rest); null when empty or holding `/`, which FAT forbids. */
export function decodeLongNameUnits(units: readonly number[]): string | null {
  const end = units.indexOf(0x0000);
  const name = String.fromCharCode(...(end === -1 ? units : units.slice(0, end)));
  return name === '' || name.includes('/') || name === '.' || name === '..' ? null : name;
}
