// The command line: parse arguments, call the library, print. The one place that decides exit codes:
// 0 ok, 2 bad input, 3 an external tool failed, 4 the system refused (I/O), 1 a bug of ours.
import { CloudseedError, formatError, type ErrorCode } from '../errors.js';
import type { PlanningOptions } from '../output/index.js';
import { printable } from '../printable-text.js';
import { parseInvocation, type Invocation } from './parse-invocation.js';
import { createRunOutput, type RunOutput } from './run-output.js';
import { builtVmLines, buildSummary, checkedVmLines, validateSummary } from './run-summary.js';
import { findCommandHelp, formatCommandHelp, optionNamesIn } from './command-help.js';
import { optionProblem } from './option-problems.js';
import { usage } from './usage.js';

const isFleetCommand = (command: string): command is 'up' | 'down' | 'destroy' | 'status' => ['up', 'down', 'destroy', 'status'].includes(command);
import { fleetWarningLines } from './warning-lines.js';

const exitCodes: Record<ErrorCode, number> = {
  SPEC_INVALID: 2,
  USAGE: 2,
  TEMPLATE_INVALID: 2,
  TOOL_MISSING: 3,
  TOOL_FAILED: 3,
  OUTPUT_CONFLICT: 2,
  IO_FAILED: 4,
  HOST_UNREACHABLE: 4,
  HOST_UNREADY: 4,
  DOMAIN_CONFLICT: 2,
  INTERNAL: 1,
};

/** The planning options the command line sets, the same for build, render and validate. */
function planningOptions(invocation: Invocation): PlanningOptions {
  return { outputDir: invocation.outputDir, frozen: invocation.frozen };
}

function targetOptions(invocation: Invocation): { platform: Invocation['platform']; namespace?: string } {
  return { platform: invocation.platform, ...(invocation.namespace === null ? {} : { namespace: invocation.namespace }) };
}

async function validate(invocation: Invocation, output: RunOutput): Promise<void> {
  const { validateSpec } = await import('../output/index.js');
  const { plan, documents } = await validateSpec(invocation.specFile, { ...planningOptions(invocation), ...targetOptions(invocation) });
  for (const line of fleetWarningLines(plan)) output.warn(line);
  if (invocation.json) return output.document((await import('./json-report.js')).validateReport(plan, documents));
  output.summary(validateSummary(plan), () => checkedVmLines(plan));
}

async function build(invocation: Invocation, output: RunOutput): Promise<void> {
  const { buildFleet } = await import('../output/index.js');
  const renderOnly = invocation.command === 'render';
  const result = await buildFleet(invocation.specFile, {
    ...planningOptions(invocation),
    renderOnly,
    ...targetOptions(invocation),
    force: invocation.force,
    prune: invocation.prune,
    lock: { onWait: (holder) => output.notice(`waiting for ${printable(invocation.outputDir)}: another cloudseed run is building into it (${holder})`) },
    onProgress: output.onProgress,
  });
  for (const line of fleetWarningLines(result.plan)) output.warn(line);
  for (const note of result.notes) output.warn(`note: ${printable(note)}`);
  if (invocation.json) return output.document((await import('./json-report.js')).buildReport(result, renderOnly ? 'render' : 'build'));
  const verb = renderOnly ? 'rendered' : 'built';
  output.summary(buildSummary(result, { verb, outputDir: invocation.outputDir, elapsedMs: output.elapsedMs() }), () => builtVmLines(result, verb));
}

/** The global usage, or one command's help; localds and inspect keep their flag lists beside their parsers. */
async function printHelp(topic: string | undefined): Promise<void> {
  const entry = topic === undefined ? undefined : findCommandHelp(topic);
  if (entry === undefined) return console.log(usage);
  const ownUsage = topic === 'localds' ? (await import('./localds.js')).localdsUsage : topic === 'inspect' ? (await import('../inspect/index.js')).inspectUsage : undefined;
  console.log(formatCommandHelp(entry, ownUsage));
}

/** The parseArgs error under a USAGE error, through the wrappers that made it printable. */
function parseArgsCause(error: unknown): unknown {
  for (let cause = error; cause instanceof Error; cause = cause.cause) {
    if (String((cause as NodeJS.ErrnoException).code).startsWith('ERR_PARSE_ARGS')) return cause;
  }
  return undefined;
}

async function inspect(argv: string[]): Promise<void> {
  const { runInspect, inspectUsage } = await import('../inspect/index.js');
  try {
    await runInspect(argv);
  } catch (error) {
    // inspect parses its own flags; what parseArgs said is said again in cloudseed's words.
    const cause = error instanceof CloudseedError && error.code === 'USAGE' ? parseArgsCause(error) : undefined;
    throw cause === undefined ? error : optionProblem(cause, { command: 'inspect', options: optionNamesIn(inspectUsage) });
  }
}

async function schema(argv: string[]): Promise<void> {
  if (argv.length > 0) throw new CloudseedError('USAGE', `schema takes no arguments: unexpected ${argv.join(' ')}`, { hint: 'cloudseed schema > cloudseed.schema.json' });
  process.stdout.write((await import('../spec/json-schema.js')).specJsonSchemaText());
}

/** Runs the command; a command whose goal can be missed without an error (up --wait) returns its exit code. */
async function run(invocation: Invocation): Promise<number | void> {
  if (invocation.command === 'help') return printHelp(invocation.rest[0]);
  // Each command loads only what it uses: start-up time is most of a one-VM build.
  if (invocation.command === 'localds') return (await import('./localds.js')).runLocalds(invocation.rest);
  if (invocation.command === 'inspect') return inspect(invocation.rest);
  if (invocation.command === 'init') return (await import('./init-spec.js')).runInit(invocation.rest);
  if (invocation.command === 'schema') return schema(invocation.rest);
  if (isFleetCommand(invocation.command)) {
    return (await import('./fleet-commands.js')).runFleetCommand(invocation.command, invocation.rest);
  }
  if (invocation.command === 'version') {
    const { createRequire } = await import('node:module');
    return console.log((createRequire(import.meta.url)('../../package.json') as { version: string }).version);
  }
  const output = createRunOutput(invocation);
  try {
    // The pipeline (zod, yaml, handlebars and the rest) is loaded only by the commands that run it.
    await (invocation.command === 'validate' ? validate(invocation, output) : build(invocation, output));
  } finally {
    // Before main prints an error: the progress line must not be left under it.
    output.close();
  }
}

export async function main(argv: string[]): Promise<number> {
  try {
    return (await run(parseInvocation(argv))) ?? 0;
  } catch (error) {
    if (error instanceof CloudseedError) {
      console.error(formatError(error));
      return exitCodes[error.code];
    }
    console.error('cloudseed: internal error (please report it):', error);
    return 1;
  }
}
