// Per-command help (`cloudseed help CMD`, `cloudseed CMD --help`): a usage, a real example, options in
// groups, exit codes; and a command line cloudseed refuses, answered in its own words with the nearest
// option or command. The examples of the commands that need no libvirt are run as shown.
import { existsSync } from 'node:fs';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandHelps, commandNames, findCommandHelp } from '../../src/cli/command-help.js';
import { nearestName } from '../../src/cli/option-problems.js';
import { looksLikeStackTrace, repositoryRoot, runChild, runInProcess, type CliRun } from './support/run-cloudseed.js';

describe.each(commandNames)('cloudseed help %s', (command) => {
  it('prints the same text as --help and -h, with a usage, an example and the exit codes, exit 0', async () => {
    const runs = [await runInProcess(['help', command]), await runInProcess([command, '--help']), await runInProcess([command, '-h'])];
    for (const run of runs) {
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).toBe('');
      expect(run.stdout).toBe(runs[0]!.stdout);
    }
    const text = runs[0]!.stdout;
    expect(text).toMatch(new RegExp(`^Usage: cloudseed ${command}`, 'm'));
    expect(text).toMatch(/^Examples?:\n {2}\S*cloudseed /m);
    expect(text).toMatch(/^Exit codes:\n {2}0 {2}\S/m);
    expect(text).not.toContain('Commands:');
  });
});

describe('the help texts', () => {
  it('group the options of every command that takes options of its own', () => {
    for (const name of ['build', 'render', 'validate', 'up', 'status', 'down', 'destroy', 'init']) {
      expect(findCommandHelp(name)!.groups.length, name).toBeGreaterThan(0);
    }
  });

  it('keep every line within 100 columns', async () => {
    for (const command of commandNames.filter((name) => name !== 'localds' && name !== 'inspect')) {
      const { stdout } = await runInProcess(['help', command]);
      for (const line of stdout.split('\n')) expect(line.length, `${command}: ${line}`).toBeLessThanOrEqual(100);
    }
  });

  it('print the global usage for help alone, naming init, schema and help', async () => {
    const run = await runInProcess(['help']);
    expect(run.code).toBe(0);
    for (const command of ['init', 'schema', 'help [command]']) expect(run.stdout).toContain(`  ${command}`);
  });
});

/** `cloudseed ...` as a shell would run an example line, from `cwd`. */
function runExample(line: string, cwd: string): Promise<CliRun> {
  const [assignments, rest] = /^((?:[A-Z_]+=\S+ )*)cloudseed (.*)$/.exec(line)!.slice(1) as [string, string];
  const env = { ...process.env, ...Object.fromEntries(assignments.trim().split(' ').filter(Boolean).map((pair) => pair.split('='))) };
  return runChild(rest.split(' '), { cwd, env });
}

describe('the examples, run as shown', () => {
  let folder: string;
  beforeAll(async () => {
    folder = await mkdtemp(path.join(tmpdir(), 'cloudseed-help-examples-'));
    // seeds/ as a checkout has it: the examples name seeds/*.yaml.
    await symlink(path.join(repositoryRoot, 'seeds'), path.join(folder, 'seeds'));
  });
  afterAll(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  const runnable = commandHelps.filter((entry) => ['build', 'render', 'validate', 'schema', 'init', 'help'].includes(entry.name));
  it.each(runnable.flatMap((entry) => entry.examples.map((example) => [entry.name, example] as const)))('%s: %s', async (_name, example) => {
    // `a && b` runs as two commands; a redirection keeps only the command.
    for (const part of example.split(' && ')) {
      const run = await runExample(part.replace(/ > \S+$/, ''), folder);
      expect(run.code, `${part}\n${run.stderr}`).toBe(0);
      expect(looksLikeStackTrace(run.stderr)).toBe(false);
    }
  });

  it('left what build wrote where the example said', () => {
    expect(existsSync(path.join(folder, 'out', 'manifest.json'))).toBe(true);
  });
});

describe('a command line cloudseed refuses', () => {
  it.each([
    ['a misspelt option', ['build', 'seeds/centos7-macvtap.yaml', '--jsno'], /build has no option --jsno/, /did you mean --json\?/],
    ['a prefix of an option', ['render', 'seeds/centos7-macvtap.yaml', '--verb'], /render has no option --verb/, /did you mean --verbose\?/],
    ['an option of up misspelt', ['up', 'seeds/centos7-macvtap.yaml', '--wiat'], /up has no option --wiat/, /did you mean --wait\?/],
    ['an option of destroy misspelt', ['destroy', 'out', '--remove-disk'], /destroy has no option --remove-disk/, /did you mean --remove-disks\?/],
    ['an option of init misspelt', ['init', 'x.yaml', '--flet'], /init has no option --flet/, /did you mean --fleet\?/],
    ['an option of localds misspelt', ['localds', 'seed.img', 'user-data', '--filesytem', 'vfat'], /localds has no option --filesytem/, /did you mean --filesystem\?/],
    ['an option of inspect misspelt', ['inspect', 'seed.img', '--jsn'], /inspect has no option --jsn/, /did you mean --json\?/],
    ['an option nothing is near', ['build', 'seeds/centos7-macvtap.yaml', '--frobnicate'], /build has no option --frobnicate/, /^hint: cloudseed build --help lists its options$/m],
    ['a missing option value', ['build', 'seeds/centos7-macvtap.yaml', '-o'], /--output needs a value/, /--output VALUE/],
    ['a value for a flag', ['build', 'seeds/centos7-macvtap.yaml', '--json=yes'], /--json takes no value/, /cloudseed build --help/],
    ['a misspelt command', ['buidl', 'seeds/centos7-macvtap.yaml'], /unknown command "buidl"/, /did you mean cloudseed build\?/],
    ['help for no such command', ['help', 'frobnicate'], /unknown command "frobnicate"/, /cloudseed --help lists the commands/],
    ['a command without its spec', ['validate'], /validate needs a spec file/, /cloudseed init writes a starter/],
  ])('%s: exit 2 in cloudseed\'s words', async (_what, argv, message, hint) => {
    const run = await runInProcess(argv);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).toMatch(hint);
    expect(run.stderr).toMatch(/^hint: /m);
    // parseArgs' own words, which the issue quotes with their unbalanced quotes.
    expect(run.stderr).not.toMatch(/positional argument|as in '--|argument missing/);
    expect(looksLikeStackTrace(run.stderr)).toBe(false);
  });
});

describe('nearestName', () => {
  const options = ['output', 'quiet', 'verbose', 'json', 'force', 'prune', 'frozen', 'for', 'namespace'];
  it.each([
    ['jsno', 'json'], ['ouptut', 'output'], ['verb', 'verbose'], ['forzen', 'frozen'], ['prnue', 'prune'], ['namespce', 'namespace'],
  ])('%s → %s', (given, expected) => {
    expect(nearestName(given, options)).toBe(expected);
  });

  it.each(['frobnicate', 'x', 'wait'])('%s → nothing', (given) => {
    expect(nearestName(given, options)).toBeUndefined();
  });
});
