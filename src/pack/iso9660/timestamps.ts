// The two date formats of ECMA-119, both in UTC (offset 0) and both from the one timestamp the caller
// passes, so the same input always gives the same bytes: 7 binary bytes in directory records and Rock
// Ridge TF entries (9.1.5), 17 digit characters in volume descriptors (8.4.26.1).

/** One instant, in whole seconds since the epoch. */
export type EpochSeconds = number;

/** Directory records store the year as years since 1900 in one byte. */
export const FIRST_RECORDABLE_YEAR = 1900;
export const LAST_RECORDABLE_YEAR = 1900 + 255;

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
  if (year < FIRST_RECORDABLE_YEAR || year > LAST_RECORDABLE_YEAR) {
    const range = `${FIRST_RECORDABLE_YEAR}–${LAST_RECORDABLE_YEAR}`;
    return `timestamp ${seconds} falls in ${year}; ISO 9660 directory records hold ${range}`;
  }
  return null;
}

/** ECMA-119 9.1.5: years since 1900, month, day, hour, minute, second, offset from GMT in 15 minutes. */
export function encodeRecordingTime(seconds: EpochSeconds): Uint8Array {
  const date = new Date(seconds * 1000);
  return Uint8Array.of(
    date.getUTCFullYear() - 1900,
    date.getUTCMonth() + 1,
    date.getUTCDate(),
    date.getUTCHours(),
    date.getUTCMinutes(),
    date.getUTCSeconds(),
    0,
  );
}

/** ECMA-119 8.4.26.1: "YYYYMMDDHHMMSScc" as digits, then the GMT offset byte. */
export function encodeVolumeTime(seconds: EpochSeconds): Uint8Array {
  const date = new Date(seconds * 1000);
  const digits = [
    String(date.getUTCFullYear()).padStart(4, '0'),
    ...[
      date.getUTCMonth() + 1,
      date.getUTCDate(),
      date.getUTCHours(),
      date.getUTCMinutes(),
      date.getUTCSeconds(),
      0,
    ].map((part) => String(part).padStart(2, '0')),
  ].join('');
  return Uint8Array.from([...digits].map((digit) => digit.charCodeAt(0)).concat(0));
}

/** ECMA-119 8.4.26.1: all digits zero and offset zero mean "not specified" (used for expiration). */
export function unspecifiedVolumeTime(): Uint8Array {
  return Uint8Array.from([...'0000000000000000'].map((digit) => digit.charCodeAt(0)).concat(0));
}
