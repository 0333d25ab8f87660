// VFAT long names (spec section 7): entries with LDIR_Ord N|0x40 down to 1 precede the short entry,
// each with 13 UTF-16 units and the checksum of that entry's 11-byte name. A broken sequence, a
// checksum that does not match or a non-zero LDIR_Type/LDIR_FstClusLO makes the long name an orphan.
import { u16le, u8 } from '../byte-fields.js';

const lastEntryFlag = 0x40;
// Where an entry keeps its 13 units: LDIR_Name1 (5), LDIR_Name2 (6), LDIR_Name3 (2).
const unitOffsets = [1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30];
// 255 characters and a NUL fill 20 entries.
const maxEntries = 20;

/** Collects long-name entries as they come and hands the name to the short entry they belong to. */
export class LongNameCollector {
  private parts: number[][] = [];
  private checksum = 0;
  private expectedOrder = 0;

  add(entry: Uint8Array): void {
    const order = u8(entry, 0);
    const sequence = order & ~lastEntryFlag;
    const wellFormed = u8(entry, 12) === 0 && u16le(entry, 26) === 0 && sequence >= 1 && sequence <= maxEntries;
    if (!wellFormed) return this.reset();
    if ((order & lastEntryFlag) !== 0) {
      this.parts = [];
      this.checksum = u8(entry, 13);
    } else if (sequence !== this.expectedOrder || u8(entry, 13) !== this.checksum) {
      return this.reset();
    }
    this.parts[sequence - 1] = unitOffsets.map((offset) => u16le(entry, offset));
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

/** The spec's ChkSum(): rotate right by one and add the next byte, over the 11 name bytes. */
export function shortNameChecksum(name: Uint8Array): number {
  let sum = 0;
  for (let index = 0; index < 11; index += 1) sum = (((sum & 1) << 7) + (sum >> 1) + (name[index] ?? 0)) & 0xff;
  return sum;
}
