// user-data as a person reads it: a key whose value is a block collection ends its line at the colon
// (no trailing space), and a short list stays on one line.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { validateSpec } from '../../src/output/build-fleet.js';

const workspace = mkdtempSync(path.join(tmpdir(), 'cloudseed-layout-'));
afterAll(() => rmSync(workspace, { recursive: true, force: true }));

it('leaves no line of user-data ending in a space', async () => {
  const file = path.join(workspace, 'spec.json');
  writeFileSync(file, JSON.stringify({
    fleet: 'layout',
    vms: [{
      name: 'vm1',
      groups: [{ admins: ['root'] }, 'auditors'],
      users: [{ name: 'ops', groups: ['adm', 'auditors'], sshAuthorizedKeys: ['ssh-ed25519 AAAAC3Nza ops@a', 'ssh-ed25519 AAAAC3Nzb ops@b'] }],
      packages: ['htop', 'jq'],
      runcmd: ['echo one', ['touch', '/var/tmp/two']],
      domain: { rootDisk: { base: '/img/a.qcow2' }, statusChannel: true },
    }],
  }));
  const { documents } = await validateSpec(file, { outputDir: path.join(workspace, 'out'), environment: { kvmUsable: false, fileExists: () => true }, saltSecret: 'test' });
  const userData = documents[0]!.userData;
  expect(userData.split('\n').filter((line) => / $/.test(line)), userData).toEqual([]);
  expect(userData).toMatch(/^groups:\n {2}- admins: \[root\]\n {2}- auditors$/m);
  expect(userData).toMatch(/^ {4}groups: \[adm, auditors\]$/m);
  expect(userData).toMatch(/^runcmd:\n {2}- echo one\n {2}- \[touch, \/var\/tmp\/two\]$/m);
});
