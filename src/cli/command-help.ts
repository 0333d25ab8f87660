// `cloudseed help CMD` and `cloudseed CMD --help`: each command's usage, a real example, its options in
// groups, and its exit codes. The option lists here are also where unknown options find their nearest
// valid spelling (option-problems.ts), so a command's options are written down once for people.

export interface HelpOption {
  /** As shown, e.g. `-o, --output DIR`; the names are read from it. */
  flags: string;
  text: string;
}

export interface CommandHelp {
  name: string;
  usage: string;
  summary: string;
  /** Command lines that run as shown from a checkout of cloudseed (the tests run some of them). */
  examples: string[];
  groups: { title: string; options: HelpOption[] }[];
  exitCodes: string[];
}

const output: HelpOption = { flags: '-o, --output DIR', text: 'output folder (default: out)' };
const help: HelpOption = { flags: '-h, --help', text: 'this text' };
const quiet: HelpOption = { flags: '-q, --quiet', text: 'print errors only' };
const verbose: HelpOption = { flags: '--verbose', text: 'also print one line per VM: built, kept or removed, with its NICs' };
const json: HelpOption = { flags: '--json', text: 'one JSON document on stdout (every VM with its status, files, addresses, MACs), nothing else there' };
const frozen: HelpOption = { flags: '--frozen', text: 'exit 2 if the build would change the allocation lock file' };
const target: HelpOption[] = [
  { flags: '--for P', text: 'libvirt (default), or kubevirt: VirtualMachine manifests and a kustomization in DIR/kubevirt/' },
  { flags: '--namespace NS', text: "with --for kubevirt: the objects' namespace (default: the spec's kubevirt.namespace)" },
];
const rebuild: HelpOption[] = [
  { flags: '--force', text: 'rebuild every VM, also those unchanged since the last build' },
  { flags: '--prune', text: 'delete the files of VMs no longer in the spec (default: keep them)' },
];
const connect: HelpOption = { flags: '--connect URI', text: 'libvirt URI for VMs whose spec names none (default qemu:///system)' };
const fleetOutput: HelpOption = { flags: '-o, --output DIR', text: 'the output folder of SPEC (default: out); not needed with OUT' };
const fleetTimeout = (seconds: number, what: string): HelpOption => ({ flags: '--timeout S', text: `${what} (default ${seconds})` });

const badInput = '2  bad input: the spec, a file it names, a template, the command line, or an output folder holding something cloudseed did not write';
const tool = '3  an external tool is missing or failed';
const system = '4  the system refused: a full disk, a read-only folder, a lock held too long';
const libvirtSystem = '4  libvirt unreachable, or a bridge, device or storage pool the fleet needs is missing';
const bug = '1  a bug in cloudseed (please report it)';
const done = '0  done';

const spec = 'SPEC: a cloudseed spec (cloudseed init writes a starter; cloudseed schema prints its JSON Schema)';

