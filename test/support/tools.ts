// Real third-party tools in tests: on a developer machine a missing tool skips the test and says why;
// in CI (CI=true) a missing tool is a failure, so a green CI run always means the tools really ran.
import { execFileSync } from 'node:child_process';

const found = new Map<string, boolean>();

export function hasTool(command: string): boolean {
  let present = found.get(command);
  if (present === undefined) {
    try {
      execFileSync('sh', ['-c', 'command -v "$1"', 'sh', command], { stdio: 'ignore' });
      present = true;
    } catch {
      present = false;
    }
    found.set(command, present);
  }
  return present;
}

export const inCI = process.env.CI === 'true' || process.env.CI === '1';

/**
 * Returns the tools from `commands` that are missing. Use with `describe.skipIf(missingTools(...).length)`.
 * In CI a missing tool throws at collection time, which fails the run.
 */
export function missingTools(...commands: string[]): string[] {
  const missing = commands.filter((command) => !hasTool(command));
  if (missing.length > 0) {
    const message = `missing tools: ${missing.join(', ')} (install with .ci/run's apt-get line)`;
    if (inCI) throw new Error(`CI=true and ${message}`);
    console.warn(`skipping: ${message}`);
  }
  return missing;
}
