// The yaml helper remembers what it rendered; a remembered text must be exactly what yamlValue gives
// for that value, however alike two values look (a string and the number it spells, -0 and 0).
import fc from 'fast-check';
import Handlebars from 'handlebars';
import { describe, expect, it } from 'vitest';
import { isBareWord, registerHelpers, yamlValue } from '../../src/render/template-helpers.js';

const handlebars = Handlebars.create();
registerHelpers(handlebars);
const template = handlebars.compile('{{yaml value indent=indent}}', { strict: true, noEscape: true });
const helper = (value: unknown, indent: number) => template({ value, indent });

const lookalikes: unknown[] = [
  'true', true, '1', 1, '0', 0, -0, 'null', null, NaN, 'NaN', Infinity, '.inf', '1.0', 1.5,
  ['a'], 'a', ['1'], [1], { a: '1' }, { a: 1 }, [], {}, '', ' ', [null], [NaN], new Date(0), '1970-01-01T00:00:00.000Z',
];

describe('the yaml helper', () => {
  it('gives yamlValue\'s text for values that look alike, the second time as the first', () => {
    for (const round of [1, 2]) {
      for (const value of lookalikes) {
        for (const indent of [0, 4]) expect(helper(value, indent), `${String(value)} (round ${round})`).toBe(yamlValue(value, indent));
      }
    }
  });

  it('gives yamlValue\'s text for any JSON value, twice', () => {
    fc.assert(fc.property(fc.jsonValue(), fc.constantFrom(0, 2, 6), (value, indent) => {
      expect(helper(value, indent)).toBe(yamlValue(value, indent));
      expect(helper(value, indent)).toBe(yamlValue(value, indent));
    }));
  });

  it('writes a bare word exactly as yamlValue does', () => {
    const words = fc.string({ unit: fc.constantFrom(...'aZyYnNeEbxX0123456789._/-:+ ~#'), minLength: 1, maxLength: 14 });
    const keywords = fc.constantFrom('yes', 'No', 'ON', 'off', 'True', 'FALSE', 'null', 'Null', 'y', 'N', 'e5', 'E-3', 'a1', 'x.y',
      '52:54:00:12:34:56', '52:54:00:ab:cd:ef', '10.0.0.1', '10.0.0.1/24', '1:20', '1:20.5', '2001-12-14', '0x1F', '0b101', '017', '1_000', '.5', '1e3', 'a:b', 'a:', '::1');
    let bare = 0;
    fc.assert(fc.property(fc.oneof(words, keywords), fc.constantFrom(0, 4), (text, indent) => {
      if (isBareWord(text)) bare += 1;
      expect(helper(text, indent)).toBe(yamlValue(text, indent));
    }), { numRuns: 10000 });
    expect(bare).toBeGreaterThan(1000);
  });
});
