// Reads a spec file: UTF-8 and YAML syntax first, then the zod schema and the name-pattern rules, then
// patterns are expanded into VMs. Every problem is collected with its file, line, column and field
// before one error is thrown, so a user fixes them all in one pass.
// A spec holds passwords, so no message here quotes the spec's text: the place and a fixed reason only.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { CloudseedError, problemsError, throwIfProblems } from '../errors.js';
import { expandSpec } from './expand-patterns.js';
import { patternIssues } from './pattern-issues.js';
import { fleetSpecSchema, type FleetSpecDocument, type FleetSpecInput } from './schema.js';
import { describeIssue } from './schema-problems.js';
import { createSpecSource, decodeSpecBytes, formatFieldPath, type SpecSource } from './source-map.js';
import { aliasProblems, documentValue, syntaxProblems, tagProblems } from './yaml-problems.js';

/** A validated spec together with where it came from. */
export interface FleetSpec {
  /** One item of `vms` per VM: name patterns are expanded. */
  input: FleetSpecInput;
  /** The file's text, for checksums in the manifest. */
  text: string;
  /** Absolute folder of the spec file: relative paths in the spec are relative to it. */
  baseDir: string;
  /** The spec's name without extension, the default fleet name. */
  fileStem: string;
  /** Locates paths into `input`, the expanded `vms` included, at the lines that wrote them. */
  source: SpecSource;
}

export async function loadSpec(file: string): Promise<FleetSpec> {
  return parseSpec(await readSpecText(file), file);
}

/** The spec file's text, which must be UTF-8: a password read through a wrong encoding is not the one typed. */
export async function readSpecText(file: string): Promise<string> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (cause) {
    throw new CloudseedError('SPEC_INVALID', `cannot read spec file ${file}`, {
      location: { file, line: null, column: null, field: null },
      cause,
    });
  }
  const decoded = decodeSpecBytes(bytes);
  if (typeof decoded !== 'string') {
    throwIfProblems([{
      location: { file, line: decoded.line, column: decoded.column, field: null },
      message: 'the spec is not valid UTF-8 (the first bad byte is here); save it as UTF-8',
    }], file);
  }
  return decoded as string;
}

export function parseSpec(text: string, file: string): FleetSpec {
  const { value, source } = readDocument(text, file);
  const checked = checkSpecValue(value);
  if (!checked.success) throw problemsError(checked.issues.flatMap((issue) => describeIssue(issue, source)), file);
  return specOf(checked.data, text, file, source);
}

export type SpecCheck = { success: true; data: FleetSpecDocument } | { success: false; issues: z.core.$ZodIssue[] };

/**
 * The schema's verdict on the document, patterns still unexpanded (so a mistake in a pattern is one
 * problem, not one per VM), and the pattern rules that span fields. A field both refuse is reported
 * once, with the pattern rule's more telling reason.
 */
export function checkSpecValue(value: unknown): SpecCheck {
  const parsed = fleetSpecSchema.safeParse(value);
  const patterns = patternIssues(value);
  if (parsed.success && patterns.length === 0) return { success: true, data: parsed.data };
  const patternFields = new Set(patterns.map(issueField));
  const schemaIssues = parsed.success ? [] : parsed.error.issues.filter((issue) => !patternFields.has(issueField(issue)));
  return { success: false, issues: [...schemaIssues, ...patterns] };
}

/** The field an issue is about; for an issue about one key of a map (params.key), that key's field. */
function issueField(issue: z.core.$ZodIssue): string {
  const key = issue.code === 'custom' ? issue.params?.key : undefined;
  const fieldPath = issue.path.filter((part): part is string | number => typeof part !== 'symbol');
  return formatFieldPath(typeof key === 'string' ? [...fieldPath, key] : fieldPath);
}

/** The document's plain value and its source map, once its YAML is sound: syntax, tags, aliases, not empty. */
export function readDocument(text: string, file: string): { value: unknown; source: SpecSource } {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const source = createSpecSource(file, document, lineCounter);
  throwIfProblems([...syntaxProblems(document, source), ...tagProblems(document, text, source), ...aliasProblems(document, source)], file);
  if (document.contents === null) {
    throwIfProblems([{ location: { file, line: 1, column: 1, field: null }, message: 'the spec is empty: it needs at least a list of vms' }], file);
  }
  return { value: documentValue(document, source), source };
}

/** The spec from its checked document: patterns expanded, and located through the expansion. */
export function specOf(document: FleetSpecDocument, text: string, file: string, documentSource: SpecSource): FleetSpec {
  const { input, source } = expandSpec(document, documentSource);
  return {
    input,
    text,
    baseDir: path.dirname(path.resolve(file)),
    fileStem: path.basename(file).replace(/\.ya?ml$/i, ''),
    source,
  };
}
