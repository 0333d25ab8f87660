// One byte array from several, for the binary writers and readers and the crypt code alike (Buffer
// would do too, but the writers stay plain Uint8Array so they run anywhere).
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const joined = new Uint8Array(parts.reduce((total, part) => total + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    joined.set(part, offset);
    offset += part.length;
  }
  return joined;
}
