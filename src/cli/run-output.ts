// Where a run's words go. stdout: the summary line and the --verbose lines, or with --json the document
// alone. stderr: warnings and notes (not with --quiet), and on a terminal the progress line, which is
// erased before anything else is printed there so that no line is left half overwritten.
import { performance } from 'node:perf_hooks';
import type { BuildProgress } from '../output/index.js';
import type { Invocation } from './parse-invocation.js';
import { startProgressLine, type ProgressLine } from './progress-line.js';

export interface RunOutput {
  /** Milliseconds since the run started. */
  elapsedMs(): number;
  /** For BuildOptions.onProgress; undefined when no line is drawn (not a terminal, --quiet, --json). */
  onProgress: ((progress: BuildProgress) => void) | undefined;
  /** The summary line, with --verbose the lines before it. */
  summary(line: string, verboseLines: () => string[]): void;
  /** The --json document: the whole of stdout. */
  document(text: string): void;
  /** Warnings and notes: stderr, dropped with --quiet. */
  warn(line: string): void;
  /** What must be said even with --quiet (a run waiting for another): stderr. */
  notice(line: string): void;
  /** Erases the progress line for good: before an error is printed, and at the end. */
  close(): void;
}

/** The stream the progress line is drawn on: process.stderr, or a stand-in in tests. */
export type ProgressStream = Pick<NodeJS.WriteStream, 'isTTY' | 'columns' | 'write'>;

export function createRunOutput(invocation: Invocation, stderr: ProgressStream = process.stderr): RunOutput {
  const startedAt = performance.now();
  const forPeople = !invocation.quiet && !invocation.json;
  const progress: ProgressLine | null = forPeople && stderr.isTTY === true
    ? startProgressLine({
      terminal: { write: (text) => stderr.write(text), get columns() { return stderr.columns; } },
      now: () => performance.now(),
      startedAt,
      buildVerb: invocation.command === 'render' ? 'rendering' : 'building',
    })
    : null;
  const toStderr = (line: string) => {
    progress?.erase();
    console.error(line);
  };
  const close = () => progress?.stop();
  if (progress !== null && stderr === process.stderr) {
    // Ctrl-C: the line goes before the prompt comes back. The output folder is left as any killed run
    // leaves it: the whole previous build, and leftovers the next run removes.
    process.once('SIGINT', () => {
      close();
      process.exit(130);
    });
  }
  return {
    elapsedMs: () => performance.now() - startedAt,
    onProgress: progress ? (update) => progress.update(update) : undefined,
    summary(line, verboseLines) {
      if (!forPeople) return;
      close();
      if (invocation.verbose) for (const detail of verboseLines()) console.log(detail);
      console.log(line);
    },
    document: (text) => console.log(text),
    warn(line) {
      if (!invocation.quiet) toStderr(line);
    },
    notice: toStderr,
    close,
  };
}
