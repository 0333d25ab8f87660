// FAT's date and time stamps, encoded by the writer and decoded by the reader: local time in two-second
// steps since 1980. We write UTC, so an image does not depend on the time zone it was packed in, and read
// stamps as UTC for the same reason.

export interface FatStamp {
  /** Bits 15–9 years since 1980, 8–5 month, 4–0 day. */
  date: number;
  /** Bits 15–11 hours, 10–5 minutes, 4–0 seconds / 2. */
  time: number;
  /** DIR_CrtTimeTenth: the odd second and the fraction, in 10 ms units (0–199). */
  hundredths: number;
}

const epochYear = 1980;
const earliest = Date.UTC(epochYear, 0, 1, 0, 0, 0);
/** The last moment a FAT stamp holds: 7 bits of years since 1980 end with 2107. */
export const latestFatMoment = Date.UTC(2107, 11, 31, 23, 59, 59, 990);

/**
 * The stamp for a moment given as a Date or as seconds since the epoch. Moments outside FAT's range are
 * clamped to it: SOURCE_DATE_EPOCH=0 (1970) is common in reproducible builds and becomes 1980-01-01.
 */
export function fatStamp(timestamp: Date | number): FatStamp {
  const milliseconds = typeof timestamp === 'number' ? timestamp * 1000 : timestamp.getTime();
  if (!Number.isFinite(milliseconds)) throw new RangeError(`the FAT timestamp ${String(timestamp)} is not a moment in time`);
  const moment = new Date(Math.min(Math.max(Math.floor(milliseconds), earliest), latestFatMoment));
  const seconds = moment.getUTCSeconds();
  return {
    date: ((moment.getUTCFullYear() - epochYear) << 9) | ((moment.getUTCMonth() + 1) << 5) | moment.getUTCDate(),
    time: (moment.getUTCHours() << 11) | (moment.getUTCMinutes() << 5) | (seconds >> 1),
    hundredths: (seconds % 2) * 100 + Math.floor(moment.getUTCMilliseconds() / 10),
  };
}

/**
 * DIR_WrtDate/DIR_WrtTime back to a moment: years since 1980, month, day; hours, minutes, seconds / 2.
 * FAT keeps no time zone; cloudseed's writer stores UTC, so the stamp is read as UTC. A zero or
 * impossible date is none.
 */
export function decodeFatStamp(date: number, time: number): Date | null {
  const month = (date >> 5) & 0x0f;
  const day = date & 0x1f;
  const hours = time >> 11;
  const minutes = (time >> 5) & 0x3f;
  const seconds = (time & 0x1f) * 2;
  if (date === 0 || month < 1 || month > 12 || day < 1 || hours > 23 || minutes > 59 || seconds > 59) return null;
  return new Date(Date.UTC(epochYear + (date >> 9), month - 1, day, hours, minutes, seconds));
}
