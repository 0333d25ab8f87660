// seeds/centos7-macvtap.yaml is the article's VM (CentOS 7, macvtap, a static ifcfg-eth0, chpasswd,
// sshd opened up). Its user-data must mean what the article's hand-written one means, its ifcfg-eth0
// must say what cloud-init's own sysconfig renderer says for the same NIC, and its four documents are
// golden files.
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifySha512Crypt } from '../../src/plan/sha512-crypt.js';
import { renderVm } from '../../src/render/render-vm.js';
import { convertNetworkConfig, netmaskOf } from '../support/cloud-init-tools.js';
import { loadWithPyYaml } from '../support/python-worker.js';
import { describeRun, readShellVariables } from '../support/run-command.js';
import { missingTools } from '../support/tools.js';
import { loadSeed, seedsDir, writtenFile, type Example, type UserDataDocument } from './load-examples.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const articleUserData = path.join(here, 'fixtures/article-user-data');
const goldenDir = path.join(here, 'golden/centos7-macvtap');
const ifcfgPath = '/etc/sysconfig/network-scripts/ifcfg-eth0';

let example: Example;

beforeAll(async () => {
  const [vm3] = await loadSeed(path.join(seedsDir, 'centos7-macvtap.yaml'));
  example = { seed: 'centos7-macvtap.yaml', ...vm3!, userData: {}, metaData: {}, networkConfig: {} };
});

/** vm3's user-data as cloud-init reads it. */
async function readUserData(): Promise<void> {
  const [userData] = await loadWithPyYaml([example.documents.userData]);
  if (userData?.error !== undefined) throw new Error(`PyYAML cannot read vm3's user-data: ${userData?.error}`);
  example.userData = userData!.value as UserDataDocument;
}

/** `name:password` lines of a chpasswd list. */
function chpasswdEntries(list: string | undefined): { name: string; password: string }[] {
  return (list ?? '').split('\n').filter(Boolean).map((entry) => {
    const colon = entry.indexOf(':');
    return { name: entry.slice(0, colon), password: entry.slice(colon + 1) };
  });
}

describe.skipIf(missingTools('python3', 'bash').length > 0)("vm3's user-data against the article's", () => {
  let article: UserDataDocument;
  beforeAll(async () => {
    await readUserData();
    const [parsed] = await loadWithPyYaml([await readFile(articleUserData, 'utf8')]);
    article = parsed!.value as UserDataDocument;
  });

  it('has the same groups, ssh_pwauth and chpasswd expiry', () => {
    expect(example.vm.target).toBe('el7');
    expect(example.userData.groups).toEqual(article.groups);
    expect(article.ssh_pwauth).toBe(true);
    expect(example.userData.ssh_pwauth).toBe(true);
    expect(article.chpasswd?.expire).toBe(false);
    expect(example.userData.chpasswd?.expire).toBe(false);
  });

  it("sets the article's passwords for the same users, as hashes that verify", () => {
    const theirs = chpasswdEntries(article.chpasswd?.list);
    const ours = chpasswdEntries(example.userData.chpasswd?.list);
    expect(ours.map((entry) => entry.name)).toEqual(theirs.map((entry) => entry.name));
    theirs.forEach((entry, index) => {
      expect(ours[index]!.password).not.toBe(entry.password);
      expect(verifySha512Crypt(entry.password, ours[index]!.password), entry.name).toBe(true);
    });
  });

  it('starts the network service', () => {
    expect(article.runcmd).toContain('systemctl start network');
    expect(example.userData.runcmd).toContain('systemctl start network');
  });

  it("writes an ifcfg-eth0 with every key and value of the article's", async () => {
    const theirs = article.write_files?.find((file) => file.path === ifcfgPath)?.content ?? '';
    const keys = [...new Set([...theirs.matchAll(/^([A-Z0-9_]+)=/gm)].map((match) => match[1]!))];
    expect(keys).toEqual(['DEVICE', 'ONBOOT', 'TYPE', 'USERCTL', 'IPADDR', 'NETMASK', 'GATEWAY', 'BOOTPROTO', 'DNS1']);
    expect(await readShellVariables(writtenFile(example, ifcfgPath), keys)).toEqual(await readShellVariables(theirs, keys));
  });
});

