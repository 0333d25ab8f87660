// The salt design: salts say nothing about the password, are keyed by a secret (configured, or one per
// machine), keep builds reproducible, and a password a fleet shares is still hashed once.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { planFleet, type PlanEnvironment } from '../../src/plan/index.js';
import { passwordSalt } from '../../src/plan/plan-accounts.js';
import { loadSaltSecret, machineSecretFile, readOrCreateMachineSecret } from '../../src/plan/salt-secret.js';
import * as crypt from '../../src/plan/sha512-crypt.js';
import { parseSpec } from '../../src/spec/index.js';

vi.mock('../../src/plan/sha512-crypt.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/plan/sha512-crypt.js')>();
  return { ...original, sha512Crypt: vi.fn(original.sha512Crypt) };
});

const environment: PlanEnvironment = { kvmUsable: false, fileExists: () => true };
const workspace = mkdtempSync(path.join(tmpdir(), 'cloudseed-salt-'));
afterAll(() => rmSync(workspace, { recursive: true, force: true }));
beforeEach(() => {
  vi.mocked(crypt.sha512Crypt).mockClear();
});

function fleetSpec(passwords: string[]) {
  const vms = passwords.map((password, index) => `  - { name: vm${index}, rootPassword: "${password}", domain: { rootDisk: { base: /img/a.qcow2 } } }`);
  return parseSpec(`fleet: salts\nvms:\n${vms.join('\n')}\n`, 'fleet.yaml');
}

function rootHashes(passwords: string[], saltSecret: string): string[] {
  const plan = planFleet(fleetSpec(passwords), { outputDir: '/srv/out', environment, saltSecret });
  return plan.vms.map((vm) => vm.chpasswd?.entries[0]?.password.value ?? '');
}

const saltOf = (hash: string) => hash.split('$')[2];

describe('password salts', () => {
  it('do not depend on the password', () => {
    const [first, second] = rootHashes(['first password', 'second password'], 'k');
    expect(first).not.toBe(second);
    expect(saltOf(first!)).toBe(saltOf(second!));
    expect(saltOf(first!)).toBe(passwordSalt('salts', 'root', 'k'));
  });

  it('cost one hash for a password the VMs share', () => {
    const hashes = rootHashes(['shared', 'shared', 'shared'], 'k');
    expect(new Set(hashes).size).toBe(1);
    expect(crypt.sha512Crypt).toHaveBeenCalledTimes(1);
  });

  it('are the same for the same secret, and differ with another', () => {
    expect(rootHashes(['pw'], 'machine-a')).toEqual(rootHashes(['pw'], 'machine-a'));
    expect(saltOf(rootHashes(['pw'], 'machine-a')[0]!)).not.toBe(saltOf(rootHashes(['pw'], 'machine-b')[0]!));
  });

  it('differ between users and between fleets', () => {
    expect(passwordSalt('salts', 'root', 'k')).not.toBe(passwordSalt('salts', 'ops', 'k'));
    expect(passwordSalt('salts', 'root', 'k')).not.toBe(passwordSalt('other', 'root', 'k'));
  });

  it('are never derived without a secret', () => {
    expect(() => passwordSalt('salts', 'root', '')).toThrow(/without a salt secret/);
  });
});

describe('the salt secret', () => {
  it('is CLOUDSEED_SALT_SECRET when set', async () => {
    const configHome = path.join(workspace, 'configured');
    expect(await loadSaltSecret(fleetSpec(['pw']), { CLOUDSEED_SALT_SECRET: 'mine', XDG_CONFIG_HOME: configHome })).toBe('mine');
    expect(() => statSync(configHome)).toThrow();
  });

  it('is made once per machine, 0600 in a 0700 folder, and read back after', async () => {
    const env = { XDG_CONFIG_HOME: path.join(workspace, 'machine') };
    const file = machineSecretFile(env);
    expect(file).toBe(path.join(workspace, 'machine', 'cloudseed', 'salt-secret'));
    const secret = await loadSaltSecret(fleetSpec(['pw']), env);
    expect(secret).toMatch(/^[0-9a-f]{64}$/);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    expect(readFileSync(file, 'utf8')).toBe(`${secret}\n`);
    expect(await loadSaltSecret(fleetSpec(['other']), env)).toBe(secret);
  });

  it('is the same for two first runs at once', async () => {
    const file = path.join(workspace, 'race', 'cloudseed', 'salt-secret');
    const secrets = await Promise.all(Array.from({ length: 8 }, () => readOrCreateMachineSecret(file)));
    expect(new Set(secrets).size).toBe(1);
    expect(readFileSync(file, 'utf8')).toBe(`${secrets[0]}\n`);
  });

  it('is not needed, nor made, for a spec without passwords to hash', async () => {
    const env = { XDG_CONFIG_HOME: path.join(workspace, 'untouched') };
    const spec = parseSpec('vms: [{ name: a, domain: { rootDisk: { base: /img/a.qcow2 } } }]\n', 'fleet.yaml');
    expect(await loadSaltSecret(spec, env)).toBe('');
    expect(() => statSync(env.XDG_CONFIG_HOME)).toThrow();
  });

  it('refuses a file too short to be a secret', async () => {
    const file = path.join(workspace, 'short', 'salt-secret');
    await readOrCreateMachineSecret(file);
    writeFileSync(file, 'abc\n');
    await expect(readOrCreateMachineSecret(file)).rejects.toThrow(/fewer than/);
  });
});
