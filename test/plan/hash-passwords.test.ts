import { describe, expect, it } from 'vitest';
import { hashFleetPasswords, planFleet, type PlanEnvironment } from '../../src/plan/index.js';
import { collectPasswords } from '../../src/plan/hash-passwords.js';
import { parseSpec } from '../../src/spec/index.js';

const environment: PlanEnvironment = { kvmUsable: false, fileExists: () => true };
const options = { outputDir: '/srv/out', environment, saltSecret: 'test' };

/** Six VMs with their own passwords (user, root, a chpasswd entry), one sharing the defaults', one el7 in plaintext. */
const spec = parseSpec(`
fleet: f
defaults:
  domain: { rootDisk: { base: /img/base.qcow2 } }
  users: [{ name: ops, password: shared-pass }]
  rootPassword: shared-root
vms:
${[1, 2, 3, 4, 5, 6].map((n) => `  - name: vm${n}
    users: [{ name: ops, password: "ops ${n}: é" }, { name: app, passwordHash: "$6$abc$${'x'.repeat(86)}" }]
    rootPassword: root-${n}
    chpasswd: { users: [{ name: centos, password: centos-${n} }] }`).join('\n')}
  - name: same
  - name: old
    target: el7
    passwordStorage: plaintext
    rootPassword: not-hashed
`, 'fleet.yaml');

describe('hashFleetPasswords', () => {
  it('collects each distinct password the planner hashes, once', () => {
    expect(collectPasswords(spec, 'test')).toHaveLength(6 * 3 + 2);
  });

  it('hashes them in workers, and the plan is exactly the plan without them', async () => {
    const hashes = await hashFleetPasswords(spec, { saltSecret: 'test', workers: 2 });
    expect(hashes.size).toBe(6 * 3 + 2);
    expect(planFleet(spec, { ...options, passwordHashes: hashes })).toEqual(planFleet(spec, options));
  });

  it('leaves a fleet with few passwords to the planner', async () => {
    const small = parseSpec('vms: [{ name: a, rootPassword: x, domain: { rootDisk: { base: /img/a.qcow2 } } }]\n', 'small.yaml');
    expect((await hashFleetPasswords(small, { saltSecret: 'test', workers: 2 })).size).toBe(0);
  });
});