export const commandHelps: readonly CommandHelp[] = [
  {
    name: 'build',
    usage: 'cloudseed build <spec.yaml> [-o DIR] [options]',
    summary: `Render every VM's cloud-init documents, pack its seed image, and write domain.xml and qemu.sh. ${spec}.`,
    examples: ['cloudseed build seeds/centos7-macvtap.yaml -o out/', 'SOURCE_DATE_EPOCH=1700000000 cloudseed build seeds/fleet-ci-runners.yaml -o out/ --verbose'],
    groups: [
      { title: 'Output', options: [output, ...rebuild, frozen] },
      { title: 'Target', options: target },
      { title: 'Reporting', options: [quiet, verbose, json, help] },
    ],
    exitCodes: [done, `${badInput}; with --frozen, a change to the lock file`, tool, system, bug],
  },
  {
    name: 'render',
    usage: 'cloudseed render <spec.yaml> [-o DIR] [options]',
    summary: 'Like build, but write the documents (user-data, meta-data, network-config, domain.xml, qemu.sh) without packing a seed image.',
    examples: ['cloudseed render seeds/debian12-netplan.yaml -o out/'],
    groups: [
      { title: 'Output', options: [output, ...rebuild, frozen] },
      { title: 'Target', options: target },
      { title: 'Reporting', options: [quiet, verbose, json, help] },
    ],
    exitCodes: [done, badInput, system, bug],
  },
  {
    name: 'validate',
    usage: 'cloudseed validate <spec.yaml> [options]',
    summary: 'Check the spec and render every document in memory; write nothing.',
    examples: ['cloudseed validate seeds/fleet-web-pattern.yaml'],
    groups: [
      { title: 'Checks', options: [{ ...output, text: 'the output folder whose allocation lock file is checked (default: out)' }, frozen] },
      { title: 'Target', options: target },
      { title: 'Reporting', options: [quiet, verbose, json, help] },
    ],
    exitCodes: [done, badInput, bug],
  },
  {
    name: 'init',
    usage: 'cloudseed init [FILE] [--fleet]',
    summary: 'Write a commented starter spec to FILE (default: cloudseed.yaml) that builds as it is. An existing file is never replaced.',
    examples: ['cloudseed init', 'cloudseed init fleet.yaml --fleet && cloudseed build fleet.yaml -o out/'],
    groups: [{ title: 'Options', options: [{ flags: '--fleet', text: 'a fleet from a pattern (web-{01..03}) with addresses from a pool, instead of one VM' }, help] }],
    exitCodes: [done, '2  FILE exists already, or its folder does not', system, bug],
  },
  {
    name: 'schema',
    usage: 'cloudseed schema',
    summary: "Print the spec's JSON Schema (draft-07) for editors and other tools. The package ships the same file as schema/cloudseed.schema.json.",
    examples: ['cloudseed schema > cloudseed.schema.json'],
    groups: [{ title: 'Options', options: [help] }],
    exitCodes: [done, bug],
  },
  {
    name: 'localds',
    usage: 'cloudseed localds [options] output user-data [meta-data]',
    summary: 'A drop-in for cloud-localds (cloud-image-utils): the same flags, the same image content. See cloudseed localds --help for its flags.',
    examples: ['cloudseed localds -f vfat -H vm1 seed.img user-data'],
    groups: [],
    exitCodes: [done, '2  bad input: a missing input file, an unknown flag, an output that is one of the inputs', tool, system, bug],
  },
  {
    name: 'inspect',
    usage: 'cloudseed inspect <image> [--json] [--print NAME | --extract DIR]',
    summary: "A seed image's format, label and files (ISO 9660, FAT, tar, qcow2). See cloudseed inspect --help for its flags.",
    examples: ['cloudseed inspect out/vm3/my-seed.img --print user-data'],
    groups: [],
    exitCodes: [done, '2  not a seed image cloudseed can read, or a bad command line', system, bug],
  },
  {
    name: 'up',
    usage: 'cloudseed up <spec.yaml|OUT> [vm…] [options]',
    summary: "Build, make overlays and host networks, define and start the VMs on libvirt. With OUT, the spec is the one that folder's manifest names.",
    examples: ['cloudseed up seeds/debian12-netplan.yaml -o out/ --wait'],
    groups: [
      { title: 'Where', options: [fleetOutput, connect] },
      {
        title: 'What',
        options: [
          { flags: '--wait', text: "wait for each guest's cloud-init to report (needs domain.statusChannel)" },
          { flags: '--timeout S', text: 'seconds --wait waits (default 900), and a restart waits before a forced stop (default 60)' },
          { flags: '--restart', text: 'restart running VMs whose definition changed' },
          { flags: '--reset-disk', text: "make the VMs' overlays again (their disks are lost)" },
          { flags: '--adopt', text: 'take over same-named domains cloudseed did not define for this fleet' },
        ],
      },
      { title: 'Reporting', options: [quiet, { ...json, text: 'one JSON document on stdout' }, help] },
    ],
    exitCodes: [done, `${badInput}; a domain of that name that is not this fleet's`, tool, `${system}; ${libvirtSystem.slice(3)}`, "5  --wait: a guest's cloud-init reported an error or did not report in time", bug],
  },
  {
    name: 'status',
    usage: 'cloudseed status <spec.yaml|OUT> [vm…] [options]',
    summary: "Each VM's state, addresses and cloud-init result.",
    examples: ['cloudseed status out/ --json'],
    groups: [
      { title: 'Where', options: [fleetOutput, connect] },
      { title: 'What', options: [fleetTimeout(5, 'seconds to wait for a running guest to report')] },
      { title: 'Reporting', options: [quiet, { ...json, text: 'one JSON document on stdout' }, help] },
    ],
    exitCodes: [done, badInput, tool, libvirtSystem, bug],
  },
  {
    name: 'down',
    usage: 'cloudseed down <spec.yaml|OUT> [vm…] [options]',
    summary: 'Shut the VMs down, forced off after --timeout seconds; with no VM named, also remove the host networks cloudseed made.',
    examples: ['cloudseed down out/ vm3 --timeout 30'],
    groups: [
      { title: 'Where', options: [fleetOutput, connect] },
      { title: 'What', options: [fleetTimeout(60, 'seconds before a forced stop')] },
      { title: 'Reporting', options: [quiet, { ...json, text: 'one JSON document on stdout' }, help] },
    ],
    exitCodes: [done, badInput, tool, libvirtSystem, bug],
  },
  {
    name: 'destroy',
    usage: 'cloudseed destroy <spec.yaml|OUT> [vm…] [options]',
    summary: 'down, then undefine the VMs; --remove-disks also removes the overlays and seeds up made.',
    examples: ['cloudseed destroy seeds/debian12-netplan.yaml -o out/ --remove-disks'],
    groups: [
      { title: 'Where', options: [fleetOutput, connect] },
      { title: 'What', options: [fleetTimeout(60, 'seconds before a forced stop'), { flags: '--remove-disks', text: 'also remove what up made: overlays and uploaded seeds' }] },
      { title: 'Reporting', options: [quiet, { ...json, text: 'one JSON document on stdout' }, help] },
    ],
    exitCodes: [done, badInput, tool, libvirtSystem, bug],
  },
  {
    name: 'help',
    usage: 'cloudseed help [command]',
    summary: "Every command in one list, or one command's usage, example, options and exit codes.",
    examples: ['cloudseed help build'],
    groups: [],
    exitCodes: [done, '2  no such command'],
  },
];

