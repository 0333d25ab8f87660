// Where a mistake in a name pattern is reported: every refusal of the pattern syntax and its overrides
// at its own line and field, a mistake in the pattern's entry once (not once per VM) at the entry's
// line, a mistake in an override at the override's line, from the schema and from the planner alike.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CloudseedError, type Problem } from '../../src/errors.js';
import { planSpecFile } from '../../src/output/index.js';
import { parseSpec } from '../../src/spec/index.js';

const workspace = mkdtempSync(path.join(tmpdir(), 'cloudseed-patterns-'));
afterAll(() => rmSync(workspace, { recursive: true, force: true }));

// Line 1 is `fleet:`, line 4 `vms:`; the first entry's name is on line 5.
const head = 'fleet: patterns\npools: { lan: { cidr: 10.0.0.0/24, gateway: 10.0.0.1 } }\ndefaults: { domain: { rootDisk: { base: /img/base.qcow2 } } }\nvms:\n';

async function rejection(load: () => unknown): Promise<Problem[]> {
  try {
    await load();
  } catch (error) {
    if (error instanceof CloudseedError && error.code === 'SPEC_INVALID') return error.problems;
    throw error;
  }
  throw new Error('the spec was accepted');
}

/** Problems of loading and planning `vms` as a spec file: the schema's and the planner's, in one report. */
function problemsIn(vms: string): Promise<Problem[]> {
  const file = path.join(workspace, `spec-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, head + vms);
  return rejection(() => planSpecFile(file, { outputDir: '/srv/out', environment: { kvmUsable: false, fileExists: () => true }, saltSecret: 'test' }));
}

const places = (problems: Problem[]) => problems.map(({ location }) => `${location.line}:${location.column} ${location.field}`);

describe('the pattern syntax', () => {
  it.each([
    ['two ranges', '  - name: web-{1..3}-{1..2}\n', /holds 2 ranges/],
    ['a range that counts down', '  - name: web-{9..1}\n', /counts down/],
    ['braces that are not a range', '  - name: web-{a..c}\n', /not a range/],
    ['a range too large', '  - name: web-{1..100001}\n', /range \{1\.\.100001\} of 100,001 VMs; a fleet has at most 100,000/],
    ['names that are not VM names', '  - name: web/{1..3}\n', /makes names that are not usable: "web\/1"/],
    ['names too long at the end of the range only', `  - name: ${'w'.repeat(63)}{8..10}\n`, /at most 64/],
  ])('%s: refused at the name', async (_what, vms, message) => {
    const problems = await problemsIn(vms);
    expect(places(problems)).toEqual(['5:11 vms[0].name']);
    expect(problems[0]!.message).toMatch(message);
  });

  it('a fleet past 100,000 VMs in all: refused at the entry that takes it past', async () => {
    const problems = await problemsIn('  - name: a-{1..60000}\n  - name: b\n  - name: c-{1..40000}\n  - name: d-{1..5}\n');
    expect(places(problems)).toEqual(['7:11 vms[2].name']);
    expect(problems[0]!.message).toMatch(/100,006 VMs in all/);
  });

  it.each([
    ['hostname', '    hostname: web-{01..03}\n', '6:15 vms[0].hostname'],
    ['a root disk path', '    domain: { rootDisk: { path: "/img/web-{1..3}.qcow2" } }\n', '6:33 vms[0].domain.rootDisk.path'],
    ['a NIC address', '    network: { nics: [{ address: "10.0.0.{1..3}/24" }] }\n', '6:34 vms[0].network.nics[0].address'],
    ['an override', '    overrides: { web-2: { instanceId: "iid-{1..3}" } }\n', '6:39 vms[0].overrides.web-2.instanceId'],
  ])('a range in %s: refused there, once', async (_what, line, place) => {
    const problems = await problemsIn(`  - name: web-{1..3}\n${line}`);
    expect(places(problems)).toEqual([place]);
    expect(problems[0]!.message).toMatch(/expanded only in a VM's name/);
  });

  it('a range in defaults too, but not in free text such as runcmd or a password', async () => {
    const text = head.replace('defaults: {', 'defaults: { fqdn: "web-{1..2}.lab",') +
      '  - name: web-{1..3}\n    runcmd: ["for i in {1..3}; do echo $i; done"]\n    rootPassword: "pass{1..2}"\n';
    const problems = await rejection(() => parseSpec(text, 'fleet.yaml'));
    expect(places(problems)).toEqual(['3:19 defaults.fqdn']);
    expect(problems[0]!.message).toMatch(/expanded only in a VM's name/);
  });
});

describe('overrides', () => {
  it('whose key is not a name the pattern makes: refused at the key', async () => {
    const problems = await problemsIn('  - name: web-{01..03}\n    overrides:\n      web-02: {}\n      web-3: {}\n      web-04: {}\n');
    expect(places(problems)).toEqual(['8:7 vms[0].overrides.web-3', '9:7 vms[0].overrides.web-04']);
    expect(problems[0]!.message).toContain('"web-3" is not a name this entry makes (web-01 to web-03)');
  });

  it('whose key does not look like a VM name: refused at the key, which is not shown', async () => {
    const problems = await problemsIn('  - name: web-{1..3}\n    overrides:\n      "Hidden Harbor 42": {}\n');
    expect(places(problems)).toEqual(['7:7 vms[0].overrides']);
    expect(JSON.stringify(problems)).not.toContain('Hidden Harbor');
  });

  it('one refused leaves the others planned: a problem in another override still comes in the same report', async () => {
    const problems = await problemsIn('  - name: web-{1..3}\n    overrides:\n      web-4: {}\n      web-2:\n        network: { nics: [{ address: 10.1.0.5/24, gateway: 10.2.0.1 }] }\n');
    expect(places(problems)).toEqual(['7:7 vms[0].overrides.web-4', '9:60 vms[0].overrides.web-2.network.nics[0].gateway']);
  });

  it('on an entry without a range: refused', async () => {
    const problems = await problemsIn('  - name: web\n    overrides: { web: { domain: { memory: 4096 } } }\n');
    expect(places(problems)).toEqual(['6:16 vms[0].overrides']);
  });

  it('with a name of its own: an unknown field', async () => {
    const problems = await problemsIn('  - name: web-{1..3}\n    overrides: { web-2: { name: x } }\n');
    expect(places(problems)).toEqual(['6:27 vms[0].overrides.web-2.name']);
  });
});

describe('a mistake in an expanded VM', () => {
  it('in the pattern’s entry, refused by the schema: once, at the entry’s line', async () => {
    const problems = await problemsIn('  - name: web-{0001..5000}\n    domain: { memory: lots }\n');
    expect(places(problems)).toEqual(['6:23 vms[0].domain.memory']);
  });

  it('in an override, refused by the schema: at the override’s line', async () => {
    const problems = await problemsIn('  - name: web-{1..3}\n    overrides:\n      web-2:\n        domain: { memory: 12 }\n');
    expect(places(problems)).toEqual(['8:27 vms[0].overrides.web-2.domain.memory']);
  });

  it('in the pattern’s entry, found by the planner: once, at the entry’s line', async () => {
    const problems = await problemsIn('  - name: web-{1..50}\n    network: { nics: [{ pool: lan, gateway: 10.9.0.1 }] }\n');
    expect(places(problems)).toEqual(['6:45 vms[0].network.nics[0].gateway']);
  });

  it('in an override, found by the planner: at the override’s line, and the pattern’s VMs are fine', async () => {
    const problems = await problemsIn('  - name: web-{1..3}\n    network: { nics: [{ pool: lan }] }\n    overrides:\n      web-2:\n        network: { nics: [{ address: 10.1.0.5/24, gateway: 10.2.0.1 }] }\n');
    expect(places(problems)).toEqual(['9:60 vms[0].overrides.web-2.network.nics[0].gateway']);
  });

  it('a field of the entry that an override does not touch: at the entry’s line, also for the override’s VM', async () => {
    const problems = await problemsIn('  - name: web-{1..3}\n    network: { nics: [{ pool: lan, gateway: 10.9.0.1 }] }\n    overrides:\n      web-2: { domain: { memory: 4096 } }\n');
    expect(places(problems)).toEqual(['6:45 vms[0].network.nics[0].gateway']);
  });

  it('after the pattern, a plain VM at its own index in the file', async () => {
    const problems = await problemsIn('  - name: web-{1..20}\n  - name: db\n    network: { nics: [{ address: 10.1.0.5/24, gateway: 10.2.0.1 }] }\n');
    expect(places(problems)).toEqual(['7:56 vms[1].network.nics[0].gateway']);
  });

  it('the schema’s and the planner’s problems come in one report', async () => {
    const problems = await problemsIn('  - name: web-{1..3}\n    network: { nics: [{ pool: lan, gateway: 10.9.0.1 }] }\n    overrides:\n      web-3: { domain: { vcpus: 0 } }\n');
    expect(places(problems)).toEqual(['6:45 vms[0].network.nics[0].gateway', '8:33 vms[0].overrides.web-3.domain.vcpus']);
  });
});

describe('names made twice', () => {
  it('a later VM with a name the pattern makes: the duplicate name, at the later VM', async () => {
    const problems = await problemsIn('  - name: web-{01..20}\n  - name: web-07\n');
    expect(places(problems)).toEqual(['6:11 vms[1].name']);
    expect(problems[0]!.message).toContain('"web-07" is already used');
  });

  it('two patterns that overlap: each name made twice, at the later pattern', async () => {
    const problems = await problemsIn('  - name: web-{01..05}\n  - name: web-{04..09}\n');
    expect(places(problems)).toEqual(['6:11 vms[1].name', '6:11 vms[1].name']);
    expect(problems.map((problem) => problem.message)).toEqual([expect.stringContaining('"web-04"'), expect.stringContaining('"web-05"')]);
  });
});
