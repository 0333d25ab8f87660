// Reads a spec file: UTF-8 and YAML syntax first, then the zod schema. Every problem is collected with
// its file, line, column and field before one error is thrown, so a user fixes them all in one pass.
// A spec holds passwords, so no message here quotes the spec's text: the place and a fixed reason only.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { CloudseedError, throwIfProblems } from '../errors.js';
import { fleetSpecSchema, type FleetSpecInput } from './schema.js';
import { describeIssue } from './schema-problems.js';
import { createSpecSource, decodeSpecBytes, type SpecSource } from './source-map.js';
import { aliasProblems, documentValue, syntaxProblems, tagProblems } from './yaml-problems.js';

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
  const parsed = fleetSpecSchema.safeParse(value);
  if (!parsed.success) throwIfProblems(parsed.error.issues.flatMap((issue) => describeIssue(issue, source)), file);
  return specOf(parsed.data as FleetSpecInput, text, file, source);
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

export function specOf(input: FleetSpecInput, text: string, file: string, source: SpecSource): FleetSpec {
  return {
    input,
    text,
    baseDir: path.dirname(path.resolve(file)),
    fileStem: path.basename(file).replace(/\.ya?ml$/i, ''),
    source,
  };
}
