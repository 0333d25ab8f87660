// One error class for everything cloudseed reports to people: a stable code, a sentence, where it
// happened, a hint, and the original error as `cause`. The CLI maps codes to exit statuses.
import { printable } from './printable-text.js';

export type ErrorCode =
  | 'SPEC_INVALID' // the spec (or a file it names) is wrong: exit 2
  | 'USAGE' // the command line is wrong: exit 2
  | 'TEMPLATE_INVALID' // a template rendered a document that does not parse: exit 2
  | 'TOOL_MISSING' // an external program is not installed: exit 3
  | 'TOOL_FAILED' // an external program ran and failed: exit 3
  | 'OUTPUT_CONFLICT' // the output folder holds something cloudseed did not write, or is unsafe: exit 2
  | 'IO_FAILED' // the system refused: a full disk, a read-only folder, a lock held too long: exit 4
  | 'HOST_UNREACHABLE' // a libvirt connection failed: no daemon, a remote host that refuses: exit 4
  | 'HOST_UNREADY' // the host lacks what the spec needs and does not create: a bridge, a pool: exit 4
  | 'DOMAIN_CONFLICT' // a libvirt domain of that name is not this fleet's: exit 2
  | 'INTERNAL'; // our bug: exit 1

/** Where in a user's file a problem is: `fleet.yaml:14:7 vms[2].network.address`. */
export interface SourceLocation {
  file: string;
  line: number | null;
  column: number | null;
  /** The field's path in the document, e.g. `vms[2].network.nics[0].address`. */
  field: string | null;
}

/** One thing wrong with the input; validation collects all of them before failing. */
export interface Problem {
  location: SourceLocation;
  message: string;
}

export interface CloudseedErrorOptions {
  location?: SourceLocation;
  hint?: string;
  problems?: Problem[];
  cause?: unknown;
}

export class CloudseedError extends Error {
  readonly code: ErrorCode;
  readonly location: SourceLocation | null;
  readonly hint: string | null;
  readonly problems: Problem[];

  constructor(code: ErrorCode, message: string, options: CloudseedErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CloudseedError';
    this.code = code;
    this.location = options.location ?? null;
    this.hint = options.hint ?? null;
    this.problems = options.problems ?? [];
  }
}

/** The place a problem is, as people read it; control characters in the file name or field are escaped. */
export function formatLocation(location: SourceLocation): string {
  let place = printable(location.file);
  if (location.line !== null) {
    place += `:${location.line}`;
    if (location.column !== null) place += `:${location.column}`;
  }
  return location.field ? `${place} ${printable(location.field)}` : place;
}

/**
 * The text a person reads: every problem on its own line, then the hint. Every part is escaped here,
 * in the one place errors become text, so no value from a spec reaches the terminal raw.
 */
export function formatError(error: CloudseedError): string {
  const lines: string[] = [];
  const message = printable(error.message);
  lines.push(`error: ${error.location ? `${formatLocation(error.location)}: ${message}` : message}`);
  for (const problem of error.problems) {
    lines.push(`  ${formatLocation(problem.location)}: ${printable(problem.message)}`);
  }
  if (error.hint) lines.push(`hint: ${printable(error.hint)}`);
  return lines.join('\n');
}

/** One SPEC_INVALID error carrying every problem found (at least one). */
export function problemsError(problems: Problem[], what: string): CloudseedError {
  const count = problems.length === 1 ? 'one problem' : `${problems.length} problems`;
  // In the order of the file, as an editor shows them, not in the order the checks found them.
  const ordered = [...problems].sort(
    (a, b) => (a.location.line ?? 0) - (b.location.line ?? 0) || (a.location.column ?? 0) - (b.location.column ?? 0),
  );
  return new CloudseedError('SPEC_INVALID', `${what} has ${count}`, { problems: ordered });
}

/** Throws problemsError when there are problems, or returns when there are none. */
export function throwIfProblems(problems: Problem[], what: string): void {
  if (problems.length > 0) throw problemsError(problems, what);
}
