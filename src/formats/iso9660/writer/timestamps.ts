// The one timestamp the writer records everywhere, as whole seconds, and whether ISO 9660 can hold it:
// directory records keep the year in one byte. The date formats themselves are in ../iso-dates.ts.
import { type EpochSeconds } from '../iso-dates.js';
import { recordingTimeBaseYear } from '../iso9660-layout.js';

export const firstRecordableYear = recordingTimeBaseYear;
export const lastRecordableYear = recordingTimeBaseYear + 255;

/** Whole seconds since the epoch from a Date or a number of seconds; fractions are dropped. */
export function toEpochSeconds(timestamp: Date | number): EpochSeconds {
  const seconds = timestamp instanceof Date ? timestamp.getTime() / 1000 : timestamp;
  return Math.floor(seconds);
}

/** Null when `timestamp` can be recorded, otherwise what is wrong with it. */
export function timestampProblem(timestamp: Date | number): string | null {
  const seconds = toEpochSeconds(timestamp);
  if (!Number.isFinite(seconds)) return `timestamp ${String(timestamp)} is not a point in time`;
  const year = new Date(seconds * 1000).getUTCFullYear();
  if (year < firstRecordableYear || year > lastRecordableYear) {
    const range = `${firstRecordableYear}–${lastRecordableYear}`;
    return `timestamp ${seconds} falls in ${year}; ISO 9660 directory records hold ${range}`;
  }
  return null;
}
