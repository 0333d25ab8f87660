// A VM name with one numeric range, `web-{01..20}`, stands for one VM per number. This module knows
// the syntax: how to read a pattern, which names it makes, and whether a given name is one of them.
// Numbering follows bash's brace expansion, which most users have typed before (`echo web-{01..20}`).

/**
 * The most VMs one spec may make, patterns included. Far above any fleet one host or one CI job
 * manages; it stops a typo such as `{1..1000000}` before it costs minutes and gigabytes.
 */
export const maxFleetVms = 100_000;

/** Bounds beyond this many digits would lose precision as JavaScript numbers. */
const maxRangeDigits = 15;

export interface NamePattern {
  prefix: string;
  suffix: string;
  first: number;
  last: number;
  /** Every number is zero-padded to this many digits; 0 when the range is written without leading zeros. */
  width: number;
  /** The range as written, e.g. `{01..20}`, for messages. */
  range: string;
}

/** Why a name with braces is not a pattern; the messages never quote the name's other text. */
export type NamePatternError = { problem: string };

const onePattern = /^([^{}]*)\{(\d+)\.\.(\d+)\}([^{}]*)$/;
const rangePattern = /\{\d+\.\.\d+\}/g;

/** Whether `text` holds something that reads as a range, such as `{1..3}`. */
export function holdsRange(text: string): boolean {
  return text.search(rangePattern) >= 0;
}

/** A bound with a leading zero (`01`, but not `0`) asks for padding, as in bash. */
function isZeroPadded(digits: string): boolean {
  return digits.length > 1 && digits.startsWith('0');
}

/** The pattern in `name`, null for a plain name (no braces), or why its braces are not one range. */
export function parseNamePattern(name: string): NamePattern | NamePatternError | null {
  if (!name.includes('{') && !name.includes('}')) return null;
  const match = onePattern.exec(name);
  if (match === null) {
    const ranges = name.match(rangePattern)?.length ?? 0;
    return ranges > 1
      ? { problem: `holds ${ranges} ranges; a VM name may hold one range {A..B}, e.g. web-{01..20}` }
      : { problem: 'has braces that are not a range {A..B} of decimal numbers, e.g. web-{01..20}; braces are allowed in a VM name only as such a range' };
  }
  const [, prefix = '', low = '', high = '', suffix = ''] = match;
  const range = `{${low}..${high}}`;
  if (low.length > maxRangeDigits || high.length > maxRangeDigits) {
    return { problem: `has a range ${range} with numbers of more than ${maxRangeDigits} digits` };
  }
  const first = Number(low);
  const last = Number(high);
  if (last < first) return { problem: `has a range ${range} that counts down; expected {A..B} with A <= B` };
  if (last - first + 1 > maxFleetVms) {
    return { problem: `has a range ${range} of ${(last - first + 1).toLocaleString('en')} VMs; a fleet has at most ${maxFleetVms.toLocaleString('en')}` };
  }
  const width = isZeroPadded(low) || isZeroPadded(high) ? Math.max(low.length, high.length) : 0;
  return { prefix, suffix, first, last, width, range };
}

export function isNamePattern(parsed: NamePattern | NamePatternError | null): parsed is NamePattern {
  return parsed !== null && !('problem' in parsed);
}

export function patternSize(pattern: NamePattern): number {
  return pattern.last - pattern.first + 1;
}

/** The name for `number`, which must be in the pattern's range. */
export function patternName(pattern: NamePattern, number: number): string {
  return `${pattern.prefix}${String(number).padStart(pattern.width, '0')}${pattern.suffix}`;
}

/**
 * Whether the pattern makes `name`: its prefix and suffix around digits written as the pattern
 * writes them (zero-padded to the width, or without leading zeros) and within the range.
 */
export function patternMakes(pattern: NamePattern, name: string): boolean {
  const { prefix, suffix } = pattern;
  if (name.length < prefix.length + suffix.length + 1 || !name.startsWith(prefix) || !name.endsWith(suffix)) return false;
  const digits = name.slice(prefix.length, name.length - suffix.length);
  if (!/^\d+$/.test(digits) || digits.length > maxRangeDigits) return false;
  const number = Number(digits);
  return number >= pattern.first && number <= pattern.last && patternName(pattern, number) === name;
}
