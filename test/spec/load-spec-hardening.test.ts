// What the loader refuses and how it says so: YAML tags and the parser's warnings, empty passwords,
// alias bombs and unknown aliases, empty specs, bytes that are not UTF-8; and no message quoting the spec.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CloudseedError, type Problem } from '../../src/errors.js';
import { loadSpec, parseSpec } from '../../src/spec/index.js';

const workspace = mkdtempSync(path.join(tmpdir(), 'cloudseed-loader-'));
afterAll(() => rmSync(workspace, { recursive: true, force: true }));

const vm = 'vms:\n  - name: web1\n    domain: { rootDisk: { base: /img/base.qcow2 } }\n';

function problemsOf(load: () => unknown): Problem[] {
  try {
    load();
  } catch (error) {
    if (error instanceof CloudseedError && error.code === 'SPEC_INVALID') return error.problems;
    throw error;
  }
  throw new Error('the spec was accepted');
}

const problemsIn = (text: string) => problemsOf(() => parseSpec(text, 'fleet.yaml'));
const places = (problems: Problem[]) => problems.map(({ location }) => `${location.line}:${location.column} ${location.field}`);

describe('YAML tags', () => {
  it.each([
    ['a password', `${vm}    rootPassword: !Secret\n`, '4:19 vms[0].rootPassword'],
    ['a known tag', `${vm}    rootPassword: !!str Secret\n`, '4:19 vms[0].rootPassword'],
    ['a hostname', `${vm}    hostname: !host web\n`, '4:15 vms[0].hostname'],
    ['a package', `${vm}    packages: [vim, !pkg curl]\n`, '4:21 vms[0].packages[1]'],
    ['a list', `${vm}    packages: !list\n      - vim\n`, '4:15 vms[0].packages'],
    ['a verbatim tag after an anchor', `${vm}    hostname: &h !<tag:x> web\n`, '4:18 vms[0].hostname'],
  ])('on %s is an error at the tag', (_name, text, place) => {
    const problems = problemsIn(text);
    expect(places(problems)).toEqual([place]);
    expect(problems[0]?.message).toContain('tags');
    expect(problems[0]?.message).not.toMatch(/Secret|host|pkg|list|tag:x/);
  });

  it('the parser warnings are errors too: an unknown directive', () => {
    expect(places(problemsIn(`%FOO bar\n---\n${vm}`))).toEqual(['1:1 null']);
  });
});

describe('passwords', () => {
  it.each(['rootPassword: ""', "rootPassword: ''"])('%s is refused', (line) => {
    const problems = problemsIn(`${vm}    ${line}\n`);
    expect(problems.map((problem) => problem.message)).toEqual(['a password cannot be empty']);
  });
});

describe('aliases', () => {
  const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]', ...'bcdefg'.split('').map((name, index) => {
    const previous = 'abcdefg'[index];
    return `${name}: &${name} [${Array(10).fill(`*${previous}`).join(', ')}]`;
  })].join('\n');

  it('a billion laughs is an error at its biggest alias, not a stack trace', () => {
    const problems = problemsIn(`${bomb}\n${vm}`);
    expect(places(problems)).toEqual(['7:8 g[0]']);
    expect(problems[0]?.message).toContain('expand to more than');
  });

  it('an alias to no anchor is an error that does not name it', () => {
    const problems = problemsIn(`${vm}    rootPassword: *Secret\n`);
    expect(places(problems)).toEqual(['4:19 vms[0].rootPassword']);
    expect(problems[0]?.message).not.toContain('Secret');
  });

  it('an alias inside its own anchor is an error', () => {
    expect(places(problemsIn(`x: &r [*r]\n${vm}`))).toEqual(['1:8 x[0]']);
  });

  it('ordinary aliases still work, many times over', () => {
    const others = Array.from({ length: 1000 }, (_, index) => `  - { name: vm${index}, domain: *domain, users: *users }`);
    const first = '  - { name: first, domain: &domain { rootDisk: { base: /img/base.qcow2 } }, users: &users [{ name: ops }] }';
    const spec = parseSpec(`vms:\n${[first, ...others].join('\n')}\n`, 'fleet.yaml');
    expect(spec.input.vms).toHaveLength(1001);
    expect(spec.input.vms[1000]?.users).toEqual([{ name: 'ops' }]);
  });
});

describe('empty specs', () => {
  it.each([['empty', ''], ['comments only', '# nothing here\n\n# yet\n']])('%s: an error on line 1', (_name, text) => {
    expect(places(problemsIn(text))).toEqual(['1:1 null']);
  });
});

describe('encoding', () => {
  async function problemsInBytes(bytes: Buffer): Promise<Problem[]> {
    const file = path.join(workspace, `spec-${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(file, bytes);
    try {
      await loadSpec(file);
    } catch (error) {
      if (error instanceof CloudseedError) return error.problems;
      throw error;
    }
    throw new Error('the spec was accepted');
  }

  it.each([
    ['a Latin-1 é', Buffer.from([0xe9]), '4:24'],
    ['a lone continuation byte', Buffer.from([0x80]), '4:24'],
    ['an overlong slash', Buffer.from([0xc0, 0xaf]), '4:24'],
    ['a UTF-16 surrogate', Buffer.from([0xed, 0xa0, 0x80]), '4:24'],
    ['a sequence cut short', Buffer.from([0xe2, 0x82]), '4:24'],
  ])('%s is an error at its line and column', async (_name, bad, place) => {
    const bytes = Buffer.concat([Buffer.from(`${vm}    rootPassword: "café`), bad, Buffer.from('"\n')]);
    const problems = await problemsInBytes(bytes);
    expect(problems.map(({ location }) => `${location.line}:${location.column}`)).toEqual([place]);
    expect(problems[0]?.message).toContain('not valid UTF-8');
  });

  it('a byte order mark is fine, and stays in the text for the checksum', async () => {
    const file = path.join(workspace, 'bom.yaml');
    writeFileSync(file, `\uFEFF${vm}`);
    const spec = await loadSpec(file);
    expect(spec.input.vms[0]?.name).toBe('web1');
    expect(spec.text.startsWith('\uFEFF')).toBe(true);
  });
});

describe('YAML syntax errors never quote the spec', () => {
  const secret = 'Qx7Secret';
  it.each([
    ['a block scalar header', `|${secret}`],
    ['a folded scalar header', `>${secret}`],
    ['a reserved character', `@${secret}`],
    ['a directive character', `%${secret}`],
    ['a backtick', `\`${secret}`],
    ['a bad escape', `"\\q${secret}"`],
    ['text after a quoted value', `"a" ${secret}`],
    ['an unclosed flow map', `{${secret}`],
    ['an anchor in a flow map', `{a: &${secret} }`],
    ['a verbatim tag', `!<${secret}> x`],
  ])('%s', (_name, value) => {
    const problems = problemsIn(`${vm}    rootPassword: ${value}\n`);
    expect(problems.length).toBeGreaterThan(0);
    for (const problem of problems) {
      expect(problem.message).not.toContain(secret);
      expect(problem.location.line).toBeGreaterThanOrEqual(4);
    }
  });
});
