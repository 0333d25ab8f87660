// The sshd settings a VM asks for must be what sshd ends up using. On el7 (OpenSSH 7.4, no Include)
// user-data runs GNU sed over sshd_config; on current images it writes a drop-in that sshd_config
// includes at its top. Both are run here for real against realistic configuration files and read back
// by `sshd -T`, not by looking at the text we wrote.
import { readFile, copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateSpec } from '../../src/output/build-fleet.js';
import type { SshPlan, VmPlan } from '../../src/plan/types.js';
import { renderVm } from '../../src/render/render-vm.js';
import { hasPython, loadWithPyYaml } from '../support/python-worker.js';
import { describeRun, runCommand } from '../support/run-command.js';
import { createHostKey, effectiveSshdConfig, findSshd, firstGlobalValue, normalizeSshdValue } from '../support/sshd-config.js';
import { missingTools } from '../support/tools.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const seedsDir = path.resolve(here, '../../seeds');
const centos7Config = path.join(here, 'fixtures/centos7-sshd_config');
const debian12Config = path.join(here, 'fixtures/debian12-sshd_config');
const environment = { kvmUsable: false, fileExists: () => true };
const keywords = { permitRootLogin: 'PermitRootLogin', passwordAuthentication: 'PasswordAuthentication', pubkeyAuthentication: 'PubkeyAuthentication' } as const;

async function planOf(seed: string, vmName: string): Promise<VmPlan> {
  const { plan } = await validateSpec(path.join(seedsDir, seed), { outputDir: '/srv/cloudseed/out', environment, saltSecret: 'cloudseed' });
  const vm = plan.vms.find((candidate) => candidate.name === vmName);
  if (!vm) throw new Error(`${seed} has no VM ${vmName}`);
  return vm;
}

interface UserData {
  runcmd?: (string | string[])[];
  write_files?: { path: string; content: string }[];
}

async function userDataOf(vm: VmPlan): Promise<UserData> {
  const [result] = await loadWithPyYaml([renderVm(vm).userData]);
  if (!result || result.error !== undefined) throw new Error(`user-data does not parse: ${result?.error}`);
  return result.value as UserData;
}

/** The settings as sshd -T prints them: lower-case keyword → yes/no/without-password/... */
function requestedSettings(ssh: SshPlan): Map<string, string> {
  const requested = new Map<string, string>();
  for (const [field, keyword] of Object.entries(keywords) as [keyof SshPlan, string][]) {
    const value = ssh[field];
    if (value === null) continue;
    requested.set(keyword.toLowerCase(), normalizeSshdValue(keyword, typeof value === 'boolean' ? (value ? 'yes' : 'no') : value));
  }
  return requested;
}

const el7Variants: { name: string; ssh: SshPlan }[] = [
  { name: "the article's (root and passwords in, keys out)", ssh: { permitRootLogin: 'yes', passwordAuthentication: true, pubkeyAuthentication: false } },
  { name: 'a locked-down one', ssh: { permitRootLogin: 'no', passwordAuthentication: false, pubkeyAuthentication: true } },
  { name: 'root by forced commands, no keys, passwords untouched', ssh: { permitRootLogin: 'forced-commands-only', passwordAuthentication: null, pubkeyAuthentication: false } },
  { name: 'passwords only, the rest untouched', ssh: { permitRootLogin: null, passwordAuthentication: true, pubkeyAuthentication: null } },
];

