// SHA-512 crypt (`$6$`), written from Ulrich Drepper's "Unix crypt using SHA-256 and SHA-512", so
// plaintext passwords become `hashed_passwd`/chpasswd entries without a C crypt(3). Output matches
// glibc and libxcrypt byte for byte; node:crypto does the SHA-512 itself.
import * as crypto from 'node:crypto';
import { CloudseedError } from '../errors.js';
import { concatBytes } from '../concat-bytes.js';

export const sha512CryptDefaultRounds = 5000;
export const sha512CryptMinRounds = 1000;
export const sha512CryptMaxRounds = 999_999_999;
export const sha512CryptMaxSaltLength = 16;

const cryptAlphabet = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const cryptSaltPattern = /^[./0-9A-Za-z]*$/;
const sha512CryptHashPattern = /^\$6\$(?:rounds=([0-9]+)\$)?([./0-9A-Za-z]{0,16})\$[./0-9A-Za-z]{86}$/;
const digestLength = 64;
/** Bytes of randomness a 16-character salt holds: 16 characters × 6 bits. */
const saltSourceLength = 12;

// The rounds are thousands of tiny hashes, so the cost per call is what counts: crypto.hash (Node ≥ 20.12)
// is one call into C++ where createHash/update/digest are three, about a third faster here.
const sha512: (data: Uint8Array) => Uint8Array =
  'hash' in crypto && typeof crypto.hash === 'function'
    ? (data) => crypto.hash('sha512', data, 'buffer')
    : (data) => crypto.createHash('sha512').update(data).digest();

/**
 * Hashes `password` (as UTF-8) like glibc's `crypt(password, "$6$rounds=N$salt")`. The salt is cut to 16
 * characters and rounds are clamped to [1000, 999999999]; `rounds=N$` is written only when rounds is
 * not the default 5000, exactly as glibc does for a setting without it. Throws SPEC_INVALID for a salt
 * character outside [./0-9A-Za-z], rounds that are not a whole number, or a NUL in the password.
 */
export function sha512Crypt(
  password: string,
  salt: string,
  rounds: number = sha512CryptDefaultRounds,
): string {
  checkSalt(salt);
  checkRounds(rounds);
  return formatSha512Crypt({
    passwordBytes: encodePassword(password),
    salt: salt.slice(0, sha512CryptMaxSaltLength),
    rounds: clampRounds(rounds),
    showRounds: rounds !== sha512CryptDefaultRounds,
  });
}

/**
 * Whether `password` produces exactly `hash`, as `crypt(password, hash) == hash` does for a login.
 * A hash from elsewhere decides the work done: `rounds=999999999` takes hours, as it does in glibc.
 */
export function verifySha512Crypt(password: string, hash: string): boolean {
  const match = sha512CryptHashPattern.exec(hash);
  if (match === null || password.includes('\0')) return false;
  const [, roundsText, salt = ''] = match;
  const computed = formatSha512Crypt({
    passwordBytes: encodePassword(password),
    salt,
    rounds: roundsText === undefined ? sha512CryptDefaultRounds : clampRounds(Number(roundsText)),
    showRounds: roundsText !== undefined,
  });
  // Same length is guaranteed by the pattern unless rounds was spelled differently (e.g. "05000").
  const expected = Buffer.from(hash);
  const actual = Buffer.from(computed);
  return actual.length === expected.length && crypto.timingSafeEqual(actual, expected);
}

/** Turns at least 12 random bytes into a 16-character crypt salt (6 bits per character). */
export function makeCryptSalt(bytes: Uint8Array): string {
  if (bytes.length < saltSourceLength) {
    throw new CloudseedError(
      'INTERNAL',
      `a crypt salt needs ${saltSourceLength} random bytes, got ${bytes.length}`,
    );
  }
  let salt = '';
  for (let offset = 0; offset < saltSourceLength; offset += 3) {
    const group = (byteAt(bytes, offset) << 16) | (byteAt(bytes, offset + 1) << 8) | byteAt(bytes, offset + 2);
    for (let shift = 18; shift >= 0; shift -= 6) salt += cryptAlphabet[(group >> shift) & 0x3f];
  }
  return salt;
}

interface CryptSetting {
  passwordBytes: Uint8Array;
  /** At most 16 characters of the crypt alphabet. */
  salt: string;
  /** Already clamped. */
  rounds: number;
  showRounds: boolean;
}

function formatSha512Crypt(setting: CryptSetting): string {
  const digest = sha512CryptDigest(setting.passwordBytes, Buffer.from(setting.salt, 'latin1'), setting.rounds);
  const roundsPart = setting.showRounds ? `rounds=${setting.rounds}$` : '';
  return `$6$${roundsPart}${setting.salt}$${encodeDigest(digest)}`;
}

