// Each format's JSON Schema rule (json-schema.ts) against its zod refinement (formats.ts), on generated
// strings: an editor must underline exactly what `cloudseed validate` refuses, no more and no less.
import { Ajv } from 'ajv';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import * as formats from '../../src/spec/formats.js';
import { specJsonSchema } from '../../src/spec/json-schema.js';

const schema = specJsonSchema();
const definitions = schema.definitions as Record<string, object>;
const ajv = new Ajv({ strict: true });

/**
 * Formats whose rule compares numbers a pattern cannot: a range's first address with its last, a name
 * range's bounds, a size's bytes with the largest safe integer. Their rule is looser than zod's.
 */
const looser = new Set(['vmEntryNameText', 'ipRangeText', 'diskSizeText']);

/** Characters the formats treat specially, so generated strings hit the edges of every rule. */
const alphabet = [...'0123456789abcdefxyzAFQ.:/-_$!*{} \t\n\u0000\u007f', 'dhcp', 'default', '192.168.', '/24', '..', '$6$', '52:54:00:', 'https://', 'docker://', 'qemu:///', 'manifest.json'];
const text = fc.array(fc.constantFrom(...alphabet), { maxLength: 12 }).map((parts) => parts.join(''));

const refinedFormats = Object.entries(formats as Record<string, unknown>).filter(
  (entry): entry is [string, z.ZodType] => entry[1] instanceof z.ZodType && entry[0] in definitions && !looser.has(entry[0]),
);

describe('format rules agree with zod on generated strings', () => {
  it('covers the formats', () => {
    expect(refinedFormats.length).toBeGreaterThan(25);
  });

  it.each(refinedFormats)('%s', (name, format) => {
    const check = ajv.compile({ ...definitions[name], definitions });
    const samples = [
      ...fc.sample(text, { numRuns: 3000, seed: 14 }),
      // Valid values as well, which random strings rarely are.
      '10.0.0.1', '10.0.0.0/24', '52:54:00:12:34:56', 'web-01', 'x86_64', 'q35', 'virtio', '/etc/motd', 'qemu:///system', 'eth0', 'ops',
    ];
    for (const sample of samples) {
      expect(check(sample), `${name}: ${JSON.stringify(sample)}`).toBe(format.safeParse(sample).success);
    }
  });

  it.each([...looser].filter((name) => name in definitions))('%s takes at least every value zod takes', (name) => {
    const check = ajv.compile({ ...definitions[name], definitions });
    const format = (formats as Record<string, unknown>)[name] as z.ZodType;
    for (const sample of [...fc.sample(text, { numRuns: 3000, seed: 14 }), 'web-{01..20}', '10.0.0.10-10.0.0.20', '20G', 1024]) {
      if (format.safeParse(sample).success) expect(check(sample), `${name}: ${JSON.stringify(sample)}`).toBe(true);
    }
  });
});
