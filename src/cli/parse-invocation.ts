// The command line read into one Invocation: which command, which spec, and how to report. Every
// mistake in it is a USAGE error (exit 2) with a hint.
import { parseArgs } from 'node:util';
import { CloudseedError } from '../errors.js';
import { isKubernetesLabelName } from '../spec/formats.js';
import { commandNames, optionNames } from './command-help.js';
import { nearestName, optionProblem } from './option-problems.js';

export interface Invocation {
  command: 'build' | 'render' | 'validate' | 'localds' | 'inspect' | 'up' | 'down' | 'destroy' | 'status' | 'init' | 'schema' | 'help' | 'version';
  specFile: string;
  outputDir: string;
  /** Errors only. */
  quiet: boolean;
  /** One line per VM before the summary. */
  verbose: boolean;
  /** One JSON document on stdout instead of lines for people. */
  json: boolean;
  /** Rebuild every VM (build, render). */
  force: boolean;
  /** Delete the files of VMs the spec no longer has (build, render). */
  prune: boolean;
  /** Fail rather than change the allocation lock file (build, render, validate). */
  frozen: boolean;
  /** What the output is for (build, render, validate): libvirt, or KubeVirt manifests. */
  platform: 'libvirt' | 'kubevirt';
  /** The KubeVirt namespace, or null for the spec's. */
  namespace: string | null;
  /** The arguments after the command, for commands with flags of their own (localds, inspect); for help, its topic. */
  rest: string[];
}

const defaults: Omit<Invocation, 'command'> = {
  specFile: '', outputDir: 'out', quiet: false, verbose: false, json: false, force: false, prune: false, frozen: false, platform: 'libvirt', namespace: null, rest: [],
};

function usageError(message: string, hint = 'cloudseed --help lists the options', cause?: unknown): CloudseedError {
  return new CloudseedError('USAGE', message, { hint, cause });
}

function parseOptions(argv: string[], command: string | undefined) {
  try {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        output: { type: 'string', short: 'o', default: 'out' },
        quiet: { type: 'boolean', short: 'q', default: false },
        // No short form: -v is --version, and -V means version to many tools (ssh, curl, python).
        verbose: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        force: { type: 'boolean', default: false },
        prune: { type: 'boolean', default: false },
        frozen: { type: 'boolean', default: false },
        for: { type: 'string', default: 'libvirt' },
        namespace: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
        version: { type: 'boolean', short: 'v', default: false },
      },
    });
  } catch (cause) {
    const known = command === 'build' || command === 'render' || command === 'validate' ? command : 'build';
    throw optionProblem(cause, { command: known, options: optionNames(known) });
  }
}

/** Flags that ask for two different things at once, or for something the command does not do. */
function checkCombination(invocation: Invocation): void {
  if (invocation.verbose && (invocation.quiet || invocation.json)) {
    throw usageError(`--verbose and ${invocation.quiet ? '--quiet' : '--json'} ask for different output`, 'choose one of them');
  }
  if (invocation.command === 'validate' && (invocation.force || invocation.prune)) {
    throw usageError(`validate writes nothing, so ${invocation.force ? '--force' : '--prune'} has nothing to do`, 'it applies to build and render');
  }
}

/** An unknown command, with the nearest one there is. */
function unknownCommand(command: string): CloudseedError {
  const near = nearestName(command, commandNames);
  return usageError(`unknown command "${command}"`, near === undefined ? 'cloudseed --help lists the commands' : `did you mean cloudseed ${near}? (cloudseed --help lists the commands)`);
}

/** `cloudseed help [CMD]`, `cloudseed CMD --help`, `cloudseed --help`: which help, if any is asked for. */
function helpRequest(argv: string[]): Invocation | null {
  const ending = argv.indexOf('--');
  const options = ending === -1 ? argv : argv.slice(0, ending);
  const asked = options.some((arg) => arg === '--help' || arg === '-h');
  const [first, ...after] = argv;
  if (first === 'help') {
    // `help --help` is help about help.
    const [topic, ...extra] = after.map((arg) => (arg === '--help' || arg === '-h' ? 'help' : arg));
    if (extra.length > 0) throw usageError(`help takes one command: unexpected ${extra.join(' ')}`, 'cloudseed help build');
    if (topic !== undefined && !commandNames.includes(topic)) throw unknownCommand(topic);
    return { ...defaults, command: 'help', rest: topic === undefined ? [] : [topic] };
  }
  if (!asked) return null;
  return { ...defaults, command: 'help', rest: first !== undefined && commandNames.includes(first) ? [first] : [] };
}

export function parseInvocation(argv: string[]): Invocation {
  const help = helpRequest(argv);
  if (help !== null) return help;
  // These have flags of their own, parsed by their own modules.
  const own = ['localds', 'inspect', 'up', 'down', 'destroy', 'status', 'init', 'schema'] as const;
  const first = own.find((command) => command === argv[0]);
  if (first !== undefined) return { ...defaults, command: first, rest: argv.slice(1) };
  const { values, positionals } = parseOptions(argv, argv[0]);
  // --help was answered by helpRequest; it stays out of the flags.
  const { output, help: _answered, version, for: platform, namespace, ...flags } = values;
  if (platform !== 'libvirt' && platform !== 'kubevirt') throw usageError(`--for ${JSON.stringify(platform)}: expected libvirt or kubevirt`);
  if (namespace !== undefined && !isKubernetesLabelName(namespace)) {
    throw usageError(`--namespace ${JSON.stringify(namespace)} is not a Kubernetes namespace`, 'expected at most 63 lower-case letters, digits and inner hyphens (RFC 1123)');
  }
  if (namespace !== undefined && platform !== 'kubevirt') throw usageError('--namespace is for KubeVirt manifests', 'add --for kubevirt');
  const base = { ...defaults, ...flags, outputDir: output, platform, namespace: namespace ?? null } as const;
  if (version) return { ...base, command: 'version' };
  const [command, specFile, ...extra] = positionals;
  if (command === undefined) throw usageError('no command given', 'cloudseed --help lists the commands');
  if (command !== 'build' && command !== 'render' && command !== 'validate') throw unknownCommand(command);
  if (specFile === undefined) throw usageError(`${command} needs a spec file`, `cloudseed ${command} seeds/centos7-macvtap.yaml (cloudseed init writes a starter spec)`);
  if (extra.length > 0) throw usageError(`unexpected arguments: ${extra.join(' ')}`, `${command} takes one spec file; cloudseed ${command} --help`);
  const invocation: Invocation = { ...base, command, specFile };
  checkCombination(invocation);
  return invocation;
}
