// No password ever leaks: for passwords that begin with each of YAML's special characters, written bare
// and quoted in every field that takes one, and inside malformed specs, the CLI either builds (exit 0)
// with the hash of exactly the typed string, or refuses (exit 2); and the password is in no output, no
// message and no file (user-data holds only its hash).
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { passwordSalt } from '../../src/plan/plan-accounts.js';
import { sha512Crypt, verifySha512Crypt } from '../../src/plan/sha512-crypt.js';
import { looksLikeStackTrace, runInProcess } from '../cli/support/run-cloudseed.js';

const saltSecret = 'secret-leak-matrix';
const fleet = 'leaks';
const specials = ['!', '*', '&', '|', '>', '%', '@', '`', "'", '"', '#', '-', '?', '{', '[', ':'];
/** What a bare (unquoted) value starting with the character does: a YAML plain scalar, or a refusal. */
const bareIsPlainScalar = new Set(['-', '?', ':']);

let workspace = '';
let caseNumber = 0;
beforeAll(() => {
  workspace = mkdtempSync(path.join(tmpdir(), 'cloudseed-leaks-'));
  process.env.CLOUDSEED_SALT_SECRET = saltSecret;
});
afterAll(() => {
  delete process.env.CLOUDSEED_SALT_SECRET;
  rmSync(workspace, { recursive: true, force: true });
});

type Field = 'password' | 'rootPassword' | 'chpasswd' | 'passwordHash';
const fields: Field[] = ['password', 'rootPassword', 'chpasswd', 'passwordHash'];

/** A password no other text contains: the character, then a tag unique to the case. */
function distinctivePassword(character: string, index: number): string {
  return `${character}Leak${index}Zq9`;
}

function quote(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** The VM's lines with `value` (already written as YAML) in `field`; `extra` lines go right after it. */
function vmLines(field: Field, value: string, extra: string[] = []): string[] {
  const head = ['  - name: vm1', '    domain: { rootDisk: { base: /img/base.qcow2 }, memory: 1024 }'];
  switch (field) {
    case 'password':
      return [...head, '    users:', '      - name: ops', `        password: ${value}`, ...extra.map((line) => `        ${line}`)];
    case 'passwordHash':
      return [...head, '    users:', '      - name: ops', `        passwordHash: ${value}`, ...extra.map((line) => `        ${line}`)];
    case 'rootPassword':
      return [...head, `    rootPassword: ${value}`, ...extra.map((line) => `    ${line}`)];
    case 'chpasswd':
      return [...head, '    chpasswd:', '      users:', '        - name: centos', `          password: ${value}`, ...extra.map((line) => `          ${line}`)];
  }
}

function userOf(field: Field): string {
  return field === 'rootPassword' ? 'root' : field === 'chpasswd' ? 'centos' : 'ops';
}

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    return statSync(file).isDirectory() ? filesUnder(file) : [file];
  });
}

interface Outcome {
  code: number | null;
  out: string;
  userData: string | null;
}

async function build(specLines: string[], password: string): Promise<Outcome> {
  const dir = path.join(workspace, `case-${++caseNumber}`);
  const spec = path.join(workspace, `case-${caseNumber}.yaml`);
  writeFileSync(spec, [`fleet: ${fleet}`, 'vms:', ...specLines, ''].join('\n'));
  const run = await runInProcess(['build', spec, '-o', dir]);
  const output = `${run.stdout}${run.stderr}`;
  expect(looksLikeStackTrace(output), output).toBe(false);
  expect(output).not.toContain(password);
  let userData: string | null = null;
  if (run.code === 0) {
    for (const file of filesUnder(dir)) {
      // Every file, seed images and manifest.json included, as bytes: the password is nowhere.
      expect(readFileSync(file).includes(Buffer.from(password)), file).toBe(false);
    }
    userData = readFileSync(path.join(dir, 'vm1', 'user-data'), 'utf8');
  }
  return { code: run.code, out: output, userData };
}

