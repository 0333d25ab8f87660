// The name-pattern syntax on its own: which names a range makes (against bash's own brace expansion,
// whose numbering it follows), which it refuses and why, and that a name is recognised as made by a
// pattern exactly when the pattern makes it.
import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  isNamePattern, maxFleetVms, parseNamePattern, patternMakes, patternName, patternSize, type NamePattern,
} from '../../src/spec/name-pattern.js';
import { missingTools } from '../support/tools.js';

function pattern(name: string): NamePattern {
  const parsed = parseNamePattern(name);
  if (!isNamePattern(parsed)) throw new Error(`${name} is not a pattern: ${JSON.stringify(parsed)}`);
  return parsed;
}

function names(name: string): string[] {
  const parsed = pattern(name);
  return Array.from({ length: patternSize(parsed) }, (_, offset) => patternName(parsed, parsed.first + offset));
}

function problem(name: string): string {
  const parsed = parseNamePattern(name);
  if (parsed === null || isNamePattern(parsed)) throw new Error(`${name} was accepted`);
  return parsed.problem;
}

describe('the names a pattern makes', () => {
  it('one per number, in order, with what is around the range', () => {
    expect(names('web-{1..3}')).toEqual(['web-1', 'web-2', 'web-3']);
    expect(names('{8..11}.lab')).toEqual(['8.lab', '9.lab', '10.lab', '11.lab']);
    expect(names('n{0..0}')).toEqual(['n0']);
  });

  it('zero-padded to the wider bound when a bound is written with a leading zero', () => {
    expect(names('web-{01..03}')).toEqual(['web-01', 'web-02', 'web-03']);
    expect(names('web-{01..100}').filter((_, index) => [0, 98, 99].includes(index))).toEqual(['web-001', 'web-099', 'web-100']);
    expect(names('web-{1..010}').slice(0, 2)).toEqual(['web-001', 'web-002']);
    expect(names('web-{0..10}').slice(0, 2)).toEqual(['web-0', 'web-1']);
  });

  // bash is the reference: `echo web-{01..20}` is what users have typed before.
  it.skipIf(missingTools('bash').length > 0).each([
    'web-{1..12}', 'web-{01..12}', 'web-{001..12}', 'web-{1..012}', 'web-{0..10}', 'web-{00..10}', 'web-{08..11}',
    'web-{5..05}', 'web-{000..2}', 'x{9..10}y', 'r{98..0101}',
  ])('%s makes what bash makes', (name) => {
    const bash = execFileSync('bash', ['-c', `echo ${name}`], { encoding: 'utf8' }).trim().split(' ');
    expect(names(name)).toEqual(bash);
  });
});

describe('what is not a pattern', () => {
  it('a name without braces is a plain name', () => {
    expect(parseNamePattern('web-01')).toBeNull();
  });

  it.each([
    ['web-{1..3}-{1..2}', /holds 2 ranges/],
    ['web-{a..c}', /not a range/],
    ['web-{1..}', /not a range/],
    ['web-{..3}', /not a range/],
    ['web-{-1..3}', /not a range/],
    ['web-{1...3}', /not a range/],
    ['web-{1,2}', /not a range/],
    ['web-{}', /not a range/],
    ['web-{1..3', /not a range/],
    ['web-1..3}', /not a range/],
    ['web-{{1..3}}', /not a range/],
    ['web-{3..1}', /counts down/],
    ['web-{1..1234567890123456}', /more than 15 digits/],
    [`web-{1..${maxFleetVms + 1}}`, /of 100,001 VMs; a fleet has at most 100,000/],
  ])('%s is refused', (name, reason) => {
    expect(problem(name)).toMatch(reason);
  });

  it(`a range of exactly ${maxFleetVms} is a pattern`, () => {
    expect(patternSize(pattern(`web-{1..${maxFleetVms}}`))).toBe(maxFleetVms);
  });
});

describe('whether a pattern makes a name', () => {
  it.each([
    ['web-{01..20}', 'web-07', true],
    ['web-{01..20}', 'web-7', false],
    ['web-{01..20}', 'web-21', false],
    ['web-{01..20}', 'web-00', false],
    ['web-{1..20}', 'web-07', false],
    ['web-{1..20}', 'web-20', true],
    ['web-{1..3}0', 'web-20', true],
    ['web-{1..3}0', 'web-40', false],
    ['web-{1..3}', 'Web-1', false],
    ['web-{1..3}', 'web-', false],
    ['web-{1..3}', 'web-1x', false],
  ])('%s makes %s: %s', (name, candidate, made) => {
    expect(patternMakes(pattern(name), candidate)).toBe(made);
  });

  it('exactly the names it lists, for any prefix, suffix and range', () => {
    const text = fc.string({ unit: fc.constantFrom('a', 'b', '-', '.', '0', '1', '9'), maxLength: 4 });
    fc.assert(fc.property(text, text, fc.nat(150), fc.nat(40), fc.boolean(), fc.nat(250), (prefix, suffix, first, length, padded, probe) => {
      const last = first + length;
      const low = padded ? String(first).padStart(String(last).length + 1, '0') : String(first);
      const parsed = pattern(`${prefix}{${low}..${last}}${suffix}`);
      const made = Array.from({ length: length + 1 }, (_, offset) => patternName(parsed, first + offset));
      expect(new Set(made).size).toBe(made.length);
      for (const name of made) expect(patternMakes(parsed, name)).toBe(true);
      // Any other number, written either way, is made only if it is one of the listed names.
      for (const candidate of [`${prefix}${probe}${suffix}`, `${prefix}${String(probe).padStart(4, '0')}${suffix}`]) {
        expect(patternMakes(parsed, candidate)).toBe(made.includes(candidate));
      }
    }));
  });
});
