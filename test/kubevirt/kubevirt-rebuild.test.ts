// A 1,000-VM pattern fleet built for KubeVirt: every object kubectl kustomize renders passes its schema,
// a rebuild of an unchanged spec leaves every file as it was, and a change to one VM changes only that
// VM's manifest.
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { buildFleet } from '../../src/index.js';
import { formatKubeSchemaProblems } from '../support/kube-schema.js';
import { describeRun, runCommand } from '../support/run-command.js';
import { missingTools } from '../support/tools.js';

const workDir = mkdtempSync(path.join(tmpdir(), 'cloudseed-kubevirt-rebuild-'));
afterAll(() => rm(workDir, { recursive: true, force: true }));

function patternFleet(override: string[] = []): string {
  return [
    'fleet: big',
    'kubevirt: { namespace: big-fleet }',
    'pools:',
    '  lan: { cidr: 10.80.0.0/20, gateway: 10.80.0.1, dns: { servers: [10.80.0.1] } }',
    'defaults:',
    '  rootPassword: "Kube-Fleet-Secret-42"',
    '  network: { nics: [ { device: eth0, pool: lan, host: { type: bridge, bridge: br-fleet } } ] }',
    '  domain: { memory: 1024, vcpus: 1, rootDisk: { base: /var/lib/libvirt/images/base.qcow2, size: 8G } }',
    '  kubevirt: { rootDisk: { pvc: golden/base-image }, runStrategy: RerunOnFailure }',
    'vms:',
    '  - name: node-{0001..1000}',
    ...override,
    '',
  ].join('\n');
}

/** sha256 and inode of every file under the kubevirt folder and the VM folders' manifests. */
function snapshot(out: string): Map<string, { sha: string; inode: number }> {
  const files = new Map<string, { sha: string; inode: number }>();
  const add = (relative: string) => {
    const file = path.join(out, relative);
    files.set(relative, { sha: createHash('sha256').update(readFileSync(file)).digest('hex'), inode: statSync(file).ino });
  };
  for (const name of readdirSync(path.join(out, 'kubevirt'))) add(path.join('kubevirt', name));
  return files;
}

describe.skipIf(missingTools('kubectl').length > 0)('a 1,000-VM fleet for KubeVirt', () => {
  const spec = path.join(workDir, 'big.yaml');
  const out = path.join(workDir, 'out');

  it('renders 1,000 VirtualMachines and their Secrets through kubectl kustomize, every object valid', async () => {
    writeFileSync(spec, patternFleet());
    const result = await buildFleet(spec, { outputDir: out, platform: 'kubevirt' });
    expect(result.vms).toHaveLength(1000);
    const kustomize = await runCommand('kubectl', ['kustomize', path.join(out, 'kubevirt')]);
    expect(kustomize.exitCode, describeRun(kustomize).slice(0, 2000)).toBe(0);
    const objects = parseAllDocuments(kustomize.stdout).map((document) => document.toJS() as { kind: string; metadata: { namespace?: string } });
    const count = (kind: string) => objects.filter((object) => object.kind === kind).length;
    expect([count('VirtualMachine'), count('Secret'), count('NetworkAttachmentDefinition')]).toEqual([1000, 1000, 1]);
    expect(objects.every((object) => object.metadata.namespace === 'big-fleet')).toBe(true);
    expect(formatKubeSchemaProblems(objects)).toEqual([]);
  }, 300_000);

  it('leaves every file as it was when nothing changed, and changes one VM\'s manifest alone when one VM changed', async () => {
    const before = snapshot(out);
    const again = await buildFleet(spec, { outputDir: out, platform: 'kubevirt' });
    expect(again.vms.filter((vm) => vm.status === 'built')).toHaveLength(0);
    expect(snapshot(out)).toEqual(before);

    writeFileSync(spec, patternFleet(['    overrides:', '      node-0500: { domain: { memory: 4096 } }']));
    const changed = await buildFleet(spec, { outputDir: out, platform: 'kubevirt' });
    expect(changed.vms.filter((vm) => vm.status === 'built').map((vm) => vm.plan.name)).toEqual(['node-0500']);
    const after = snapshot(out);
    const differing = [...after].filter(([name, file]) => before.get(name)?.sha !== file.sha).map(([name]) => name);
    expect(differing).toEqual([path.join('kubevirt', 'node-0500.yaml')]);
    expect(readFileSync(path.join(out, 'kubevirt', 'node-0500.yaml'), 'utf8')).toContain('guest: 4096Mi');
    // Unchanged VMs keep their files, inode and all.
    expect(after.get(path.join('kubevirt', 'node-0499.yaml'))).toEqual(before.get(path.join('kubevirt', 'node-0499.yaml')));
  }, 300_000);
});
