// Finds and compiles templates: a spec's own template folder first, then the built-in templates/.
// Compiled strict (a missing value is an error, not an empty string) and unescaped (Handlebars escapes
// for HTML, which is wrong for YAML); quoting is the job of the yaml/xml/shell helpers.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import { CloudseedError } from '../errors.js';
import { precompiledTemplates } from './precompiled-templates.js';
import { registerHelpers } from './template-helpers.js';

/** templates/ at the package root, whether running from src/render or dist/render. */
export const builtinTemplatesDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'templates');

const handlebars = Handlebars.create();
registerHelpers(handlebars);

/** The options every template is compiled with, ahead of time or not. */
export const compileOptions = { strict: true, noEscape: true } as const;

export function templateSourceHash(source: string): string {
  return createHash('sha256').update(source).digest('hex');
}

/** A built-in template's precompiled form when it was made from this very text, else a fresh compile. */
function compileSource(file: string, source: string): Handlebars.TemplateDelegate {
  const precompiled = path.dirname(file) === builtinTemplatesDir ? precompiledTemplates.get(path.basename(file)) : undefined;
  if (precompiled !== undefined && precompiled.sourceHash === templateSourceHash(source)) {
    return handlebars.template(precompiled.specification);
  }
  return handlebars.compile(source, compileOptions);
}

export interface CompiledTemplate {
  /** The file it came from, named in errors. */
  file: string;
  render(context: object): string;
}

/** Handlebars' Exception: a message ending in ` - line:column`, and the place (column from 0) when known. */
interface HandlebarsException {
  message: string;
  lineNumber?: number;
  column?: number;
}

const tokenNames: Record<string, string> = { CLOSE: '}}', CLOSE_UNESCAPED: '}}}', OPEN_ENDBLOCK: '{{/', EOF: 'the end of the file', ID: 'a name', OPEN: '{{', CONTENT: 'text' };

/** Handlebars' parse error ("Parse error on line 2: … Expecting 'CLOSE', … got 'EOF'") in words. */
function parseProblem(message: string): { line: number | null; reason: string } {
  const line = /^Parse error on line (\d+):/.exec(message)?.[1];
  const expected = /Expecting (.*), got '([A-Z_]+)'/.exec(message);
  const named = (token: string) => tokenNames[token] ?? token.toLowerCase().replace(/_/g, ' ');
  const tokens = expected === null ? [] : [...expected[1]!.matchAll(/'([A-Z_]+)'/g)].map((match) => match[1]!);
  // An unclosed {{ lists every token that may follow a name; the one meant is nearly always }}.
  const wanted = tokens.includes('CLOSE') ? ['}}'] : [...new Set(tokens.map(named))].slice(0, 3);
  const reason = expected === null ? 'Handlebars cannot parse it' : `Handlebars cannot parse it: expected ${wanted.join(' or ')}, found ${named(expected[2]!)}`;
  return { line: line === undefined ? null : Number(line), reason };
}

/** Why a template failed, in cloudseed's words, at the template's own line and column. */
function templateProblem(cause: unknown): { line: number | null; column: number | null; reason: string } {
  const exception = (cause ?? {}) as HandlebarsException;
  const message = String(exception.message ?? cause).replace(/ - \d+:\d+$/, '');
  const line = typeof exception.lineNumber === 'number' ? exception.lineNumber : null;
  const column = typeof exception.column === 'number' ? exception.column + 1 : null;
  const missing = /^"(.*)" not defined in (.*)$/s.exec(message);
  if (missing !== null) {
    const reason = missing[2] === 'undefined'
      ? `"${missing[1]}" is looked up in a value that is not defined (a name before it in the path is missing)`
      : `"${missing[1]}" is not defined here: the data this template renders has no such name`;
    return { line, column, reason };
  }
  if (message.startsWith('Parse error')) return { ...parseProblem(message), column: null };
  return { line, column, reason: message };
}

function templateError(file: string, cause: unknown): CloudseedError {
  const { line, column, reason } = templateProblem(cause);
  const builtin = path.join(builtinTemplatesDir, path.basename(file));
  const hint = path.dirname(file) === builtinTemplatesDir
    ? 'this is a built-in template: please report it'
    : `compare with the built-in ${builtin}, which renders the same data`;
  return new CloudseedError('TEMPLATE_INVALID', reason, { location: { file, line, column, field: null }, hint, cause });
}

const cache = new Map<string, CompiledTemplate>();

/** Drops every compiled template, so a process that builds again (the library) sees edited files. */
export function forgetCompiledTemplates(): void {
  cache.clear();
}

function compile(file: string): CompiledTemplate {
  const cached = cache.get(file);
  if (cached) return cached;
  const template = compileSource(file, readFileSync(file, 'utf8'));
  const compiled: CompiledTemplate = {
    file,
    render(context) {
      try {
        return template(context);
      } catch (cause) {
        throw templateError(file, cause);
      }
    },
  };
  cache.set(file, compiled);
  return compiled;
}

/** `name` such as `user-data.hbs`, from `userDir` when it has one, else built in. */
export function loadTemplate(name: string, userDir: string | null): CompiledTemplate {
  const userFile = userDir === null ? null : path.join(userDir, name);
  return compile(userFile !== null && existsSync(userFile) ? userFile : path.join(builtinTemplatesDir, name));
}

/**
 * A digest of every template text a VM with templates folder `userDir` renders with (its own files
 * where it has them, else the built-in ones): a rebuild compares it to know whether documents could change.
 */
export function templateSetHash(userDir: string | null): string {
  const digest = createHash('sha256');
  for (const name of readdirSync(builtinTemplatesDir).filter((file) => file.endsWith('.hbs')).sort()) {
    const userFile = userDir === null ? null : path.join(userDir, name);
    const file = userFile !== null && existsSync(userFile) ? userFile : path.join(builtinTemplatesDir, name);
    digest.update(`${name}\0${file === userFile ? 'user' : 'builtin'}\0${readFileSync(file, 'utf8')}\0`);
  }
  return digest.digest('hex');
}
