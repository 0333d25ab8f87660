// What cloudseed does for the limits older cloud-init releases showed on real guests: files from bytes
// (encoding b64), deferred files (`defer`, and el7's emulation of it, run here for real), the fqdn in
// /etc/hosts, and the warning for a v2 route metric, whose claim is checked against cloud-init's own
// renderers on this machine.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { validateSpec } from '../../src/output/build-fleet.js';
import { checkCloudConfigSchema, convertNetworkConfig, type NetworkRenderer } from '../support/cloud-init-tools.js';
import { errorRejectedBy } from '../support/cloudseed-errors.js';
import { missingTools } from '../support/tools.js';

const environment = { kvmUsable: false, fileExists: () => true };
const workspace = mkdtempSync(path.join(tmpdir(), 'cloudseed-generations-'));
afterAll(() => rmSync(workspace, { recursive: true, force: true }));
let specs = 0;

const allBytes = Buffer.from(Array.from({ length: 256 }, (_, index) => index));
writeFileSync(path.join(workspace, 'all-bytes.bin'), allBytes);
mkdirSync(path.join(workspace, 'a-folder'));

interface UserDataFile {
  path: string;
  content: string;
  encoding?: string;
  permissions?: string;
  owner?: string;
  append?: boolean;
  defer?: boolean;
}

interface UserData {
  write_files?: UserDataFile[];
  runcmd?: (string | string[])[];
  fqdn?: string;
  manage_etc_hosts?: string | boolean;
}

function specFile(vm: object): string {
  const file = path.join(workspace, `spec-${specs++}.yaml`);
  const spec = { fleet: 'generations', vms: [{ name: 'vm1', domain: { rootDisk: { base: '/img/a.qcow2' } }, ...vm }] };
  writeFileSync(file, JSON.stringify(spec));
  return file;
}

async function build(vm: object) {
  return validateSpec(specFile(vm), { outputDir: path.join(workspace, 'out'), environment, saltSecret: 'test' });
}

async function userDataOf(vm: object): Promise<{ text: string; document: UserData }> {
  const text = (await build(vm)).documents[0]!.userData;
  return { text, document: parse(text) as UserData };
}

async function problemsOf(vm: object): Promise<string[]> {
  const error = await errorRejectedBy(build(vm));
  expect(error.code).toBe('SPEC_INVALID');
  return error.problems.map((problem) => `${problem.location.field}: ${problem.message}`);
}

const specFileOf = (document: UserData, filePath: string) => document.write_files?.filter((file) => file.path === filePath) ?? [];

const schemaSkip = missingTools('cloud-init').length > 0;

async function expectValidCloudConfig(text: string): Promise<void> {
  if (schemaSkip) return;
  const file = path.join(workspace, `user-data-${specs++}`);
  writeFileSync(file, text);
  const result = await checkCloudConfigSchema(file);
  expect(result.exitCode, `${result.stdout}${result.stderr}\n${text}`).toBe(0);
}

