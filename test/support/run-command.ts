// External tools in tests: run with an argument array and never throw, so a test can assert on the
// exit code and show the command with its output when it is not the expected one.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';

export interface CommandResult {
  command: string;
  exitCode: number | undefined;
  stdout: string;
  stderr: string;
}

export async function runCommand(file: string, args: readonly string[], options: { input?: string } = {}): Promise<CommandResult> {
  const result = await execa(file, args, { reject: false, stripFinalNewline: false, ...options });
  return {
    command: result.command,
    exitCode: result.exitCode,
    stdout: String(result.stdout),
    stderr: String(result.stderr),
  };
}

/** For assertion messages: the command and everything it printed. */
export function describeRun(result: CommandResult): string {
  return `${result.command}\nexit code: ${result.exitCode}\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`;
}

/** Runs `work` over `items`, at most `limit` at a time, keeping the order of the results. */
export async function mapLimited<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

/**
 * The named variables of a KEY=value file (ifcfg, route-*) as bash sees them after sourcing it, which
 * is how initscripts read them; null for a variable the file does not set.
 */
export async function readShellVariables(text: string, names: readonly string[]): Promise<Record<string, string | null>> {
  const folder = await mkdtemp(path.join(tmpdir(), 'cloudseed-source-'));
  try {
    const file = path.join(folder, 'variables');
    await writeFile(file, text);
    const script = `set -e; . "$1"; shift; for name in "$@"; do if [ -n "\${!name+set}" ]; then printf 'set\\0%s\\0' "\${!name}"; else printf 'unset\\0\\0'; fi; done`;
    const result = await runCommand('bash', ['-c', script, 'bash', file, ...names]);
    if (result.exitCode !== 0) throw new Error(`sourcing failed: ${describeRun(result)}`);
    const fields = result.stdout.split('\0');
    return Object.fromEntries(names.map((name, index) => [name, fields[2 * index] === 'set' ? fields[2 * index + 1]! : null]));
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}
