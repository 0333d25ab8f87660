// PATH set-ups for failure tests: fake programs in front of the real ones, or no programs at all.
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { vi } from 'vitest';
import { findCommand } from '../../../src/pack/run-tool.js';

const fixtures = fileURLToPath(new URL('../fixtures/', import.meta.url));

/** Every packing program exits 3 after 25 numbered lines on stderr (`<program>: error line N`). */
export const failingToolsDirectory = path.join(fixtures, 'failing-tools');
/** qemu-img exits 2 with its complaint on stdout only. */
export const stdoutOnlyToolsDirectory = path.join(fixtures, 'stdout-only-tools');

/** Puts `directory` in front of PATH until `restorePath`. */
export function prependToPath(directory: string): void {
  vi.stubEnv('PATH', `${directory}${path.delimiter}${process.env.PATH ?? ''}`);
}

/** An empty PATH: only /usr/sbin and /sbin remain, which the pack stage always searches. */
export function emptyPath(): void {
  vi.stubEnv('PATH', '');
}

export function restorePath(): void {
  vi.unstubAllEnvs();
}

/**
 * A directory holding links to only the named real programs, for PATH set-ups where some are missing.
 * Returns the directory and a function that removes it.
 */
export async function directoryWithOnly(
  programs: readonly string[],
): Promise<{ directory: string; remove: () => Promise<void> }> {
  const directory = await mkdtemp(path.join(tmpdir(), 'cloudseed-path-'));
  for (const program of programs) {
    const real = await findCommand(program);
    if (real === null) throw new Error(`${program} is not installed`);
    await symlink(real, path.join(directory, program));
  }
  return { directory, remove: () => rm(directory, { recursive: true, force: true }) };
}
