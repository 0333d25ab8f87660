// `cloudseed init [FILE] [--fleet]`: the starter spec builds as it is written (its root disk need not be
// on this machine), its user-data passes cloud-init's own schema check, it names the JSON Schema for
// editors, and an existing file is never replaced.
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkCloudConfigSchema } from '../support/cloud-init-tools.js';
import { describeRun } from '../support/run-command.js';
import { missingTools } from '../support/tools.js';
import { looksLikeStackTrace, repositoryRoot, runChild, runInProcess } from './support/run-cloudseed.js';

let folder: string;

beforeAll(async () => {
  folder = await mkdtemp(path.join(tmpdir(), 'cloudseed-init-'));
});

afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

describe.each([
  ['one VM', [] as string[], ['vm1']],
  ['a fleet', ['--fleet'], ['db', 'web-01', 'web-02', 'web-03']],
])('cloudseed init (%s)', (_kind, flags, vms) => {
  const name = flags.length > 0 ? 'fleet' : 'single';
  const spec = () => path.join(folder, name, 'cloudseed.yaml');
  const out = () => path.join(folder, name, 'out');

  it('writes cloudseed.yaml by default, into the current folder, readable by its owner only', async () => {
    await mkdir(path.join(folder, name));
    const run = await runChild(['init', ...flags], { cwd: path.join(folder, name) });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('wrote cloudseed.yaml');
    expect(((await stat(spec())).mode & 0o777).toString(8)).toBe('600');
  });

  it('starts with the modeline naming the shipped JSON Schema', async () => {
    const firstLine = (await readFile(spec(), 'utf8')).split('\n')[0]!;
    const schemaPath = /^# yaml-language-server: \$schema=(\S+)$/.exec(firstLine)?.[1];
    expect(schemaPath, firstLine).toBeDefined();
    expect(path.resolve(path.dirname(spec()), schemaPath!)).toBe(path.join(repositoryRoot, 'schema', 'cloudseed.schema.json'));
  });

  it('builds as written, with a warning only for the root disk that is not on this machine', async () => {
    const run = await runChild(['build', spec(), '-o', out()], { env: { ...process.env, SOURCE_DATE_EPOCH: '1700000000' } });
    expect(run.code, run.stderr).toBe(0);
    expect(looksLikeStackTrace(run.stderr)).toBe(false);
    // The starter leaves domain.type to auto, which on a machine that is itself a VM with /dev/kvm (as CI
    // machines often are) is warned of as well: that warning depends on the machine, not on the starter.
    const lines = run.stderr.trim().split('\n').filter((line) => !/domain\.type auto chose kvm/.test(line));
    for (const line of lines) expect(line).toMatch(/^warning: .*base image .* is not on this machine/);
    expect(readdirSync(out()).filter((entry) => !entry.startsWith('.')).sort()).toEqual([...vms, 'manifest.json'].sort());
  });

  it.skipIf(missingTools('cloud-init').length > 0)('renders user-data that passes `cloud-init schema`', async () => {
    for (const vm of vms) {
      const result = await checkCloudConfigSchema(path.join(out(), vm, 'user-data'));
      expect(result.exitCode, `${vm}\n${describeRun(result)}`).toBe(0);
      expect(result.stdout).toContain('Valid cloud-config');
      expect(result.stdout + result.stderr).not.toMatch(/deprecat/i);
    }
  });
});

describe('cloudseed init refuses', () => {
  it('to replace an existing file: exit 2, the file unchanged', async () => {
    const file = path.join(folder, 'mine.yaml');
    await writeFile(file, 'my own spec\n');
    for (const flags of [[], ['--fleet']]) {
      const run = await runInProcess(['init', file, ...flags]);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(`${file} exists already; cloudseed init never replaces a file`);
      expect(run.stderr).toMatch(/^hint: name another file/m);
    }
    expect(await readFile(file, 'utf8')).toBe('my own spec\n');
  });

  it('a folder that does not exist: exit 2, nothing made', async () => {
    const file = path.join(folder, 'no-such-folder', 'spec.yaml');
    const run = await runInProcess(['init', file]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('does not exist');
    expect(existsSync(path.dirname(file))).toBe(false);
  });

  it('more than one file', async () => {
    const run = await runInProcess(['init', 'a.yaml', 'b.yaml']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('init writes one file');
  });
});