/** The hash user-data holds for `user`, wherever the field put it. */
function hashInUserData(userData: string, user: string): string {
  const document = parse(userData) as {
    users?: (string | { name: string; hashed_passwd?: string })[];
    chpasswd?: { users?: { name: string; password: string; type: string }[] };
  };
  const created = document.users?.find((entry) => typeof entry === 'object' && entry.name === user);
  if (typeof created === 'object' && created.hashed_passwd) return created.hashed_passwd;
  const changed = document.chpasswd?.users?.find((entry) => entry.name === user);
  expect(changed?.type).toBe('hash');
  return changed?.password ?? '';
}

function expectHashOf(outcome: Outcome, password: string, user: string): void {
  expect(outcome.code, outcome.out).toBe(0);
  const hash = hashInUserData(outcome.userData ?? '', user);
  expect(hash).toBe(sha512Crypt(password, passwordSalt(fleet, user, saltSecret)));
  expect(verifySha512Crypt(password, hash)).toBe(true);
}

const cases = specials.flatMap((character, index) => fields.map((field) => ({ character, field, index: index * 10 + fields.indexOf(field) })));

describe('a password starting with a YAML special character, written bare', () => {
  it.each(cases)('$character in $field', async ({ character, field, index }) => {
    const password = distinctivePassword(character, index);
    const outcome = await build(vmLines(field, password), password);
    if (field !== 'passwordHash' && bareIsPlainScalar.has(character)) expectHashOf(outcome, password, userOf(field));
    else expect(outcome.code, outcome.out).toBe(2);
  });
});

describe('the same password, quoted', () => {
  it.each(cases)('$character in $field', async ({ character, field, index }) => {
    const password = distinctivePassword(character, 500 + index);
    const outcome = await build(vmLines(field, quote(password)), password);
    // A passwordHash that is not a hash is refused, and its message does not echo it.
    if (field === 'passwordHash') expect(outcome.code, outcome.out).toBe(2);
    else expectHashOf(outcome, password, userOf(field));
  });
});

describe('a password inside a malformed spec', () => {
  const passwordFields: Field[] = ['password', 'rootPassword', 'chpasswd'];
  const malformed = specials.flatMap((character, index) => passwordFields.map((field) => ({ character, field, index: 1000 + index * 10 + passwordFields.indexOf(field) })));

  it.each(malformed)('a syntax error on its line: $character in $field', async ({ character, field, index }) => {
    const password = distinctivePassword(character, index);
    // A closing quote missing: the parser's excerpt of this line would hold the password.
    const outcome = await build(vmLines(field, `"${password}`), password);
    expect(outcome.code, outcome.out).toBe(2);
    expect(outcome.out).toMatch(/case-\d+\.yaml:\d+:\d+/);
  });

  it.each(malformed)('an unknown key beside it: $character in $field', async ({ character, field, index }) => {
    const password = distinctivePassword(character, 100 + index);
    const outcome = await build(vmLines(field, quote(password), ['pasword: nope']), password);
    expect(outcome.code, outcome.out).toBe(2);
    expect(outcome.out).toContain('unknown field "pasword"');
  });

  it.each(malformed)('a schema error elsewhere: $character in $field', async ({ character, field, index }) => {
    const password = distinctivePassword(character, 200 + index);
    const lines = vmLines(field, quote(password)).map((line) => line.replace('memory: 1024', 'memory: lots'));
    const outcome = await build(lines, password);
    expect(outcome.code, outcome.out).toBe(2);
    expect(outcome.out).toContain('domain.memory');
  });

  it.each(specials.map((character, index) => ({ character, index: 1500 + index })))('the password typed where a key goes: $character', async ({ character, index }) => {
    const password = distinctivePassword(character, index);
    const outcome = await build(vmLines('rootPassword', quote(`x${password}`)).concat([`    ${quote(password)}: 1`]), password);
    expect(outcome.code, outcome.out).toBe(2);
  });
});
