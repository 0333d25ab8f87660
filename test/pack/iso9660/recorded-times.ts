// The recorded forms of a timestamp, written out here from ECMA-119 independently of the writer, and
// where they occur in an image: bytes that change with the timestamp must all lie inside them.

/** ECMA-119 9.1.5 written out independently of the writer. */
export function recordingTime(seconds: number): Uint8Array {
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

/** ECMA-119 8.4.26.1: YYYYMMDDHHMMSS, hundredths 00, GMT offset 0. */
export function volumeTime(seconds: number): Uint8Array {
  const digits = `${new Date(seconds * 1000).toISOString().replace(/\D/gu, '').slice(0, 14)}00`;
  return Uint8Array.from([...digits].map((digit) => digit.charCodeAt(0)).concat(0));
}

export function occurrences(bytes: Uint8Array, pattern: Uint8Array): Array<[number, number]> {
  const found: Array<[number, number]> = [];
  for (let start = bytes.indexOf(pattern[0] ?? 0); start >= 0; start = bytes.indexOf(pattern[0] ?? 0, start + 1)) {
    if (pattern.every((byte, offset) => bytes[start + offset] === byte)) found.push([start, start + pattern.length]);
  }
  return found;
}

/** Offsets where `before` and `after` differ outside every recorded form of `seconds` in `before`. */
export function changesOutsideTimes(before: Uint8Array, after: Uint8Array, seconds: number): number[] {
  const stamps = [...occurrences(before, recordingTime(seconds)), ...occurrences(before, volumeTime(seconds))];
  const outside: number[] = [];
  for (let index = 0; index < before.length; index += 1) {
    if (before[index] !== after[index] && !stamps.some(([start, end]) => index >= start && index < end))
      outside.push(index);
  }
  return outside;
}
