// The command line read into one Invocation: which command, which spec, and how to report. Every
// mistake in it is a USAGE error (exit 2) with a hint.
import { parseArgs } from 'node:util';
import { CloudseedError } from '../errors.js';
import { isKubernetesLabelName } from '../spec/formats.js';

export interface Invocation {
  command: 'build' | 'render' | 'validate' | 'localds' | 'inspect' | 'up' | 'down' | 'destroy' | 'status' | 'help' | 'version';
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
  /** The arguments after the command, for commands with flags of their own (localds, inspect). */
  rest: string[];
}

const defaults: Omit<Invocation, 'command'> = {
  specFile: '', outputDir: 'out', quiet: false, verbose: false, json: false, force: false, prune: false, frozen: false, platform: 'libvirt', namespace: null, rest: [],
};

function usageError(message: string, hint = 'cloudseed --help lists the options', cause?: unknown): CloudseedError {
  return new CloudseedError('USAGE', message, { hint, cause });
}

function parseOptions(argv: string[]) {
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
    throw usageError((cause as Error).message, undefined, cause);
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

export function parseInvocation(argv: string[]): Invocation {
  // These have flags of their own, parsed by their own modules.
  const own = ['localds', 'inspect', 'up', 'down', 'destroy', 'status'] as const;
  const first = own.find((command) => command === argv[0]);
  if (first !== undefined && !argv.slice(1).some((arg) => arg === '--help' || arg === '-h')) return { ...defaults, command: first, rest: argv.slice(1) };
  const { values, positionals } = parseOptions(argv);
  const { output, help, version, for: platform, namespace, ...flags } = values;
  if (platform !== 'libvirt' && platform !== 'kubevirt') throw usageError(`--for ${JSON.stringify(platform)}: expected libvirt or kubevirt`);
  if (namespace !== undefined && !isKubernetesLabelName(namespace)) {
    throw usageError(`--namespace ${JSON.stringify(namespace)} is not a Kubernetes namespace`, 'expected at most 63 lower-case letters, digits and inner hyphens (RFC 1123)');
  }
  if (namespace !== undefined && platform !== 'kubevirt') throw usageError('--namespace is for KubeVirt manifests', 'add --for kubevirt');
  const base = { ...defaults, ...flags, outputDir: output, platform, namespace: namespace ?? null } as const;
  if (help) return { ...base, command: 'help' };
  if (version) return { ...base, command: 'version' };
  const [command, specFile, ...extra] = positionals;
  if (command !== 'build' && command !== 'render' && command !== 'validate') {
    throw usageError(command === undefined ? 'no command given' : `unknown command "${command}"`, 'cloudseed --help lists the commands');
  }
  if (specFile === undefined) throw usageError(`${command} needs a spec file`, `cloudseed ${command} seeds/centos7-macvtap.yaml`);
  if (extra.length > 0) throw usageError(`unexpected arguments: ${extra.join(' ')}`);
  const invocation: Invocation = { ...base, command, specFile };
  checkCombination(invocation);
  return invocation;
}