describe('writeFiles from bytes', () => {
  it('writes a source file beside the spec byte for byte, as base64 cloud-init decodes', async () => {
    const { text, document } = await userDataOf({ writeFiles: [{ path: '/opt/blob', source: 'all-bytes.bin', permissions: '0755' }] });
    const [file] = specFileOf(document, '/opt/blob');
    expect(file).toMatchObject({ encoding: 'b64', permissions: '0755' });
    expect(Buffer.from(file!.content, 'base64').equals(allBytes)).toBe(true);
    await expectValidCloudConfig(text);
  });

  it('takes inline base64 with line breaks, and text as text', async () => {
    const encoded = allBytes.toString('base64');
    const folded = encoded.replace(/(.{60})/g, '$1\n');
    const { document } = await userDataOf({
      writeFiles: [{ path: '/opt/inline', content: folded, encoding: 'base64' }, { path: '/etc/plain', content: 'SGVsbG8=', encoding: 'text' }],
    });
    expect(specFileOf(document, '/opt/inline')).toEqual([{ path: '/opt/inline', content: encoded, encoding: 'b64' }]);
    expect(specFileOf(document, '/etc/plain')).toEqual([{ path: '/etc/plain', content: 'SGVsbG8=' }]);
  });

  it('refuses a file with no content or two, bad base64, and a source that is missing, a folder or too big', async () => {
    const big = path.join(workspace, 'big.bin');
    writeFileSync(big, '');
    truncateSync(big, 4 * 1024 * 1024 + 1);
    const problems = await problemsOf({
      writeFiles: [
        { path: '/a' },
        { path: '/b', content: 'x', source: 'all-bytes.bin' },
        { path: '/c', content: 'not base64!', encoding: 'base64' },
        { path: '/d', source: 'nowhere.bin' },
        { path: '/e', source: 'a-folder' },
        { path: '/f', source: 'big.bin' },
        { path: '/g', source: 'all-bytes.bin', encoding: 'base64' },
      ],
    });
    expect(problems).toEqual([
      expect.stringMatching(/^vms\[0\]\.writeFiles\[0\]: a file needs its content: expected content .* or source/),
      expect.stringMatching(/^vms\[0\]\.writeFiles\[1\]: content and source both give/),
      expect.stringMatching(/^vms\[0\]\.writeFiles\[2\]\.content: with encoding: base64, content must be base64/),
      `vms[0].writeFiles[3].source: ${path.join(workspace, 'nowhere.bin')} does not exist (a relative path is relative to the spec's folder)`,
      `vms[0].writeFiles[4].source: ${path.join(workspace, 'a-folder')} is a folder; expected a file`,
      expect.stringMatching(/^vms\[0\]\.writeFiles\[5\]\.source: .*big\.bin holds 4194305 bytes; expected at most 4194304/),
      'vms[0].writeFiles[6].encoding: encoding applies to content; a source file is written byte for byte',
    ]);
  });
});

describe('writeFiles with defer', () => {
  const deferred = { path: '/home/ops/.config/app.conf', content: 'owned by ops\n', owner: 'ops:ops', permissions: '0640', defer: true };

  it('passes defer: true to current cloud-init, which writes the file after users exist', async () => {
    const { text, document } = await userDataOf({ users: [{ name: 'ops' }], writeFiles: [deferred] });
    expect(specFileOf(document, deferred.path)).toEqual([{ ...deferred, defer: true }]);
    await expectValidCloudConfig(text);
  });

  it('stages the file for el7, whose cloud-init has no defer, and runcmd puts it in place before the spec\'s commands', async () => {
    const { text, document } = await userDataOf({
      target: 'el7', users: [{ name: 'ops' }], writeFiles: [deferred], runcmd: ['echo spec-command'],
    });
    expect(specFileOf(document, deferred.path)).toEqual([]);
    expect(specFileOf(document, '/run/cloudseed-deferred/0')).toEqual([
      { path: '/run/cloudseed-deferred/0', content: deferred.content, permissions: '0600', owner: 'root:root' },
    ]);
    expect(text).not.toMatch(/^\s*defer:/m);
    const [place, ...rest] = document.runcmd!;
    expect(place).toEqual(['sh', '-c', expect.any(String), 'cloudseed-deferred', '/run/cloudseed-deferred/0', deferred.path, '0640', 'ops:ops']);
    expect(rest[0]).toBe('echo spec-command');
    await expectValidCloudConfig(text);
  });

  // runcmd's own command, run here as cloud-init would (as root), on paths in a scratch folder.
  it.skipIf(process.getuid?.() !== 0)('the el7 placement writes content, mode and owner, appends, and removes the staged copy', async () => {
    const scratch = mkdtempSync(path.join(workspace, 'place-'));
    const files = [
      { path: '/x/new/file', content: 'fresh\n', owner: 'nobody:nogroup', permissions: '0640', defer: true },
      { path: '/x/log', content: 'appended\n', owner: 'nobody', permissions: '0600', append: true, defer: true },
    ];
    const { document } = await userDataOf({ target: 'el7', writeFiles: files });
    mkdirSync(path.join(scratch, 'x'));
    writeFileSync(path.join(scratch, 'x', 'log'), 'before\n');
    for (const [index, command] of document.runcmd!.slice(0, 2).entries()) {
      const argv = command as string[];
      const staged = path.join(scratch, `staged-${index}`);
      writeFileSync(staged, specFileOf(document, argv[4]!)[0]!.content, { mode: 0o600 });
      await execa(argv[0]!, [...argv.slice(1, 4), staged, path.join(scratch, argv[5]!), ...argv.slice(6)]);
      expect(existsSync(staged)).toBe(false);
    }
    const nobody = Number(execFileSync('id', ['-u', 'nobody'], { encoding: 'utf8' }));
    const fresh = statSync(path.join(scratch, 'x/new/file'));
    expect({ text: readFileSync(path.join(scratch, 'x/new/file'), 'utf8'), mode: fresh.mode & 0o7777, uid: fresh.uid })
      .toEqual({ text: 'fresh\n', mode: 0o640, uid: nobody });
    expect(statSync(path.join(scratch, 'x/new')).mode & 0o7777).toBe(0o755);
    const log = statSync(path.join(scratch, 'x/log'));
    expect({ text: readFileSync(path.join(scratch, 'x/log'), 'utf8'), mode: log.mode & 0o7777, uid: log.uid })
      .toEqual({ text: 'before\nappended\n', mode: 0o600, uid: nobody });
  });
});

