// passwordStorage: plaintext (el7 only): a user's clear password goes under plain_text_passwd, which
// cloud-init sets through chpasswd, never under passwd, which it would write to /etc/shadow as a hash;
// chpasswd's list lines read back as cloud-init 18 reads them; cloud-init's schema accepts the result.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { CloudseedError } from '../../src/errors.js';
import { validateSpec } from '../../src/output/build-fleet.js';
import { verifySha512Crypt } from '../../src/plan/sha512-crypt.js';
import { checkCloudConfigSchema } from '../support/cloud-init-tools.js';
import { missingTools } from '../support/tools.js';

const environment = { kvmUsable: false, fileExists: () => true };
const workspace = mkdtempSync(path.join(tmpdir(), 'cloudseed-plaintext-'));
afterAll(() => rmSync(workspace, { recursive: true, force: true }));
let specs = 0;

interface Vm {
  users?: object[];
  chpasswd?: object;
  rootPassword?: string;
  passwordStorage?: string;
}

async function userDataOf(vm: Vm): Promise<string> {
  const file = path.join(workspace, `spec-${specs++}.yaml`);
  const spec = { fleet: 'plain', vms: [{ name: 'vm1', target: 'el7', passwordStorage: 'plaintext', domain: { rootDisk: { base: '/img/a.qcow2' } }, ...vm }] };
  writeFileSync(file, JSON.stringify(spec));
  const { documents } = await validateSpec(file, { outputDir: path.join(workspace, 'out'), environment, saltSecret: 'test' });
  return documents[0]!.userData;
}

async function problemsOf(vm: Vm): Promise<string[]> {
  try {
    await userDataOf(vm);
  } catch (error) {
    if (error instanceof CloudseedError) return error.problems.map((problem) => `${problem.location.field}: ${problem.message}`);
    throw error;
  }
  throw new Error('the spec was accepted');
}

/** cloud-init 18's reading of chpasswd.list (cc_set_passwords): the split, and hash or text. */
function readChpasswdList(list: string): { name: string; password: string; hashed: boolean }[] {
  return list.split('\n').filter(Boolean).map((line) => {
    const colon = line.indexOf(':');
    const password = line.slice(colon + 1);
    return { name: line.slice(0, colon), password, hashed: /^\$(1|2a|2y|5|6)(\$.+){2}/.test(password) && !password.includes(':') };
  });
}

const colonPassword = `pa:ss: w#rd 'x' "y"`;

describe('passwordStorage: plaintext', () => {
  it('puts a user\'s clear password under plain_text_passwd, never passwd', async () => {
    const text = await userDataOf({ users: [{ name: 'ops', password: colonPassword }] });
    const document = parse(text) as { users: (string | Record<string, unknown>)[] };
    expect(document.users[1]).toEqual({ name: 'ops', lock_passwd: false, plain_text_passwd: colonPassword });
    expect(text).not.toMatch(/^\s+passwd:/m);
  });

  it('keeps a passwordHash under passwd', async () => {
    const hash = `$6$saltsalt$${'a'.repeat(86)}`;
    const document = parse(await userDataOf({ users: [{ name: 'ops', passwordHash: hash }] })) as { users: Record<string, unknown>[] };
    expect(document.users[1]?.passwd).toBe(hash);
  });

  it('writes chpasswd list lines that split at the first colon into the exact passwords', async () => {
    const hash = `$6$saltsalt$${'b'.repeat(86)}`;
    const text = await userDataOf({ rootPassword: colonPassword, chpasswd: { users: [{ name: 'centos', password: ':leading colon' }, { name: 'user1', passwordHash: hash }] } });
    const document = parse(text) as { chpasswd: { list: string } };
    expect(readChpasswdList(document.chpasswd.list)).toEqual([
      { name: 'centos', password: ':leading colon', hashed: false },
      { name: 'user1', password: hash, hashed: true },
      { name: 'root', password: colonPassword, hashed: false },
    ]);
  });

  it.each([
    ['R, which cloud-init 18 takes for a random password', { password: 'R' }],
    ['RANDOM', { password: 'RANDOM' }],
    ['a plaintext password that looks like a hash', { password: '$6$looks$like-a-hash' }],
    ['a yescrypt hash, which cloud-init 18 would set as plaintext', { passwordHash: `$y$j9T$F5Jx5fExrKuPp53xLKQ..1$${'c'.repeat(43)}` }],
  ])('refuses in chpasswd\'s list %s', async (_name, entry) => {
    const problems = await problemsOf({ chpasswd: { users: [{ name: 'centos', ...entry }] } });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^vms\[0\]\.chpasswd\.users\[0\]: cloud-init 18's chpasswd list/);
  });

  it('hashes for el7 with hashed storage, still under passwd', async () => {
    const document = parse(await userDataOf({ passwordStorage: 'hashed', users: [{ name: 'ops', password: colonPassword }] })) as { users: Record<string, string>[] };
    expect(verifySha512Crypt(colonPassword, document.users[1]?.passwd ?? '')).toBe(true);
  });
});

describe.skipIf(missingTools('cloud-init').length > 0)('cloud-init schema on plaintext user-data', () => {
  it('is valid', async () => {
    const file = path.join(workspace, 'user-data');
    writeFileSync(file, await userDataOf({ users: [{ name: 'ops', password: colonPassword }], rootPassword: colonPassword }));
    const result = await checkCloudConfigSchema(file);
    expect(result.exitCode, `${result.stdout}${result.stderr}`).toBe(0);
    expect(result.stdout).toContain('Valid');
  });
});
