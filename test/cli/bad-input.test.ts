// Bad input through the command line. Every malformed spec exits 2 with a report naming file, line and
// field for each of its problems, writes nothing, prints no stack trace and never a password. Most
// fixtures run through the exported main() in this process; a handful run as the real executable.
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureSecrets, malformedFixtures, type MalformedFixture } from '../spec/support/malformed-fixtures.js';
import {
  announcedProblemCount,
  looksLikeStackTrace,
  reportedProblems,
  repositoryRoot,
  runChild,
  runInProcess,
  type CliRun,
} from './support/run-cloudseed.js';

const fixtures = malformedFixtures();

/** Fixtures that also run as `node dist/cli/main.js`: one of each kind of failure. */
const childProcessFixtures = [
  '01-yaml-syntax-error.yaml',
  '03-unknown-top-level-key.yaml',
  '15-duplicate-static-ip.yaml',
  '34-defaults-bad-gateway.yaml',
  '39-unknown-key-with-secret.yaml',
  '40-several-schema-problems.yaml',
  '41-several-fleet-problems.yaml',
];

let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'cloudseed-bad-input-'));
});

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

function expectNoSecrets(run: CliRun): void {
  for (const { secret } of fixtureSecrets) {
    expect(run.stdout, `stdout shows a secret`).not.toContain(secret);
    expect(run.stderr, `stderr shows a secret`).not.toContain(secret);
  }
}

/** Everything the brief asks of one rejected spec; `shownFile` is the path exactly as it was passed. */
function expectRejected(run: CliRun, fixture: MalformedFixture, shownFile: string, outputParent: string): void {
  expect(run.code, run.stderr).toBe(2);
  expect(run.stdout).toBe('');
  expect(looksLikeStackTrace(run.stderr), run.stderr).toBe(false);
  expectNoSecrets(run);

  const problems = reportedProblems(run.stderr, shownFile);
  expect(problems.length, `problems reported for ${fixture.name}:\n${run.stderr}`).toBe(fixture.expected.length);
  expect(announcedProblemCount(run.stderr, shownFile)).toBe(fixture.expected.length);
  for (const expected of fixture.expected) {
    expect(run.stderr).toContain(`${shownFile}:${expected.line}:`);
    const match = problems.find((problem) => problem.line === expected.line && (problem.field ?? '').includes(expected.field));
    expect(match, `no problem at line ${expected.line} naming ${expected.field} in:\n${run.stderr}`).toBeDefined();
  }

  // Nothing written: not the output folder, not a staging folder, nothing beside it either.
  expect(existsSync(path.join(outputParent, 'out'))).toBe(false);
  expect(readdirSync(outputParent)).toEqual([]);
}

describe('the bad-input corpus', () => {
  it('has at least 24 single-problem specs and specs with several problems', () => {
    expect(fixtures.filter((fixture) => fixture.expected.length === 1).length).toBeGreaterThanOrEqual(24);
    expect(fixtures.filter((fixture) => fixture.expected.length > 1).length).toBeGreaterThanOrEqual(1);
  });

  it('holds every listed secret in the fixture named for it, so the secret checks are not vacuous', () => {
    for (const { fixture, secret } of fixtureSecrets) {
      const text = fixtures.find((candidate) => candidate.name === fixture)?.text ?? '';
      expect(text, fixture).toContain(secret);
    }
  });
});

describe('cloudseed build <malformed spec> (in process)', () => {
  it.each(fixtures.map((fixture) => [fixture.name, fixture] as const))('%s', async (name, fixture) => {
    const outputParent = path.join(scratch, 'in-process', name);
    await mkdir(outputParent, { recursive: true });
    const shownFile = path.relative(process.cwd(), fixture.file);
    const run = await runInProcess(['build', shownFile, '-o', path.join(outputParent, 'out')]);
    expectRejected(run, fixture, shownFile, outputParent);
  });
});

describe('cloudseed build <malformed spec> (child process)', () => {
  const chosen = fixtures.filter((fixture) => childProcessFixtures.includes(fixture.name));

  it('runs every chosen fixture', () => {
    expect(chosen.map((fixture) => fixture.name)).toEqual(childProcessFixtures);
  });

  it.each(chosen.map((fixture) => [fixture.name, fixture] as const))('%s', async (name, fixture) => {
    const outputParent = path.join(scratch, 'child', name);
    await mkdir(outputParent, { recursive: true });
    const shownFile = path.relative(repositoryRoot, fixture.file);
    const run = await runChild(['build', shownFile, '-o', path.join(outputParent, 'out')]);
    expectRejected(run, fixture, shownFile, outputParent);
  });
});

describe('the command line around the corpus', () => {
  it('says which spec file it cannot read, with exit 2', async () => {
    const missing = 'test/spec/fixtures/malformed/no-such-spec.yaml';
    const run = await runInProcess(['build', missing, '-o', path.join(scratch, 'missing-spec', 'out')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(missing);
    expect(looksLikeStackTrace(run.stderr)).toBe(false);
    expect(existsSync(path.join(scratch, 'missing-spec'))).toBe(false);
  });

  it.each([
    ['an unknown command', ['frobnicate', 'seeds/centos7-macvtap.yaml'], /unknown command "frobnicate"/],
    ['no command', [], /no command given/],
    ['a command without its spec', ['build'], /build needs a spec file/],
    ['an unknown option', ['build', 'seeds/centos7-macvtap.yaml', '--frobnicate'], /frobnicate/],
  ])('answers %s with exit 2 and a usage hint', async (_what, argv, message) => {
    const run = await runInProcess(argv);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).toMatch(/^hint: .*cloudseed/m);
    expect(looksLikeStackTrace(run.stderr)).toBe(false);
  });

  it('prints the usage for --help and exits 0', async () => {
    const run = await runInProcess(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Usage: cloudseed <command>');
    expect(run.stderr).toBe('');
    for (const code of [0, 1, 2, 3, 4]) expect(run.stdout).toMatch(new RegExp(`^  ${code}  \\S`, 'm'));
  });

  it.each(['seeds/centos7-macvtap.yaml', 'seeds/debian12-netplan.yaml', 'seeds/fleet-ci-runners.yaml'])(
    'validates %s with exit 0, writes nothing and prints no password',
    async (seed) => {
      const outputParent = path.join(scratch, 'validate', path.basename(seed));
      await mkdir(outputParent, { recursive: true });
      const run = await runInProcess(['validate', path.relative(process.cwd(), path.join(repositoryRoot, seed)), '-o', path.join(outputParent, 'out')]);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toContain('no problems');
      expect(readdirSync(outputParent)).toEqual([]);
      for (const password of ['222222', '333333', 'c0rrect horse', 'root-secret', 'runner-pass']) {
        expect(run.stdout + run.stderr).not.toContain(password);
      }
    },
  );
});
