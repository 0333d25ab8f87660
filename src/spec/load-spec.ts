// Reads a spec file: YAML syntax first, then the zod schema. Every problem is collected with its file,
// line, column and field before one error is thrown, so a user fixes them all in one pass.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { CloudseedError, throwIfProblems, type Problem } from '../errors.js';
import { fleetSpecSchema, type FleetSpecInput } from './schema.js';
import { createSpecSource, type SpecSource } from './source-map.js';

/** A validated spec together with where it came from. */
export interface FleetSpec {
  input: FleetSpecInput;
  /** The file's text, for checksums in the manifest. */
  text: string;
  /** Absolute folder of the spec file: relative paths in the spec are relative to it. */
  baseDir: string;
  /** The spec's name without extension, the default fleet name. */
  fileStem: string;
  source: SpecSource;
}

export async function loadSpec(file: string): Promise<FleetSpec> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new CloudseedError('SPEC_INVALID', `cannot read spec file ${file}`, {
      location: { file, line: null, column: null, field: null },
      cause,
    });
  }
  return parseSpec(text, file);
}

export function parseSpec(text: string, file: string): FleetSpec {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const source = createSpecSource(file, document, lineCounter);
  const syntaxProblems: Problem[] = document.errors.map((error) => ({
    location: source.locateOffset(error.pos[0]),
    message: `YAML syntax: ${firstLine(error.message)}`,
  }));
  throwIfProblems(syntaxProblems, file);

  const parsed = fleetSpecSchema.safeParse(document.toJS());
  if (!parsed.success) throwIfProblems(parsed.error.issues.flatMap((issue) => describeIssue(issue, source)), file);
  return {
    input: parsed.data as FleetSpecInput,
    text,
    baseDir: path.dirname(path.resolve(file)),
    fileStem: path.basename(file).replace(/\.ya?ml$/i, ''),
    source,
  };
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}

type Issue = z.core.$ZodIssue;

function describeIssue(issue: Issue, source: SpecSource): Problem[] {
  const fieldPath = issue.path.filter((part): part is string | number => typeof part !== 'symbol');
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({
      location: source.locate(fieldPath, key),
      message: `unknown field "${key}"`,
    }));
  }
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
