// Runs cloudseed as a user would and captures what it prints: in this process through the exported
// main() (fast), or as the bundled executable `node dist/cli/main.js` in a child process (what users
// run; test/global-setup.ts bundles it from the sources before the tests start).
import { spawn } from 'node:child_process';
import path from 'node:path';
import { format } from 'node:util';
import { fileURLToPath } from 'node:url';
import { vi } from 'vitest';
import { main } from '../../../src/cli/run-cli.js';

export const repositoryRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** node's arguments that start the bundled command line. */
export const cliCommand = [path.join(repositoryRoot, 'dist', 'cli', 'main.js')];

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** main(argv) with console.log/info/warn/error captured; relative paths are from this process's cwd. */
export async function runInProcess(argv: string[]): Promise<CliRun> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const capture = (sink: string[]) => (...args: unknown[]) => {
    sink.push(`${format(...args)}\n`);
  };
  const spies = [
    vi.spyOn(console, 'log').mockImplementation(capture(stdout)),
    vi.spyOn(console, 'info').mockImplementation(capture(stdout)),
    vi.spyOn(console, 'warn').mockImplementation(capture(stderr)),
    vi.spyOn(console, 'error').mockImplementation(capture(stderr)),
  ];
  try {
    const code = await main(argv);
    return { code, stdout: stdout.join(''), stderr: stderr.join('') };
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
}

export interface ChildOptions {
  /** Replaces the whole environment when given (PATH included). */
  env?: NodeJS.ProcessEnv;
  /** The working folder; default: the repository root. */
  cwd?: string;
}

/** `node dist/cli/main.js ...argv` from the repository root (or `cwd`); relative paths are from there. */
export function runChild(argv: string[], options: ChildOptions = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...cliCommand, ...argv], {
      cwd: options.cwd ?? repositoryRoot,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export interface ReportedProblem {
  line: number;
  column: number;
  field: string | null;
  message: string;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The `  <file>:<line>:<column> <field>: <message>` lines of a SPEC_INVALID report about `file`. */
export function reportedProblems(stderr: string, file: string): ReportedProblem[] {
  const pattern = new RegExp(`^  ${escapeRegExp(file)}:(\\d+):(\\d+)(?: (\\S+))?: (.+)$`, 'gm');
  return [...stderr.matchAll(pattern)].map((match) => ({
    line: Number(match[1]),
    column: Number(match[2]),
    field: match[3] ?? null,
    message: match[4] ?? '',
  }));
}

/** The count the report's first line announces: `error: <file> has one problem` / `has 4 problems`. */
export function announcedProblemCount(stderr: string, file: string): number | null {
  const match = new RegExp(`^error: ${escapeRegExp(file)} has (one|\\d+) problems?$`, 'm').exec(stderr);
  if (!match) return null;
  return match[1] === 'one' ? 1 : Number(match[1]);
}

/** A Node stack frame (`    at fn (file:1:2)`) or our own internal-error banner. */
export function looksLikeStackTrace(text: string): boolean {
  return /^\s+at \S.*(:\d+:\d+\)?|<anonymous>\)?)$/m.test(text) || text.includes('internal error');
}
