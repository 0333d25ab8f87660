// File identifiers for the two trees. The primary tree uses ISO 9660 level 1 (ECMA-119 7.5): at most
// eight d-characters (A–Z, 0–9, _), a dot, at most three, then ";1" — what every reader understands,
// though "user-data" becomes "USER_DAT.;1". The real names live in Joliet (UCS-2) and Rock Ridge (NM).
import { compareBytes, encodeUcs2 } from './binary-fields.js';

export interface Level1Name {
  base: string;
  extension: string;
  /** The recorded identifier, e.g. `USER_DAT.;1`. */
  identifier: string;
}

const baseLength = 8;
const extensionLength = 3;

/**
 * Returns a function that gives each real name its level-1 name, all different: where two names shorten
 * to the same 8.3 name, the later one asked for gets a number at the end of its base, e.g. USER_DA1.
 */
export function createLevel1Namer(): (name: string) => Level1Name {
  const taken = new Set<string>();
  return (name) => {
    const { base, extension } = shortenName(name);
    let candidate = base;
    for (let counter = 1; taken.has(`${candidate}.${extension}`); counter += 1) {
      const suffix = String(counter);
      candidate = base.slice(0, baseLength - suffix.length) + suffix;
    }
    taken.add(`${candidate}.${extension}`);
    return { base: candidate, extension, identifier: `${candidate}.${extension};1` };
  };
}

/** Splits at the last dot (a leading dot is part of the base), maps to d-characters, cuts to 8.3. */
function shortenName(name: string): { base: string; extension: string } {
  const dot = name.lastIndexOf('.');
  const hasExtension = dot > 0;
  const base = toDCharacters(hasExtension ? name.slice(0, dot) : name).slice(0, baseLength);
  const extension = hasExtension ? toDCharacters(name.slice(dot + 1)).slice(0, extensionLength) : '';
  return { base, extension };
}

function toDCharacters(text: string): string {
  return text.toUpperCase().replace(/[^A-Z0-9_]/gu, '_');
}

/** ECMA-119 9.3: by name, then extension, each padded with spaces for the comparison. */
export function compareLevel1(left: Level1Name, right: Level1Name): number {
  return (
    compareCodeUnits(left.base.padEnd(baseLength, ' '), right.base.padEnd(baseLength, ' ')) ||
    compareCodeUnits(left.extension.padEnd(extensionLength, ' '), right.extension.padEnd(extensionLength, ' '))
  );
}

/** Joliet keeps the real name, in UCS-2 and without a ";1" version, which would cost 2 of 64 characters. */
export function jolietIdentifier(name: string): Uint8Array {
  return encodeUcs2(name);
}

export function compareJoliet(left: Uint8Array, right: Uint8Array): number {
  return compareBytes(left, right);
}

export function compareCodeUnits(left: string, right: string): number {
  if (left === right) return 0;
  return left < right ? -1 : 1;
}
