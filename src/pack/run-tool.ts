// Runs the external programs behind the packers: always an argument array through execa, never a shell
// string, and every failure becomes a CloudseedError that says what ran, how it ended and how to fix it.
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import path from 'node:path';
import type { ExecaError } from 'execa';
import { CloudseedError } from '../errors.js';
import { aptInstallHint, debianPackageByProgram, type ToolProgram } from './tool-programs.js';

/** How many trailing lines of a failed program's stderr its TOOL_FAILED message quotes. */
const stderrTailLines = 20;

// Debian installs mkfs.vfat in /usr/sbin, which is not on a normal user's PATH although the program
// needs no root to format an image file. Search there too, and hand the same PATH to the programs we
// run, because cloud-localds looks for mkfs.vfat itself.
const systemDirectories = ['/usr/sbin', '/sbin'];

export interface RunToolOptions {
  cwd?: string;
  /** Variables added to the inherited environment; `undefined` removes one. */
  env?: Readonly<Record<string, string | undefined>>;
}

export interface ToolOutput {
  stdout: string;
  stderr: string;
}

/** Runs `program` with `args`; throws TOOL_MISSING if it is not installed and TOOL_FAILED if it fails. */
export async function runTool(
  program: ToolProgram,
  args: readonly string[],
  options: RunToolOptions = {},
): Promise<ToolOutput> {
  const executable = await findCommand(program);
  if (executable === null) throw toolMissingError(program);
  // Loaded here, not at the top: execa and its dependencies cost ~60 ms of start-up, and the native
  // packers, which most builds use, never start a program.
  const { execa, ExecaError: ExecaErrorClass } = await import('execa');
  try {
    const result = await execa(executable, args, {
      cwd: options.cwd,
      env: { ...options.env, PATH: searchDirectories().join(path.delimiter) },
      stdin: 'ignore',
    });
    return { stdout: result.stdout, stderr: result.stderr };
  } catch (error) {
    if (!(error instanceof ExecaErrorClass)) throw error;
    // The program can vanish between the PATH search and the spawn.
    if (error.code === 'ENOENT') throw toolMissingError(program, error);
    throw toolFailedError(error);
  }
}

/**
 * Which `program` would run: its path, size and mtime, or that it is missing. An upgrade changes the
 * file, so a rebuild can tell that a seed made with the old program would not be made the same way.
 */
export async function toolIdentity(program: ToolProgram): Promise<string> {
  const executable = await findCommand(program);
  if (executable === null) return `${program}: missing`;
  const info = await stat(executable);
  return `${executable}: ${info.size} bytes, modified ${info.mtimeMs}`;
}

/** Whether `name` is an executable file on PATH (or in /usr/sbin, /sbin). Answers are cached per PATH. */
export async function isCommandAvailable(name: string): Promise<boolean> {
  return (await findCommand(name)) !== null;
}

const foundCommands = new Map<string, Promise<string | null>>();

/** The absolute path of the executable `name`, or null. */
export function findCommand(name: string): Promise<string | null> {
  const key = `${process.env.PATH ?? ''}\0${name}`;
  let found = foundCommands.get(key);
  if (found === undefined) {
    found = searchExecutable(name, searchDirectories());
    foundCommands.set(key, found);
  }
  return found;
}

function searchDirectories(): string[] {
  // Relative entries (an empty one means the working directory) would run whatever lies where we
  // happen to stand, so only absolute directories count.
  const fromPath = (process.env.PATH ?? '').split(path.delimiter).filter((entry) => path.isAbsolute(entry));
  return [...new Set([...fromPath, ...systemDirectories])];
}

async function searchExecutable(name: string, directories: readonly string[]): Promise<string | null> {
  for (const directory of directories) {
    const candidate = path.join(directory, name);
    if (await isExecutableFile(candidate)) return candidate;
  }
  return null;
}

async function isExecutableFile(candidate: string): Promise<boolean> {
  try {
    await access(candidate, constants.X_OK);
    return (await stat(candidate)).isFile();
  } catch {
    return false;
  }
}

function toolMissingError(program: ToolProgram, cause?: unknown): CloudseedError {
  const debianPackage = debianPackageByProgram[program];
  return new CloudseedError(
    'TOOL_MISSING',
    `${program} is not installed (it comes with the Debian package ${debianPackage})`,
    { hint: aptInstallHint([debianPackage]), cause },
  );
}

function toolFailedError(error: ExecaError): CloudseedError {
  return new CloudseedError('TOOL_FAILED', `${error.escapedCommand} ${describeEnding(error)}:\n${outputTail(error)}`, {
    cause: error,
  });
}

function describeEnding(error: ExecaError): string {
  if (error.exitCode !== undefined) return `failed with exit code ${error.exitCode}`;
  if (error.signal !== undefined) return `was killed by ${error.signal}`;
  return `failed (${error.originalMessage})`;
}

/** The last lines of stderr, or of stdout for programs that report errors there. */
function outputTail(error: ExecaError): string {
  const output = textOf(error.stderr).trim() || textOf(error.stdout).trim();
  if (output === '') return '  (the program printed nothing)';
  return output
    .split('\n')
    .slice(-stderrTailLines)
    .map((line) => `  ${line}`)
    .join('\n');
}

function textOf(output: unknown): string {
  return typeof output === 'string' ? output : '';
}
