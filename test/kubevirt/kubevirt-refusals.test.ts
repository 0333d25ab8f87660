// What a KubeVirt build refuses, and what it only warns of: every refusal names the spec line and
// field, exits 2 and writes nothing; every field KubeVirt does its own way is a warning, never silence.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { looksLikeStackTrace, reportedProblems, runInProcess } from '../cli/support/run-cloudseed.js';

const workDir = mkdtempSync(path.join(tmpdir(), 'cloudseed-kubevirt-refusals-'));
afterAll(() => rm(workDir, { recursive: true, force: true }));
let counter = 0;

/** A one-VM spec that builds for KubeVirt, with `vm` lines added to the VM (indented under it). */
function specWith(vmLines: string[], options: { name?: string; top?: string[] } = {}): string {
  return [
    'fleet: refusals',
    ...(options.top ?? []),
    'vms:',
    `  - name: ${options.name ?? 'web1'}`,
    '    kubevirt:',
    '      rootDisk: { http: "https://images.example/debian.qcow2", size: 10G }',
    ...vmLines.map((line) => `    ${line}`),
    '',
  ].join('\n');
}

async function buildForKubevirt(text: string, extra: string[] = []) {
  const dir = path.join(workDir, `case-${++counter}`);
  const spec = path.join(dir, 'spec.yaml');
  const out = path.join(dir, 'out');
  mkdirSync(dir);
  writeFileSync(spec, text);
  const run = await runInProcess(['build', spec, '--for', 'kubevirt', '-o', out, ...extra]);
  return { ...run, spec, out, problems: reportedProblems(run.stderr, spec) };
}

const refusals: [string, string[], { name?: string }, { line: number; field: string; message: RegExp }][] = [
  ['a tap NIC (type: ethernet)', ['network:', '  nics:', '    - { device: eth0, host: { type: ethernet, tap: tap0 } }'], {}, { line: 8, field: 'vms[0].network.nics[0].host', message: /no KubeVirt equivalent/ }],
  ['a kernel booted from host files', ['domain:', '  kernelBoot: { kernel: /boot/vmlinuz }'], {}, { line: 7, field: 'vms[0].domain.kernelBoot', message: /container image/ }],
  ['an upper-case VM name', [], { name: 'Web1' }, { line: 3, field: 'vms[0].name', message: /RFC 1123/ }],
  ['a 64-character VM name (its hostname set apart)', ['hostname: web1'], { name: 'w'.repeat(64) }, { line: 3, field: 'vms[0].name', message: /at most 63/ }],
  ['a VM name with an underscore (its hostname set apart)', ['hostname: web1'], { name: 'web_1' }, { line: 3, field: 'vms[0].name', message: /RFC 1123/ }],
  ['a second NIC on the pod network', ['network:', '  nics:', '    - { device: eth0, host: { type: user } }', '    - { device: eth1, host: { type: network, network: default } }'], {}, { line: 9, field: 'vms[0].network.nics[1].host', message: /one pod network NIC/ }],
  ['a bridge whose attachment name is not a Kubernetes name', ['network:', '  nics:', '    - { device: eth0, host: { type: bridge, bridge: Br_0 } }'], {}, { line: 8, field: 'vms[0].network.nics[0].host', message: /not a Kubernetes name/ }],
  ['a plaintext password', ['target: el7', 'passwordStorage: plaintext', 'rootPassword: "s3cret-Plain"'], {}, { line: 7, field: 'vms[0].passwordStorage', message: /never carry a plaintext password/ }],
];

describe('build --for kubevirt refuses', () => {
  it.each(refusals)('%s, at its line, with exit 2 and nothing written', async (_, lines, options, expected) => {
    const run = await buildForKubevirt(specWith(lines, options));
    expect(run.code, run.stderr).toBe(2);
    expect(run.problems, run.stderr).toContainEqual(expect.objectContaining({ line: expected.line, field: expected.field, message: expect.stringMatching(expected.message) }));
    expect(looksLikeStackTrace(run.stderr)).toBe(false);
    expect(existsSync(run.out)).toBe(false);
    expect(run.stderr).not.toContain('s3cret-Plain');
  });

  it('a VM without a root disk source, naming what to give', async () => {
    const text = ['fleet: refusals', 'vms:', '  - name: web1', '    domain: { rootDisk: { base: /var/lib/libvirt/images/base.qcow2, size: 10G } }', ''].join('\n');
    const run = await buildForKubevirt(text);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/give kubevirt\.rootDisk one of http: URL, registry: docker:\/\/IMAGE or pvc:/);
    expect(existsSync(run.out)).toBe(false);
  });

  it('a root disk without a size, and a PVC to clone without a namespace', async () => {
    const text = ['fleet: refusals', 'vms:', '  - name: web1', '    kubevirt: { rootDisk: { pvc: golden } }', ''].join('\n');
    const run = await buildForKubevirt(text);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('the DataVolume needs a size');
    expect(run.stderr).toContain('a PVC to clone needs its namespace');
    // With a namespace for the fleet, only the size is missing.
    const withNamespace = await buildForKubevirt(text, ['--namespace', 'lab']);
    expect(withNamespace.stderr).not.toContain('needs its namespace');
  });

  it('two root disk sources in one place', async () => {
    const text = ['fleet: refusals', 'vms:', '  - name: web1', '    kubevirt: { rootDisk: { http: "https://a.example/x.qcow2", registry: "docker://b.example/x:1", size: 1G } }', ''].join('\n');
    const run = await buildForKubevirt(text);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('a root disk has one source');
  });

  it('user-data too large for one Secret (over 1 MiB), naming the VM', async () => {
    const big = 'x'.repeat(1024 * 1024 + 10);
    const run = await buildForKubevirt(specWith(['rootPassword: "Big-Secret-Password"', 'writeFiles:', `  - { path: /var/tmp/big, content: "${big}" }`]));
    expect(run.code, run.stderr.slice(0, 500)).toBe(2);
    expect(run.stderr).toMatch(/spec\.yaml:3:\d+ .*Secret of \d+ bytes, and Kubernetes keeps at most 1048576 \(1 MiB\)/);
    expect(run.stderr).not.toContain('Big-Secret-Password');
    expect(existsSync(run.out)).toBe(false);
  });

  it('a fleet name that cannot be a label value', async () => {
    const run = await buildForKubevirt(specWith([]).replace('fleet: refusals', 'fleet: "refusals of: many kinds"'));
    expect(run.code).toBe(2);
    expect(run.problems).toContainEqual(expect.objectContaining({ line: 1, field: 'fleet', message: expect.stringContaining('label value') }));
  });

  it('an unknown --for and a --namespace that is not one', async () => {
    const spec = path.join(workDir, 'any.yaml');
    writeFileSync(spec, specWith([]));
    expect((await runInProcess(['build', spec, '--for', 'openstack'])).stderr).toContain('expected libvirt or kubevirt');
    expect((await runInProcess(['build', spec, '--for', 'openstack'])).code).toBe(2);
    expect((await runInProcess(['build', spec, '--for', 'kubevirt', '--namespace', 'Lab_1'])).code).toBe(2);
    expect((await runInProcess(['build', spec, '--namespace', 'lab'])).stderr).toContain('add --for kubevirt');
  });
});