/** Steps 1–21 of the specification: the 64 bytes that step 22 encodes. */
function sha512CryptDigest(password: Uint8Array, salt: Uint8Array, rounds: number): Uint8Array {
  const digestB = sha512(concatBytes([password, salt, password]));
  const lengthBits: Uint8Array[] = [];
  for (let length = password.length; length > 0; length >>>= 1) {
    lengthBits.push(length & 1 ? digestB : password);
  }
  const digestA = sha512(concatBytes([password, salt, repeatToLength(digestB, password.length), ...lengthBits]));
  const passwordSequence = repeatToLength(sha512Repeated(password, password.length), password.length);
  const saltSequence = repeatToLength(sha512Repeated(salt, 16 + byteAt(digestA, 0)), salt.length);
  return stretch(digestA, passwordSequence, saltSequence, rounds);
}

/**
 * The rounds loop. Each round's input is one of eight layouts (round odd/even, divisible by 3, by 7)
 * of fixed P and S bytes around the previous digest, so the layouts are built once and each round
 * only copies 64 bytes into place before hashing.
 */
function stretch(
  digestA: Uint8Array,
  passwordSequence: Uint8Array,
  saltSequence: Uint8Array,
  rounds: number,
): Uint8Array {
  const layouts = Array.from({ length: 8 }, (_, shape) => roundLayout(shape, passwordSequence, saltSequence));
  let digest = digestA;
  for (let round = 0; round < rounds; round++) {
    const shape = (round & 1) | (round % 3 === 0 ? 0 : 2) | (round % 7 === 0 ? 0 : 4);
    const layout = layouts[shape];
    if (layout === undefined) throw new CloudseedError('INTERNAL', `no sha512-crypt round layout ${shape}`);
    layout.bytes.set(digest, layout.digestOffset);
    digest = sha512(layout.bytes);
  }
  return digest;
}

interface RoundLayout {
  bytes: Uint8Array;
  digestOffset: number;
}

/** shape bit 0: odd round (P first, digest last); bit 1: add S; bit 2: add P. */
function roundLayout(shape: number, passwordSequence: Uint8Array, saltSequence: Uint8Array): RoundLayout {
  const digestSlot = new Uint8Array(digestLength);
  const oddRound = (shape & 1) !== 0;
  const parts = [oddRound ? passwordSequence : digestSlot];
  if (shape & 2) parts.push(saltSequence);
  if (shape & 4) parts.push(passwordSequence);
  parts.push(oddRound ? digestSlot : passwordSequence);
  const bytes = concatBytes(parts);
  return { bytes, digestOffset: oddRound ? bytes.length - digestLength : 0 };
}

/**
 * Step 22: each group of three digest bytes becomes four characters, least significant 6 bits first,
 * with the bytes taken in the specification's interleaved order (0, 21, 42), (22, 43, 1), (44, 2, 23), …
 */
function encodeDigest(digest: Uint8Array): string {
  let text = '';
  for (let group = 0; group < 21; group++) {
    const [first, second, third] = rotate([group, group + 21, group + 42], group % 3);
    text += encode24Bits(byteAt(digest, first) << 16 | byteAt(digest, second) << 8 | byteAt(digest, third), 4);
  }
  return text + encode24Bits(byteAt(digest, 63), 2);
}

function rotate(indices: [number, number, number], by: number): [number, number, number] {
  const [a, b, c] = indices;
  if (by === 1) return [b, c, a];
  if (by === 2) return [c, a, b];
  return indices;
}

function encode24Bits(value: number, characters: number): string {
  let text = '';
  for (let index = 0; index < characters; index++) text += cryptAlphabet[(value >> (6 * index)) & 0x3f];
  return text;
}

function encodePassword(password: string): Uint8Array {
  if (password.includes('\0')) {
    // crypt(3) takes a C string: it would hash only the part before the NUL, so no login could match.
    throw new CloudseedError('SPEC_INVALID', 'a password cannot contain a NUL character');
  }
  return Buffer.from(password, 'utf8');
}

function checkSalt(salt: string): void {
  if (!cryptSaltPattern.test(salt)) {
    throw new CloudseedError('SPEC_INVALID', `a crypt salt may only use [./0-9A-Za-z], got ${JSON.stringify(salt)}`, {
      hint: 'pass the bare salt, without "$6$" or "rounds=", or leave it out to get a random one',
    });
  }
}

function checkRounds(rounds: number): void {
  if (!Number.isInteger(rounds)) {
    throw new CloudseedError('SPEC_INVALID', `sha512-crypt rounds must be a whole number, got ${rounds}`);
  }
}

function clampRounds(rounds: number): number {
  return Math.min(sha512CryptMaxRounds, Math.max(sha512CryptMinRounds, rounds));
}

/** Streams the repeats: a long password repeated its own length of times would not fit in memory. */
function sha512Repeated(bytes: Uint8Array, times: number): Uint8Array {
  const hash = crypto.createHash('sha512');
  for (let count = 0; count < times; count++) hash.update(bytes);
  return hash.digest();
}

function repeatToLength(pattern: Uint8Array, length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  if (pattern.length === 0) return bytes;
  for (let offset = 0; offset < length; offset += pattern.length) {
    bytes.set(pattern.subarray(0, length - offset), offset);
  }
  return bytes;
}

/** Reads a byte whose index the algorithm guarantees is in range. */
function byteAt(bytes: Uint8Array, index: number): number {
  return bytes[index] ?? 0;
}
