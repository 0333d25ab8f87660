// The allocation lock as planSpecFile hands it to a build: save() writes it whole, 0644, only when it
// changed, never over a file cloudseed did not write; `frozen` refuses any plan that would change it.
import { lstatSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatError } from '../../src/errors.js';
import { buildYaml, fleetYaml, lockFolder, planYaml, vms } from '../plan/support/lock-fleet.js';
import { errorRejectedBy, errorThrownBy } from '../support/cloudseed-errors.js';

const lockOf = (folder: string) => path.join(folder, 'fleet.lock.json');

describe('allocation lock: save', () => {
  it('writes the lock 0644 whatever the umask, through a temporary file it leaves nowhere', async () => {
    const folder = lockFolder();
    const umask = process.umask(0o077);
    try {
      await buildYaml(folder, fleetYaml(vms('a')));
    } finally {
      process.umask(umask);
    }
    expect(statSync(lockOf(folder)).mode & 0o777).toBe(0o644);
    expect(readdirSync(folder).sort()).toEqual(['fleet.lock.json', 'fleet.yaml']);
  });

  it('does not touch the file when nothing changed', async () => {
    const folder = lockFolder();
    await buildYaml(folder, fleetYaml(vms('a', 'b')));
    const before = statSync(lockOf(folder));
    const planned = await buildYaml(folder, fleetYaml(vms('b', 'a')));
    expect(planned.allocationLock).toMatchObject({ changed: false, changes: [] });
    const after = statSync(lockOf(folder));
    expect([after.ino, after.mtimeMs]).toEqual([before.ino, before.mtimeMs]);
  });

  it('does not rewrite a lock that only differs in layout', async () => {
    const folder = lockFolder();
    await buildYaml(folder, fleetYaml(vms('a')));
    const compact = `${JSON.stringify(JSON.parse(readFileSync(lockOf(folder), 'utf8')))}\r\n`;
    writeFileSync(lockOf(folder), compact);
    const planned = await buildYaml(folder, fleetYaml(vms('a')));
    expect(planned.allocationLock?.changed).toBe(false);
    expect(readFileSync(lockOf(folder), 'utf8')).toBe(compact);
  });

  it('refuses to replace a file that appeared after planning and is not a cloudseed lock', async () => {
    const folder = lockFolder();
    const planned = await planYaml(folder, fleetYaml(vms('a')));
    writeFileSync(lockOf(folder), 'mine\n');
    const error = errorThrownBy(() => planned.allocationLock!.save());
    expect(error.code).toBe('OUTPUT_CONFLICT');
    expect(error.message).toBe(`${lockOf(folder)} is not a cloudseed allocation lock; cloudseed did not replace it`);
    expect(readFileSync(lockOf(folder), 'utf8')).toBe('mine\n');
  });

  it('refuses to replace a lock that another run changed after planning', async () => {
    const folder = lockFolder();
    await buildYaml(folder, fleetYaml(vms('a')));
    const planned = await planYaml(folder, fleetYaml(vms('a', 'b')));
    await buildYaml(lockFolder(), fleetYaml(vms('a')));
    const other = readFileSync(lockOf(folder), 'utf8').replace('10.0.0.10', '10.0.0.19');
    writeFileSync(lockOf(folder), other);
    expect(errorThrownBy(() => planned.allocationLock!.save()).code).toBe('OUTPUT_CONFLICT');
    expect(readFileSync(lockOf(folder), 'utf8')).toBe(other);
  });

  it('writes through a symbolic link to the lock, keeping the link', async () => {
    const folder = lockFolder();
    mkdirSync(path.join(folder, 'locks'));
    writeFileSync(path.join(folder, 'locks', 'fleet.json'), '{"cloudseedLock": 1, "fleet": "f", "vms": {}, "released": {}}\n');
    symlinkSync('locks/fleet.json', lockOf(folder));
    await buildYaml(folder, fleetYaml(vms('a')));
    expect(lstatSync(lockOf(folder)).isSymbolicLink()).toBe(true);
    expect(JSON.parse(readFileSync(path.join(folder, 'locks', 'fleet.json'), 'utf8')).vms.a.eth0.address).toBe('10.0.0.10');
  });
});

describe('allocation lock: frozen', () => {
  it('fails when a VM would be given an address the lock does not record, saying which and what to do', async () => {
    const folder = lockFolder();
    await buildYaml(folder, fleetYaml(vms('a', 'b')));
    const error = await errorRejectedBy(planYaml(folder, fleetYaml(vms('a', 'b', 'c')), { frozen: true }));
    expect(error.code).toBe('SPEC_INVALID');
    expect(error.problems.map((problem) => problem.message)).toEqual([expect.stringMatching(/^c eth0 would be given 10\.0\.0\.12 and MAC 52:54:00(:[0-9a-f]{2}){3} \(not in fleet\.lock\.json\)$/)]);
    expect(error.hint).toBe('run cloudseed build without --frozen and commit fleet.lock.json');
    expect(formatError(error)).toContain(`error: the build would change ${lockOf(folder)} (one change), which frozen forbids`);
  });

  it('names removals, moves and releases, and lists at most ten changes', async () => {
    const folder = lockFolder();
    const names = ['vm-00', 'vm-01', 'vm-02', 'vm-03'];
    await buildYaml(folder, fleetYaml(vms(...names)));
    const added = Array.from({ length: 12 }, (_unused, index) => `x-${String(index).padStart(2, '0')}`);
    const error = await errorRejectedBy(planYaml(folder, fleetYaml(vms(...names.slice(1), ...added), { range: '10.0.0.12-10.0.0.40' }), { frozen: true }));
    const lines = error.problems.map((problem) => problem.message);
    expect(lines).toHaveLength(11);
    expect(lines[0]).toBe('vm-00 would be removed from fleet.lock.json (10.0.0.10 released)');
    expect(lines[1]).toBe('vm-01 eth0 would move from 10.0.0.11 to 10.0.0.14');
    expect(lines[2]).toMatch(/^x-00 eth0 would be given 10\.0\.0\.15 and MAC /);
    expect(lines[10]).toBe('… and 6 more');
    expect(error.message).toContain('(16 changes)');
  });

  it('fails when there is no lock yet and the spec needs one', async () => {
    const folder = lockFolder();
    const error = await errorRejectedBy(planYaml(folder, fleetYaml(vms('a')), { frozen: true }));
    expect(error.message).toBe(`${lockOf(folder)} does not exist, and the build would write it, which frozen forbids`);
    expect(error.problems.map((problem) => problem.message)).toEqual([expect.stringMatching(/^a eth0 would be given 10\.0\.0\.10 and MAC/)]);
    expect(() => statSync(lockOf(folder))).toThrow(/ENOENT/);
  });

  it('passes when nothing would change, reordered VMs and a changed memory size included', async () => {
    const folder = lockFolder();
    await buildYaml(folder, fleetYaml(vms('a', 'b', 'c')));
    const planned = await planYaml(folder, fleetYaml([{ name: 'c', memory: 4096 }, ...vms('a', 'b')]), { frozen: true });
    expect(planned.allocationLock?.changed).toBe(false);
  });

  it('passes for a spec that keeps no lock', async () => {
    const planned = await planYaml(lockFolder(), fleetYaml(vms('a'), { nics: '[{ device: eth0 }]' }), { frozen: true });
    expect(planned.allocationLock).toBeNull();
  });
});