describe('a folder built for KubeVirt', () => {
  it('is refused by up, status, down and destroy, which run libvirt domains, and left as it was', async () => {
    const run = await buildForKubevirt(specWith([]));
    expect(run.code, run.stderr).toBe(0);
    const manifest = readFileSync(path.join(run.out, 'manifest.json'), 'utf8');
    for (const command of ['up', 'status', 'down', 'destroy']) {
      const refused = await runInProcess([command, run.out]);
      expect(refused.code, refused.stderr).toBe(2);
      expect(refused.stderr).toContain('holds a build for KubeVirt');
      expect(refused.stderr).toContain('kubectl apply -k');
    }
    // Also when the spec is named and the folder given with -o.
    expect((await runInProcess(['up', run.spec, '-o', run.out])).code).toBe(2);
    expect(readFileSync(path.join(run.out, 'manifest.json'), 'utf8')).toBe(manifest);
  });

  it('validates with --for kubevirt, reporting what build would refuse without writing', async () => {
    const good = await buildForKubevirt(specWith([]));
    const validated = await runInProcess(['validate', good.spec, '--for', 'kubevirt']);
    expect(validated.code, validated.stderr).toBe(0);
    const bad = path.join(path.dirname(good.spec), 'bad.yaml');
    writeFileSync(bad, specWith(['domain:', '  kernelBoot: { kernel: /boot/vmlinuz }']));
    const refused = await runInProcess(['validate', bad, '--for', 'kubevirt']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('container image');
    // The same spec is fine for libvirt, where a kernel from the host is what kernelBoot means.
    expect((await runInProcess(['validate', bad])).stderr).not.toContain('container image');
  });
});

describe('build --for kubevirt warns', () => {
  it('of each libvirt-only field that is set, of a pinned instance-id and of a static address on the pod network', async () => {
    const run = await buildForKubevirt(specWith([
      'instanceId: iid-pinned-1',
      'connect: qemu+ssh://root@host1/system',
      'storagePool: images',
      'domain: { type: kvm, emulator: /usr/bin/qemu-system-x86_64, smbiosNoCloud: true, statusChannel: false, serialConsole: true }',
      'seed: { filesystem: vfat }',
      'network:',
      '  nics:',
      '    - { device: eth0, address: 10.0.0.5/24, gateway: 10.0.0.1, vhost: false, host: { type: network, network: default } }',
      '    - { device: eth1, address: 10.1.0.5/24, host: { type: direct, dev: eth0, mode: vepa } }',
    ], { }), []);
    expect(run.code, run.stderr).toBe(0);
    for (const field of ['connect', 'storagePool', 'domain.type', 'domain.emulator', 'domain.smbiosNoCloud', 'domain.statusChannel', 'domain.serialConsole', 'seed']) {
      expect(run.stderr).toContain(`warning: web1: ${field} is for libvirt and not used on KubeVirt`);
    }
    expect(run.stderr).toMatch(/instanceId iid-pinned-1 is not used on KubeVirt.*firmware UUID [0-9a-f-]{36}/);
    expect(run.stderr).toContain('eth0 is on the pod network');
    expect(run.stderr).toContain('eth0: vhost is not set on KubeVirt');
    expect(run.stderr).toContain('macvtap mode vepa needs a resource "eth0-vepa"');
    // The secondary NIC keeps its static address; the pod NIC takes DHCP.
    const networkConfig = readFileSync(path.join(run.out, 'web1', 'network-config'), 'utf8');
    expect(networkConfig).toContain('10.1.0.5/24');
    expect(networkConfig).not.toContain('10.0.0.5/24');
    expect(statSync(path.join(run.out, 'web1', 'kubevirt.yaml')).mode & 0o777).toBe(0o644);
  });

  it('of the host section once, for the fleet', async () => {
    const run = await buildForKubevirt(specWith([], { }).replace('vms:', 'host:\n  bridges: [{ name: br0 }]\nvms:'));
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr.match(/host: bridges, shims and libvirt networks are made on libvirt hosts only/g)).toHaveLength(1);
  });
});
