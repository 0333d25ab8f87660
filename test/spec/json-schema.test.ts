// The spec's JSON Schema, generated from the zod schema: the shipped file is the generated one, every
// seed passes it with ajv (and names it in its first line for yaml-language-server), and it judges the
// bad-input corpus as zod does: a spec zod's schema refuses, ajv refuses; one it takes, ajv takes.
// Cross-field rules (duplicate addresses, pool ranges) are plan/'s and are in no JSON Schema.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { specJsonSchema, specJsonSchemaText, specSchemaFile } from '../../src/spec/json-schema.js';
import { fleetSpecSchema } from '../../src/spec/schema.js';
import { malformedFixtures } from './support/malformed-fixtures.js';
import { repositoryRoot } from '../cli/support/run-cloudseed.js';

const validate = new Ajv({ allErrors: true, strict: true }).compile(specJsonSchema());
const seedsDir = path.join(repositoryRoot, 'seeds');
const seeds = readdirSync(seedsDir).filter((name) => name.endsWith('.yaml')).sort();

/**
 * Fixtures zod refuses for a reason no JSON Schema keyword can state: a name range's numbers compared
 * with each other. Each must stay refused by zod and taken by ajv, or it leaves this list.
 */
const beyondJsonSchema: Record<string, string> = {
  '131-pattern-counts-down.yaml': 'web-{20..01}: the range counts down',
  '134-pattern-range-too-large.yaml': 'web-{1..1000000}: more VMs than a fleet may have',
};

/** The fixture's value as YAML gives it, or undefined when it is not YAML at all (a syntax error). */
function yamlValue(text: string): unknown {
  try {
    return parse(text, { uniqueKeys: true });
  } catch {
    return undefined;
  }
}

const ajvErrors = () => JSON.stringify(validate.errors?.slice(0, 3), null, 1);

describe('the shipped JSON Schema', () => {
  it(`${specSchemaFile} is the one generated from src/spec/schema.ts`, () => {
    const file = path.join(repositoryRoot, specSchemaFile);
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(file, specJsonSchemaText());
    expect(readFileSync(file, 'utf8'), `regenerate it: UPDATE_GOLDEN=1 npx vitest run test/spec/json-schema.test.ts`).toBe(specJsonSchemaText());
  });

  it('gives every refined format of formats.ts a rule of its own (a pattern, an enum or the like)', () => {
    const definitions = specJsonSchema().definitions as Record<string, Record<string, unknown>>;
    const formats = Object.entries(definitions).filter(([name]) => name.endsWith('Text'));
    expect(formats.length).toBeGreaterThan(20);
    for (const [name, definition] of formats) {
      expect(['pattern', 'enum', 'anyOf', 'propertyNames'].some((keyword) => keyword in definition), name).toBe(true);
    }
  });
});

describe.each(seeds)('seeds/%s', (seed) => {
  const text = readFileSync(path.join(seedsDir, seed), 'utf8');

  it('starts with the yaml-language-server modeline naming the shipped schema', () => {
    expect(text.split('\n')[0]).toBe(`# yaml-language-server: $schema=../${specSchemaFile}`);
  });

  it('passes the JSON Schema', () => {
    expect(validate(parse(text)), ajvErrors()).toBe(true);
  });
});

describe('the bad-input corpus against the JSON Schema', () => {
  const judged = malformedFixtures()
    .map((fixture) => ({ fixture, value: yamlValue(fixture.text) }))
    .filter(({ value }) => value !== undefined);

  it('holds fixtures of both kinds: schema errors and cross-field errors', () => {
    const refused = judged.filter(({ value }) => !fleetSpecSchema.safeParse(value).success);
    expect(refused.length).toBeGreaterThan(40);
    expect(judged.length - refused.length).toBeGreaterThan(20);
  });

  it.each(judged.map(({ fixture, value }) => [fixture.name, value] as const))('%s: ajv agrees with zod', (name, value) => {
    const zodVerdict = fleetSpecSchema.safeParse(value);
    const ajvVerdict = validate(value);
    if (name in beyondJsonSchema) {
      expect(zodVerdict.success, `${name} is refused by zod`).toBe(false);
      expect(ajvVerdict, `${name} is still beyond JSON Schema`).toBe(true);
      return;
    }
    const issues = zodVerdict.error?.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('\n');
    expect(ajvVerdict, zodVerdict.success ? `ajv refuses a spec zod's schema takes: ${ajvErrors()}` : `ajv takes a spec zod refuses:\n${issues}`).toBe(zodVerdict.success);
  });
});
