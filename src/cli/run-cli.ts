// The command line: parse arguments, call the library, print. The one place that decides exit codes:
// 0 ok, 2 bad input, 3 an external tool failed, 4 the system refused (I/O), 1 a bug of ours.
import { parseArgs } from 'node:util';
import { CloudseedError, formatError, type ErrorCode } from '../errors.js';
import type { FleetPlan } from '../plan/index.js';
import { printable } from '../printable-text.js';
import { warningLines } from './warning-lines.js';

const usage = `Usage: cloudseed <command> [options]

Commands:
  build <spec.yaml> [-o DIR]     render, pack my-seed.img, write domain.xml and qemu.sh for every VM (DIR: out)
  render <spec.yaml> [-o DIR]    write user-data, meta-data, network-config, domain.xml, qemu.sh; no seed
  validate <spec.yaml>           check the spec and render it in memory; write nothing
  localds [options] output user-data [meta-data]
                                 a drop-in for cloud-localds (see cloudseed localds --help)
  inspect <image> [--json] [--print NAME | --extract DIR]
                                 a seed image's format, label and files (see cloudseed inspect --help)

Options:
  -o, --output DIR   output folder (default: out)
  -q, --quiet        print errors only
      --json         build, render, validate: one JSON document on stdout (every VM with its status,
                     files, addresses, MACs, instance-id and warnings), nothing else there
  -h, --help         this text
  -v, --version      cloudseed's version

Environment:
  SOURCE_DATE_EPOCH      timestamps for reproducible seed images
  CLOUDSEED_SALT_SECRET  keys password salts (default: this machine's secret, made on first use in
                         $XDG_CONFIG_HOME/cloudseed/salt-secret)

Exit codes:
  0  done
  2  bad input: the spec, a file it names, a template, the command line, or an output folder
     holding something cloudseed did not write
  3  an external tool is missing or failed
  4  the system refused: a full disk, a read-only folder, an output folder locked too long
  1  a bug in cloudseed (please report it)`;

const exitCodes: Record<ErrorCode, number> = {
  SPEC_INVALID: 2,
  USAGE: 2,
  TEMPLATE_INVALID: 2,
  TOOL_MISSING: 3,
  TOOL_FAILED: 3,
  OUTPUT_CONFLICT: 2,
  IO_FAILED: 4,
  INTERNAL: 1,
};

interface Invocation {
  command: 'build' | 'render' | 'validate' | 'localds' | 'inspect' | 'help' | 'version';
  specFile: string;
  outputDir: string;
  quiet: boolean;
  /** One JSON document on stdout instead of lines for people. */
  json: boolean;
  /** The arguments after the command, for commands with flags of their own (localds). */
  rest: string[];
}

function parseInvocation(argv: string[]): Invocation {
  // These two have flags of their own, parsed by their own modules.
  if (argv[0] === 'localds' || argv[0] === 'inspect') {
    return { command: argv[0], specFile: '', outputDir: '', quiet: false, json: false, rest: argv.slice(1) };
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        output: { type: 'string', short: 'o', default: 'out' },
        quiet: { type: 'boolean', short: 'q', default: false },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
        version: { type: 'boolean', short: 'v', default: false },
      },
    });
  } catch (cause) {
    throw new CloudseedError('USAGE', (cause as Error).message, { hint: 'cloudseed --help lists the options', cause });
  }
  const { values, positionals } = parsed;
  const base = { specFile: '', outputDir: values.output, quiet: values.quiet, json: values.json, rest: [] };
  if (values.help) return { ...base, command: 'help' };
  if (values.version) return { ...base, command: 'version' };
  const [command, specFile, ...extra] = positionals;
  if (command !== 'build' && command !== 'render' && command !== 'validate') {
    throw new CloudseedError('USAGE', command === undefined ? 'no command given' : `unknown command "${command}"`, { hint: 'cloudseed --help lists the commands' });
  }
  if (specFile === undefined) throw new CloudseedError('USAGE', `${command} needs a spec file`, { hint: `cloudseed ${command} seeds/centos7-macvtap.yaml` });
  if (extra.length > 0) throw new CloudseedError('USAGE', `unexpected arguments: ${extra.join(' ')}`);
  return { ...base, command, specFile };
}

function summarize(plan: FleetPlan, verb: string): string {
  const lines: string[] = [];
  for (const vm of plan.vms) {
    const addresses = vm.network.nics
      .map((nic) => `${nic.device} ${nic.macAddress} ${nic.addressing.kind === 'static' ? `${nic.addressing.address}/${nic.addressing.prefix}` : 'dhcp'}`)
      .join(', ');
    lines.push(`${verb} ${vm.name}${addresses ? `: ${addresses}` : ''}`);
  }
  return lines.join('\n');
}

async function run(invocation: Invocation): Promise<void> {
  const print = (text: string) => {
    if (!invocation.quiet && !invocation.json && text) console.log(text);
  };
  // Warnings go to stderr, so that stdout holds only what was built and a pipe gets nothing else.
  const warn = (plan: FleetPlan) => {
    if (!invocation.quiet) for (const line of warningLines(plan.warnings)) console.error(line);
  };
  if (invocation.command === 'help') return console.log(usage);
  // Each command loads only what it uses: start-up time is most of a one-VM build.
  if (invocation.command === 'localds') return (await import('./localds.js')).runLocalds(invocation.rest);
  if (invocation.command === 'inspect') return (await import('../inspect/index.js')).runInspect(invocation.rest);
  if (invocation.command === 'version') {
    const { createRequire } = await import('node:module');
    return console.log((createRequire(import.meta.url)('../../package.json') as { version: string }).version);
  }
  // The pipeline (zod, yaml, handlebars and the rest) is loaded only by the commands that run it.
  const { buildFleet, validateSpec } = await import('../output/index.js');
  if (invocation.command === 'validate') {
    const { plan, documents } = await validateSpec(invocation.specFile, { outputDir: invocation.outputDir });
    warn(plan);
    if (invocation.json) return console.log((await import('./json-report.js')).validateReport(plan, documents));
    return print(`${summarize(plan, 'ok')}\n${invocation.specFile}: ${plan.vms.length} VM(s), no problems`);
  }
  const renderOnly = invocation.command === 'render';
  const result = await buildFleet(invocation.specFile, {
    outputDir: invocation.outputDir,
    renderOnly,
    lock: { onWait: (holder) => console.error(`waiting for ${printable(invocation.outputDir)}: another cloudseed run is building into it (${holder})`) },
  });
  warn(result.plan);
  if (invocation.json) console.log((await import('./json-report.js')).buildReport(result, renderOnly));
  print(summarize(result.plan, renderOnly ? 'rendered' : 'built'));
  for (const note of result.notes) console.error(`note: ${printable(note)}`);
  print(`wrote ${result.vms.length} VM folder(s) and ${result.manifestPath}`);
}

export async function main(argv: string[]): Promise<number> {
  try {
    await run(parseInvocation(argv));
    return 0;
  } catch (error) {
    if (error instanceof CloudseedError) {
      console.error(formatError(error));
      return exitCodes[error.code];
    }
    console.error('cloudseed: internal error (please report it):', error);
    return 1;
  }
}
