// ECMA-119 time stamps, encoded by the writer and decoded by the reader: the 7-byte form of directory
// records (9.1.5) and the 17-character form of volume descriptors (8.4.26.1), also used by Rock Ridge TF
// fields. Both are local time plus the offset from GMT in 15-minute steps. The writer records UTC
// (offset 0) from the one timestamp it is given, so the same input always gives the same bytes; the
// reader takes anything out of range as "not recorded", not as an error.
import { recordingTimeBaseYear, recordingTimeLength, volumeTimeLength } from './iso9660-layout.js';

/** One instant, in whole seconds since the epoch. */
export type EpochSeconds = number;

/** ECMA-119 9.1.5: years since 1900, month, day, hour, minute, second, offset from GMT in 15 minutes. */
export function encodeRecordingTime(seconds: EpochSeconds): Uint8Array {
  const date = new Date(seconds * 1000);
  return Uint8Array.of(
    date.getUTCFullYear() - recordingTimeBaseYear,
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

const quarterHour = 15 * 60 * 1000;

/** The 7-byte form: years since 1900, month, day, hour, minute, second, signed GMT offset. */
export function decodeShortDate(bytes: Uint8Array): Date | null {
  if (bytes.length < recordingTimeLength || bytes.every((byte) => byte === 0)) return null;
  const [years = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, offset = 0] = bytes;
  return moment({ year: recordingTimeBaseYear + years, month, day, hour, minute, second, hundredths: 0, offset: (offset << 24) >> 24 });
}

/** The 17-byte form: `YYYYMMDDHHMMSScc` in ASCII digits, then the signed GMT offset byte. */
export function decodeLongDate(bytes: Uint8Array): Date | null {
  if (bytes.length < volumeTimeLength) return null;
  const digits = String.fromCharCode(...bytes.subarray(0, 16));
  if (!/^\d{16}$/.test(digits) || /^0+$/.test(digits)) return null;
  const field = (start: number, length: number) => Number(digits.slice(start, start + length));
  return moment({
    year: field(0, 4),
    month: field(4, 2),
    day: field(6, 2),
    hour: field(8, 2),
    minute: field(10, 2),
    second: field(12, 2),
    hundredths: field(14, 2),
    offset: ((bytes[16] ?? 0) << 24) >> 24,
  });
}

interface DateFields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  hundredths: number;
  /** Offset from GMT in 15-minute steps, -48 (west) to +52 (east). */
  offset: number;
}

function moment(fields: DateFields): Date | null {
  const { year, month, day, hour, minute, second, hundredths, offset } = fields;
  const valid = month >= 1 && month <= 12 && day >= 1 && day <= 31 && hour <= 23 && minute <= 59 && second <= 59;
  if (!valid || offset < -48 || offset > 52) return null;
  const local = Date.UTC(year, month - 1, day, hour, minute, second, hundredths * 10);
  return new Date(local - offset * quarterHour);
}