export const commandNames: readonly string[] = commandHelps.map((entry) => entry.name);

export function findCommandHelp(name: string): CommandHelp | undefined {
  return commandHelps.find((entry) => entry.name === name);
}

/** The long option names (without dashes) a help text shows. */
export function optionNamesIn(text: string): string[] {
  return [...new Set([...text.matchAll(/--([a-z][a-z-]*)/g)].map((match) => match[1]!))];
}

/** The long option names a command takes, without dashes, read from its help. */
export function optionNames(command: string): string[] {
  return optionNamesIn(findCommandHelp(command)?.groups.flatMap((group) => group.options.map((option) => option.flags)).join(' ') ?? '');
}

const column = 20;
const width = 100;

/** `text` broken at spaces into lines of at most `width` characters, every line after the first indented. */
function wrap(text: string, indent: number, firstIndent = indent): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    const room = width - (lines.length === 0 ? firstIndent : indent);
    if (line !== '' && line.length + 1 + word.length > room) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  lines.push(line);
  return lines.join(`\n${' '.repeat(indent)}`);
}

function optionLine(option: HelpOption): string {
  const flags = option.flags.startsWith('--') ? `    ${option.flags}` : `${option.flags}`;
  return `  ${flags.padEnd(column)} ${wrap(option.text, column + 3)}`;
}

/**
 * The help text a person reads. `ownUsage` is the usage text of a command that keeps its own flag list
 * beside its parser (localds, inspect); it replaces the usage, summary and option groups.
 */
export function formatCommandHelp(entry: CommandHelp, ownUsage?: string): string {
  const head = ownUsage === undefined ? [`Usage: ${entry.usage}`, `  ${wrap(entry.summary, 2)}`] : [ownUsage];
  const parts = [...head, `Example${entry.examples.length > 1 ? 's' : ''}:\n${entry.examples.map((line) => `  ${line}`).join('\n')}`];
  if (ownUsage === undefined) for (const group of entry.groups) parts.push(`${group.title}:\n${group.options.map(optionLine).join('\n')}`);
  parts.push(`Exit codes:\n${entry.exitCodes.map((line) => `  ${wrap(line, 5)}`).join('\n')}`);
  return parts.join('\n\n');
}