describe('fqdn', () => {
  it('asks cloud-init to put the fqdn in /etc/hosts, leaving the rest of the file alone', async () => {
    const { text, document } = await userDataOf({ hostname: 'web1', fqdn: 'web1.example.test' });
    expect(document).toMatchObject({ fqdn: 'web1.example.test', manage_etc_hosts: 'localhost' });
    await expectValidCloudConfig(text);
    const withoutFqdn = await userDataOf({ hostname: 'web1' });
    expect(withoutFqdn.document.manage_etc_hosts).toBeUndefined();
  });
});

describe('route metrics', () => {
  const nic = (config: string) => ({
    network: {
      config,
      nics: [{ device: 'eth0', address: '10.0.0.5/24', routes: [{ to: '10.1.0.0/16', via: '10.0.0.1', metric: 50 }] }],
    },
  });

  it('warns of a v2 route metric, and not of a v1 one', async () => {
    const warnings = async (config: string) => (await build(nic(config))).plan.warnings.map((warning) => warning.message);
    expect(await warnings('v2')).toEqual([expect.stringMatching(/^eth0: cloud-init before 23\.3 drops the metric of a network-config v2 route unless netplan renders it/)]);
    expect(await warnings('v1')).toEqual([]);
  });

  // The warning's claim, against the renderers of the cloud-init installed here.
  const installed = missingTools('cloud-init').length > 0 ? null
    : /(\d+)\.(\d+)/.exec(execFileSync('cloud-init', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }) || '');
  const keepsV2Metrics = installed !== null && installed !== undefined && Number(installed[1]) * 100 + Number(installed[2]) >= 2303;

  it.skipIf(installed === null)('matches cloud-init\'s renderers: v1 keeps the metric everywhere, v2 only through netplan before 23.3', async () => {
    const renderers: [NetworkRenderer, string][] = [['netplan', 'ubuntu'], ['networkd', 'debian'], ['eni', 'debian'], ['sysconfig', 'centos']];
    const kept: Record<string, Record<string, boolean>> = { v1: {}, v2: {} };
    for (const config of ['v1', 'v2']) {
      const networkConfig = (await build(nic(config))).documents[0]!.networkConfig;
      for (const [renderer, distro] of renderers) {
        const converted = await convertNetworkConfig(networkConfig, { renderer, distro, outputDir: path.join(workspace, `net-${config}-${renderer}`) });
        expect(converted.result.exitCode, converted.result.stderr).toBe(0);
        const rendered = [...converted.files.values()].join('\n');
        expect(rendered).toContain('10.1.0.0');
        kept[config]![renderer] = /metric:? 50|Metric=50|METRIC0=50/i.test(rendered);
      }
    }
    expect(kept.v1).toEqual({ netplan: true, networkd: true, eni: true, sysconfig: true });
    expect(kept.v2).toEqual({ netplan: true, networkd: keepsV2Metrics, eni: keepsV2Metrics, sysconfig: keepsV2Metrics });
  });
});