describe.skipIf(missingTools('cloud-init', 'python3', 'bash').length > 0)("vm3's ifcfg-eth0 against cloud-init's sysconfig renderer", () => {
  let workDir: string;
  beforeAll(async () => {
    await readUserData();
    workDir = await mkdtemp(path.join(tmpdir(), 'cloudseed-centos7-'));
  });
  afterAll(() => rm(workDir, { recursive: true, force: true }));

  it('says the same DEVICE, HWADDR, IPADDR, NETMASK, GATEWAY and DNS1 as network-config v2 rendered for CentOS', async () => {
    expect(example.vm.network).toMatchObject({ config: 'disabled', ifcfg: true });
    const asV2 = renderVm({ ...example.vm, network: { ...example.vm.network, config: 'v2' } });
    const { result, files } = await convertNetworkConfig(asV2.networkConfig, { renderer: 'sysconfig', distro: 'centos', outputDir: workDir });
    expect(result.exitCode, describeRun(result)).toBe(0);
    const theirText = files.get('etc/sysconfig/network-scripts/ifcfg-eth0');
    expect(theirText, [...files.keys()].join('\n')).toBeDefined();

    const keys = ['DEVICE', 'HWADDR', 'IPADDR', 'NETMASK', 'PREFIX', 'GATEWAY', 'DNS1'];
    const normalize = (variables: Record<string, string | null>) => ({
      DEVICE: variables.DEVICE,
      HWADDR: variables.HWADDR?.toLowerCase(),
      IPADDR: variables.IPADDR,
      NETMASK: variables.NETMASK ?? (variables.PREFIX === null ? null : netmaskOf(Number(variables.PREFIX))),
      GATEWAY: variables.GATEWAY,
      DNS1: variables.DNS1,
    });
    const theirs = normalize(await readShellVariables(theirText!, keys));
    const ours = normalize(await readShellVariables(writtenFile(example, ifcfgPath), keys));
    const context = `cloud-init's:\n${theirText}\ncloudseed's:\n${writtenFile(example, ifcfgPath)}`;
    expect(ours, context).toEqual(theirs);
    expect(ours, context).toEqual({ DEVICE: 'eth0', HWADDR: '52:54:00:56:e4:20', IPADDR: '172.17.0.2', NETMASK: '255.255.0.0', GATEWAY: '172.17.0.1', DNS1: '172.17.0.1' });
  });
});

describe('golden files of seeds/centos7-macvtap.yaml', () => {
  const update = process.env.UPDATE_GOLDEN === '1';

  it.each(['user-data', 'meta-data', 'network-config', 'domain.xml', 'qemu.sh'])('%s is byte for byte the golden file', async (name) => {
    const { documents } = example;
    const actual = { 'user-data': documents.userData, 'meta-data': documents.metaData, 'network-config': documents.networkConfig, 'domain.xml': documents.domainXml, 'qemu.sh': documents.qemuScript }[name]!;
    const file = path.join(goldenDir, name);
    if (update) {
      await mkdir(goldenDir, { recursive: true });
      await writeFile(file, actual);
      return;
    }
    const hint = `${path.relative(process.cwd(), file)} differs from what cloudseed renders now. If the change is intended, ` +
      'rewrite the golden files with `UPDATE_GOLDEN=1 npx vitest run test/examples` and review their diff.';
    const expected = await readFile(file).catch(() => null);
    expect(expected, `${hint} (the file is missing)`).not.toBeNull();
    expect(actual, hint).toBe(expected!.toString('utf8'));
    expect(Buffer.from(actual, 'utf8').equals(expected!), `${hint} (same text, other bytes)`).toBe(true);
  });
});