describe.skipIf(missingTools('sed').length > 0 || !hasPython())('el7: the rendered sed over a CentOS 7 sshd_config', () => {
  let folder: string;
  let hostKey: string;
  let article: VmPlan;
  const sshd = findSshd();
  beforeAll(async () => {
    folder = await mkdtemp(path.join(tmpdir(), 'cloudseed-el7-sshd-'));
    if (sshd !== null) hostKey = await createHostKey(folder);
    article = await planOf('centos7-macvtap.yaml', 'vm3');
  });
  afterAll(() => rm(folder, { recursive: true, force: true }));

  /** The sed command of the VM's runcmd, run over `file` instead of /etc/ssh/sshd_config. */
  async function runRenderedSed(vm: VmPlan, file: string): Promise<void> {
    const { runcmd = [] } = await userDataOf(vm);
    const sed = runcmd.find((command): command is string[] => Array.isArray(command) && command[0] === 'sed');
    expect(sed, JSON.stringify(runcmd)).toBeDefined();
    expect(sed!.at(-1)).toBe('/etc/ssh/sshd_config');
    expect(runcmd.at(-1), 'sshd must be restarted after the edit').toEqual(['systemctl', 'restart', 'sshd']);
    const result = await runCommand('sed', [...sed!.slice(1, -1), file]);
    expect(result.exitCode, describeRun(result)).toBe(0);
  }

  async function expectEffective(file: string, requested: Map<string, string>, untouched: Map<string, string>): Promise<void> {
    const text = await readFile(file, 'utf8');
    for (const [keyword, value] of requested) expect(firstGlobalValue(text, keyword)?.toLowerCase(), keyword).toBe(value);
    if (sshd === null) {
      console.warn('skipping sshd -T: openssh-server is not installed; checked by reading the first value only');
      return;
    }
    const effective = await effectiveSshdConfig(sshd, file, { hostKey });
    const forMatchedUser = await effectiveSshdConfig(sshd, file, { hostKey, connection: 'user=anoncvs,host=client.example,addr=192.0.2.10' });
    for (const [keyword, value] of [...requested, ...untouched]) {
      expect(effective.get(keyword), `${keyword} for everyone`).toBe(value);
      expect(forMatchedUser.get(keyword), `${keyword} for the user of the Match block`).toBe(value);
    }
  }

  for (const variant of el7Variants) {
    it(`gives sshd the requested settings: ${variant.name}, also when the seed is applied a second time`, async () => {
      const vm: VmPlan = { ...article, ssh: variant.ssh };
      const requested = requestedSettings(variant.ssh);
      const file = path.join(folder, `sshd_config-${el7Variants.indexOf(variant)}`);
      await copyFile(centos7Config, file);
      // Keywords the VM does not set keep the value they had, which sshd -T tells for the unchanged file.
      const before = sshd === null ? new Map<string, string>() : await effectiveSshdConfig(sshd, file, { hostKey });
      const untouched = new Map([...before].filter(([keyword]) => Object.values(keywords).some((name) => name.toLowerCase() === keyword) && !requested.has(keyword)));
      // The fixture must disagree with some requested value, or the test could not fail.
      if (sshd !== null) expect([...requested].some(([keyword, value]) => before.get(keyword) !== value)).toBe(true);

      await runRenderedSed(vm, file);
      await expectEffective(file, requested, untouched);
      // A changed spec gives a new instance-id and cloud-init runs runcmd again, on the edited file.
      await runRenderedSed(vm, file);
      await expectEffective(file, requested, untouched);
      const lines = (await readFile(file, 'utf8')).split('\n');
      for (const keyword of requested.keys()) {
        expect(lines.filter((line) => new RegExp(`^\\s*${keyword}\\s`, 'i').test(line)), `${keyword} lines`).toHaveLength(1);
      }
    });
  }

  it('leaves every other line of sshd_config as it was', async () => {
    const file = path.join(folder, 'sshd_config-rest');
    await copyFile(centos7Config, file);
    await runRenderedSed(article, file);
    const isManaged = (line: string) => /^\s*(PermitRootLogin|PasswordAuthentication|PubkeyAuthentication)\s/.test(line);
    const original = (await readFile(centos7Config, 'utf8')).split('\n').filter((line) => !isManaged(line));
    const edited = (await readFile(file, 'utf8')).split('\n');
    expect(edited.slice(0, 3)).toEqual(['PermitRootLogin yes', 'PasswordAuthentication yes', 'PubkeyAuthentication no']);
    expect(edited.slice(3)).toEqual(original);
  });
});

describe.skipIf(!hasPython())('current: the sshd_config.d drop-in included at the top of sshd_config', () => {
  let folder: string;
  let hostKey: string;
  const sshd = findSshd();
  beforeAll(async () => {
    folder = await mkdtemp(path.join(tmpdir(), 'cloudseed-sshd-dropin-'));
    if (sshd !== null) hostKey = await createHostKey(folder);
  });
  afterAll(() => rm(folder, { recursive: true, force: true }));

  const cases = [
    { seed: 'debian12-netplan.yaml', vm: 'web1' },
    { seed: 'fleet-ci-runners.yaml', vm: 'runner-01' },
  ];
  for (const { seed, vm: vmName } of cases) {
    it.skipIf(sshd === null)(`${seed} ${vmName}: sshd -T reads the requested settings, over later contrary ones`, async () => {
      const vm = await planOf(seed, vmName);
      const dropIns = (await userDataOf(vm)).write_files?.filter((file) => file.path.startsWith('/etc/ssh/sshd_config.d/')) ?? [];
      expect(dropIns.map((file) => file.path)).toEqual(['/etc/ssh/sshd_config.d/00-cloudseed.conf']);
      const root = path.join(folder, vmName);
      const dropInDir = path.join(root, 'sshd_config.d');
      await mkdir(dropInDir, { recursive: true });
      await writeFile(path.join(dropInDir, '00-cloudseed.conf'), dropIns[0]!.content);
      const requested = requestedSettings(vm.ssh);
      expect(requested.size).toBeGreaterThan(0);
      // A later drop-in that says the opposite of each, as cloud-init's own 50-cloud-init.conf (ssh_pwauth)
      // does on Ubuntu images: it comes later in the glob's order, so it must lose.
      const contrary = [...requested].map(([keyword, value]) => `${keyword} ${value === 'no' ? 'yes' : 'no'}\n`).join('');
      await writeFile(path.join(dropInDir, '50-cloud-init.conf'), contrary);
      const config = path.join(root, 'sshd_config');
      await writeFile(config, (await readFile(debian12Config, 'utf8')).replace('@DROP_IN_DIR@', dropInDir));

      const effective = await effectiveSshdConfig(sshd!, config, { hostKey });
      for (const [keyword, value] of requested) expect(effective.get(keyword), keyword).toBe(value);
      await rm(path.join(dropInDir, '00-cloudseed.conf'));
      const withoutDropIn = await effectiveSshdConfig(sshd!, config, { hostKey });
      for (const [keyword, value] of requested) expect(withoutDropIn.get(keyword), `${keyword} without the drop-in`).not.toBe(value);
    });
  }
});
