// build --for kubevirt on the examples in seeds/, checked with the real tools: kubectl kustomize renders
// the folder a user applies, every object it renders passes the vendored KubeVirt, CDI, Multus and
// Kubernetes schemas, and the documents inside are the ones the libvirt seed carries, which cloud-init's
// own schema check and network renderer accept.
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments, parse } from 'yaml';
import { buildFleet } from '../../src/index.js';
import { checkCloudConfigSchema, convertNetworkConfig } from '../support/cloud-init-tools.js';
import { formatKubeSchemaProblems } from '../support/kube-schema.js';
import { describeRun, mapLimited, runCommand } from '../support/run-command.js';
import { missingTools } from '../support/tools.js';
import { repositoryRoot } from '../cli/support/run-cloudseed.js';

interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: unknown;
}

const seeds = ['centos7-macvtap.yaml', 'debian12-netplan.yaml', 'fleet-ci-runners.yaml', 'fleet-web-pattern.yaml'];
const workDir = mkdtempSync(path.join(tmpdir(), 'cloudseed-kubevirt-'));
afterAll(() => rm(workDir, { recursive: true, force: true }));

function objectsOf(text: string): KubeObject[] {
  return parseAllDocuments(text).map((document) => {
    expect(document.errors).toEqual([]);
    return document.toJS() as KubeObject;
  });
}

/** The user-data and network-config a VirtualMachine hands its guest, from its Secret or inline. */
function cloudInitOf(vm: KubeObject, objects: readonly KubeObject[]): { userData: string; networkConfig: string } {
  const spec = vm.spec as { template: { spec: { volumes: { name: string; cloudInitNoCloud?: Record<string, unknown> }[] } } };
  const volume = spec.template.spec.volumes.find((candidate) => candidate.cloudInitNoCloud !== undefined)!.cloudInitNoCloud!;
  if (volume.userData !== undefined) return { userData: volume.userData as string, networkConfig: volume.networkData as string };
  const secretOf = (ref: unknown) => {
    const name = (ref as { name: string }).name;
    const secret = objects.find((object) => object.kind === 'Secret' && object.metadata.name === name);
    expect(secret, `Secret ${name} of VM ${vm.metadata.name}`).toBeDefined();
    return secret!.data as Record<string, string>;
  };
  const decode = (text: string) => Buffer.from(text, 'base64').toString('utf8');
  return { userData: decode(secretOf(volume.secretRef).userdata!), networkConfig: decode(secretOf(volume.networkDataSecretRef).networkdata!) };
}

