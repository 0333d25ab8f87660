// 8.3 aliases for long names, by the FAT specification's basis-name and numeric-tail algorithms:
// `user-data` → `USER-D~1`, `network-config` → `NETWOR~1`, `README.TXT` stays as it is.
import { shortNameBaseLength, shortNameLength } from '../fat-layout.js';
import { caseFoldedName } from './fat-names.js';

/** An 8.3 name as a directory entry stores it: 8 name bytes and 3 extension bytes, space-padded. */
export type ShortName = string;

interface BasisName {
  primary: string;
  extension: string;
  /** Set when a character had no 8.3 form and became `_`. */
  lossy: boolean;
}

// Characters an 8.3 name may hold besides upper-case letters and digits. The spec also allows OEM code
// page characters above 127; with no code page to convert into, those count as lossy.
const shortNameCharacter = /^[A-Z0-9$%'\-_@~`!(){}^#&]$/;
const maxTail = 999_999;

/**
 * Gives each long name (already checked, unique ignoring case) a unique 8.3 alias. Names that already are
 * 8.3 names keep their upper-cased selves, so they are reserved first; the rest get numeric tails in the
 * order given. `taken` holds aliases already used in the same directory.
 */
export function assignShortNames(longNames: readonly string[], taken: ReadonlySet<ShortName> = new Set()): ShortName[] {
  const used = new Set(taken);
  const bases = longNames.map(basisName);
  const aliases: (ShortName | undefined)[] = bases.map((basis, index) => {
    const alias = shortName(basis.primary, basis.extension);
    if (!fitsWithoutTail(basis, longNames[index] ?? '') || used.has(alias)) return undefined;
    used.add(alias);
    return alias;
  });
  return bases.map((basis, index) => aliases[index] ?? takeNumericTail(basis, used));
}

/** `USER-D~1   ` → `USER-D~1`, `FOO     BAR` → `FOO.BAR`: the alias as people and tools print it. */
export function displayShortName(alias: ShortName): string {
  const primary = alias.slice(0, shortNameBaseLength).trimEnd();
  const extension = alias.slice(shortNameBaseLength).trimEnd();
  return extension === '' ? primary : `${primary}.${extension}`;
}

/**
 * The spec's basis-name steps 1–7: upper-case (with the same folding that checks for duplicates, so two
 * names that may coexist never claim one alias), replace what 8.3 cannot hold, drop spaces and leading periods.
 */
function basisName(longName: string): BasisName {
  let lossy = false;
  let converted = '';
  for (const character of caseFoldedName(longName)) {
    if (character === ' ' || character === '.' || shortNameCharacter.test(character)) {
      converted += character;
    } else {
      converted += '_';
      lossy = true;
    }
  }
  const stripped = converted.replaceAll(' ', '').replace(/^\.+/, '');
  const primary = /^[^.]{0,8}/.exec(stripped)?.[0] ?? '';
  const lastPeriod = stripped.lastIndexOf('.');
  const extension = lastPeriod > 0 ? stripped.slice(lastPeriod + 1, lastPeriod + 4) : '';
  return { primary, extension, lossy };
}

/** The spec's first numeric-tail condition: nothing was lost and the long name already reads as this 8.3 name. */
function fitsWithoutTail(basis: BasisName, longName: string): boolean {
  const asWritten = basis.extension === '' ? basis.primary : `${basis.primary}.${basis.extension}`;
  return !basis.lossy && asWritten === caseFoldedName(longName);
}

/** The first `~n` (n = 1, 2, …) that gives an alias nobody holds yet, cutting the primary part to fit 8. */
function takeNumericTail(basis: BasisName, used: Set<ShortName>): ShortName {
  for (let number = 1; number <= maxTail; number += 1) {
    const tail = `~${number}`;
    const alias = shortName(basis.primary.slice(0, shortNameBaseLength - tail.length) + tail, basis.extension);
    if (!used.has(alias)) {
      used.add(alias);
      return alias;
    }
  }
  throw new Error(`no free 8.3 alias is left for ${basis.primary}.${basis.extension}`);
}

function shortName(primary: string, extension: string): ShortName {
  return primary.padEnd(shortNameBaseLength, ' ') + extension.padEnd(shortNameLength - shortNameBaseLength, ' ');
}

/** Whether a long name needs VFAT long-name entries, i.e. its alias does not already show it exactly. */
export function needsLongName(longName: string, alias: ShortName): boolean {
  return displayShortName(alias) !== longName;
}
