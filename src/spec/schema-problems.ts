// The schema's verdicts as problems people can act on: the field, the line, what was expected, and
// never an unknown key that looks like a value typed in a key's place (it may be a password).
import type { z } from 'zod';
import type { Problem } from '../errors.js';
import { vmNameText } from './formats.js';
import { formatFieldPath, type SpecSource } from './source-map.js';

type Issue = z.core.$ZodIssue;

/** An unknown key is named only when it looks like a field name, not like a value typed in its place. */
function looksLikeFieldName(key: string): boolean {
  return /^[A-Za-z][A-Za-z0-9_-]{0,39}$/.test(key);
}

/** A key meant as a VM name (an override's) is named only when it is one. */
function looksLikeVmName(key: string): boolean {
  return vmNameText.safeParse(key).success;
}

export function describeIssue(issue: Issue, source: SpecSource): Problem[] {
  const fieldPath = issue.path.filter((part): part is string | number => typeof part !== 'symbol');
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => {
      if (looksLikeFieldName(key)) return { location: source.locate(fieldPath, key), message: `unknown field "${key}"` };
      const location = { ...source.locate(fieldPath, key), field: source.locate(fieldPath).field };
      return { location, message: 'unknown field (its name is not shown: it does not look like a field name)' };
    });
  }
  if (issue.code === 'custom' && typeof issue.params?.key === 'string') {
    // About one key of a map, an override's VM name (see pattern-issues.ts): placed at the key.
    const key = issue.params.key;
    const location = source.locate(fieldPath, key);
    return [{ location: looksLikeVmName(key) ? location : { ...location, field: source.locate(fieldPath).field }, message: issue.message }];
  }
  if (issue.code === 'invalid_type') return [typeProblem(issue, fieldPath, source)];
  if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    // A discriminated union reports the allowed tags; a plain union, one failure per branch.
    return [{ location: source.locate(fieldPath), message: unionMessage(issue) }];
  }
  return [{ location: source.locate(fieldPath), message: issue.message }];
}

function unionMessage(issue: Extract<Issue, { code: 'invalid_union' }>): string {
  const branchMessages = issue.errors.map((branch) => branch.map((inner) => inner.message).join('; '));
  return `${issue.message}: expected one of the allowed forms (${branchMessages.join(' | ')})`;
}

/** zod's type names as a spec's reader knows them. */
const typeNames: Record<string, string> = {
  string: 'a string', number: 'a number', int: 'a whole number', boolean: 'true or false', object: 'a mapping (key: value lines)',
  array: 'a list', null: 'nothing', undefined: 'nothing', bigint: 'a number', date: 'a date',
};

const nameOf = (type: string) => typeNames[type] ?? type;

/** Which YAML type `received` is, from zod's message (issues carry no input by default). */
function receivedType(message: string): string | null {
  return /received (\w+)$/.exec(message)?.[1] ?? null;
}

/**
 * A missing field (zod: "received undefined") is placed at its parent, the mapping that lacks it, and
 * named with that parent: `host.dev is required`. A value of the wrong type is placed at the value.
 */
function typeProblem(issue: Extract<Issue, { code: 'invalid_type' }>, fieldPath: (string | number)[], source: SpecSource): Problem {
  const received = receivedType(issue.message);
  const expected = nameOf(issue.expected);
  if (received === 'undefined' && fieldPath.length > 0) {
    const parent = fieldPath.slice(0, -1);
    const parentKey = parent.at(-1);
    // At the parent's key (`host:`), the line a reader looks for; its field is still the missing one.
    const at = typeof parentKey === 'string' ? source.locate(parent.slice(0, -1), parentKey) : source.locate(parent);
    const location = { ...at, field: source.locate(fieldPath).field };
    // The field with its parent, and through a list item to the list: `host.dev`, `users[0].name`.
    const start = Math.max(0, fieldPath.length - (typeof fieldPath.at(-2) === 'number' ? 3 : 2));
    return { location, message: `${formatFieldPath(fieldPath.slice(start))} is required: expected ${expected}` };
  }
  const found = received === null ? '' : `, found ${nameOf(received)}`;
  return { location: source.locate(fieldPath), message: `expected ${expected}${found}` };
}