describe.skipIf(missingTools('kubectl', 'cloud-init').length > 0)('build --for kubevirt of every example', () => {
  const built = new Map<string, { kubevirtDir: string; libvirtDir: string; rendered: KubeObject[]; vmNames: string[] }>();

  beforeAll(async () => {
    for (const seed of seeds) {
      const spec = path.join(repositoryRoot, 'seeds', seed);
      const kubevirtDir = path.join(workDir, `kubevirt-${seed}`);
      const libvirtDir = path.join(workDir, `libvirt-${seed}`);
      const result = await buildFleet(spec, { outputDir: kubevirtDir, platform: 'kubevirt', namespace: 'fleet-test' });
      await buildFleet(spec, { outputDir: libvirtDir, renderOnly: true });
      const kustomize = await runCommand('kubectl', ['kustomize', path.join(kubevirtDir, 'kubevirt')]);
      expect(kustomize.exitCode, describeRun(kustomize)).toBe(0);
      built.set(seed, { kubevirtDir, libvirtDir, rendered: objectsOf(kustomize.stdout), vmNames: result.plan.vms.map((vm) => vm.name) });
    }
  }, 600_000);

  it.each(seeds)('%s: kubectl kustomize renders one VirtualMachine per VM, and every object passes its schema', (seed) => {
    const { rendered, vmNames } = built.get(seed)!;
    expect(formatKubeSchemaProblems(rendered)).toEqual([]);
    const virtualMachines = rendered.filter((object) => object.kind === 'VirtualMachine');
    expect(virtualMachines.map((vm) => vm.metadata.name).sort()).toEqual([...vmNames].sort());
    for (const object of rendered) {
      expect(object.metadata.namespace, `${object.kind} ${object.metadata.name}`).toBe('fleet-test');
      expect(object.metadata.labels?.['cloudseed.io/fleet'], `${object.kind} ${object.metadata.name}`).toBe(parse(readFileSync(path.join(repositoryRoot, 'seeds', seed), 'utf8')).fleet);
    }
  });

  it.each(seeds)('%s: what kustomize renders is what the files hold, with the namespace set', (seed) => {
    const { kubevirtDir, rendered } = built.get(seed)!;
    const folder = path.join(kubevirtDir, 'kubevirt');
    const fromFiles = readdirSync(folder).filter((name) => name !== 'kustomization.yaml').flatMap((name) => objectsOf(readFileSync(path.join(folder, name), 'utf8')));
    const key = (object: KubeObject) => `${object.kind}/${object.metadata.name}`;
    const withNamespace = fromFiles.map((object) => ({ ...object, metadata: { ...object.metadata, namespace: 'fleet-test' } }));
    const sorted = (objects: KubeObject[]) => [...objects].sort((a, b) => key(a).localeCompare(key(b)));
    expect(sorted(rendered)).toEqual(sorted(withNamespace));
  });

  it.each(seeds)('%s: every VM hands its guest the user-data and network-config of its libvirt seed', (seed) => {
    const { rendered, libvirtDir } = built.get(seed)!;
    for (const vm of rendered.filter((object) => object.kind === 'VirtualMachine')) {
      const name = vm.metadata.name;
      const { userData, networkConfig } = cloudInitOf(vm, rendered);
      expect(Buffer.from(userData).equals(readFileSync(path.join(libvirtDir, name, 'user-data'))), `${name} user-data`).toBe(true);
      const libvirtNetwork = readFileSync(path.join(libvirtDir, name, 'network-config'), 'utf8');
      if (seed !== 'debian12-netplan.yaml') {
        expect(networkConfig, `${name} network-config`).toBe(libvirtNetwork);
        continue;
      }
      // Its NIC is on the pod network, where KubeVirt's DHCP gives the address: the one difference.
      const onLibvirt = parse(libvirtNetwork) as { ethernets: Record<string, Record<string, unknown>> };
      const onKubevirt = parse(networkConfig) as { ethernets: Record<string, Record<string, unknown>> };
      expect(onLibvirt.ethernets.eth0!.addresses).toEqual(['192.168.122.50/24']);
      expect(onKubevirt.ethernets.eth0).toEqual({ match: onLibvirt.ethernets.eth0!.match, 'set-name': 'eth0', dhcp4: true });
    }
  });

  it('keeps password hashes out of the VirtualMachine and never writes a plaintext password', () => {
    for (const seed of seeds) {
      const { rendered } = built.get(seed)!;
      for (const vm of rendered.filter((object) => object.kind === 'VirtualMachine')) {
        const { userData } = cloudInitOf(vm, rendered);
        const inline = JSON.stringify(vm);
        if (/\$6\$|\$5\$|\$y\$/.test(userData)) expect(inline, `${seed} ${vm.metadata.name}`).not.toMatch(/\$6\$|\$5\$|\$y\$/);
      }
      const text = readdirSync(path.join(built.get(seed)!.kubevirtDir, 'kubevirt')).map((name) => readFileSync(path.join(built.get(seed)!.kubevirtDir, 'kubevirt', name), 'utf8')).join('\n');
      for (const password of ['222222', '333333', 'runner-pass', 'root-secret', 'c0rrect horse']) expect(text).not.toContain(password);
    }
  });

  it('hands cloud-init documents that its schema check and network renderer accept', async () => {
    const documents = new Map<string, 'user-data' | 'network-config'>();
    for (const { rendered } of built.values()) {
      for (const vm of rendered.filter((object) => object.kind === 'VirtualMachine')) {
        const { userData, networkConfig } = cloudInitOf(vm, rendered);
        documents.set(userData, 'user-data');
        documents.set(networkConfig, 'network-config');
      }
    }
    const items = [...documents].map(([text, kind], index) => ({ text, kind, index }));
    const results = await mapLimited(items, availableParallelism(), async ({ text, kind, index }) => {
      if (kind === 'network-config') {
        // net-convert has nothing to render of the one document that turns networking off.
        if (JSON.stringify(parse(text)) === JSON.stringify({ config: 'disabled' })) return { kind, text, result: { command: 'none', exitCode: 0, stdout: '', stderr: '' } };
        const converted = await convertNetworkConfig(text, { renderer: 'netplan', distro: 'ubuntu', outputDir: path.join(workDir, `net-${index}`) });
        return { kind, text, result: converted.result };
      }
      const file = path.join(workDir, `user-data-${index}`);
      await writeFile(file, text);
      return { kind, text, result: await checkCloudConfigSchema(file) };
    });
    expect(results.length).toBeGreaterThan(4);
    for (const { kind, text, result } of results) {
      expect(result.exitCode, `${kind}\n${text}\n${describeRun(result)}`).toBe(0);
      if (kind === 'user-data') expect(result.stdout).toContain('Valid cloud-config');
    }
  }, 600_000);

  it('writes OUT/kubevirt as a link, and no seed image, domain or qemu.sh', () => {
    const { kubevirtDir } = built.get('fleet-ci-runners.yaml')!;
    expect(readdirSync(path.join(kubevirtDir, 'runner-01')).sort()).toEqual(['.cloudseed-vm', 'kubevirt.yaml', 'network-config', 'user-data']);
    expect(existsSync(path.join(kubevirtDir, 'kubevirt', 'kustomization.yaml'))).toBe(true);
  });
});
