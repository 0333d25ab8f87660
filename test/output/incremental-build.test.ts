// A rebuild writes only the VMs whose inputs changed: every file of an unchanged VM keeps its inode and
// mtime, the manifest says which VMs were built, kept or removed, --force rebuilds all, and VMs the
// spec dropped stay (reported) until --prune removes what cloudseed wrote of them.
import { existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFleet, validateSpec, type BuildOptions } from '../../src/index.js';
import { cachedHashes, collectPasswords, hashFleetPasswords } from '../../src/plan/index.js';
import { parseSpec } from '../../src/spec/index.js';
import { readPasswordCache } from '../../src/output/previous-build.js';
import { missingTools } from '../support/tools.js';
import { expectWholeBuild, fleetSpec, outputState } from './support/output-state.js';

let scratch: string;
let caseNumber = 0;

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'cloudseed-incremental-'));
});

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

function workspace(): { spec: string; out: string; dir: string } {
  const dir = path.join(scratch, `case-${++caseNumber}`);
  mkdirSync(dir);
  return { dir, spec: path.join(dir, 'fleet.yaml'), out: path.join(dir, 'out') };
}

/** Inode and mtime of every file a user sees in each VM folder, through cloudseed's symlinks. */
function fileIdentities(out: string, vmNames: readonly string[]): Map<string, string> {
  const identities = new Map<string, string>();
  for (const vm of vmNames) {
    for (const name of readdirSync(path.join(out, vm)).filter((entry) => entry !== '.cloudseed-vm')) {
      const info = statSync(path.join(out, vm, name));
      identities.set(`${vm}/${name}`, `${info.ino}:${info.mtimeMs}`);
    }
  }
  return identities;
}

function statuses(out: string): Record<string, string> {
  return Object.fromEntries(outputState(out).manifest!.vms.map((vm) => [vm.name, vm.status]));
}

async function build(spec: string, out: string, text: string, options: Partial<BuildOptions> = {}) {
  writeFileSync(spec, text);
  return buildFleet(spec, { outputDir: out, sourceDateEpoch: 1_700_000_000, saltSecret: 'incremental', ...options });
}

const three = ['web1', 'web2', 'web3'];

describe('a rebuild', () => {
  it('with nothing changed touches no file and writes no new generation', async () => {
    const { spec, out } = workspace();
    await build(spec, out, fleetSpec(three));
    const before = fileIdentities(out, three);
    const live = readlinkSync(path.join(out, '.cloudseed', 'current'));
    await new Promise((resolve) => setTimeout(resolve, 20));
    const result = await build(spec, out, fleetSpec(three));
    expect(result.vms.map((vm) => vm.status)).toEqual(['kept', 'kept', 'kept']);
    expect(fileIdentities(out, three)).toEqual(before);
    expect(readlinkSync(path.join(out, '.cloudseed', 'current'))).toBe(live);
    expectWholeBuild(out, three);
  });

  it('of one changed VM writes that VM alone; the others keep inode and mtime', async () => {
    const { spec, out } = workspace();
    await build(spec, out, fleetSpec(three));
    const before = fileIdentities(out, three);
    const changed = fleetSpec(three).replace('  - name: "web2"', '  - name: "web2"\n    domain: { memory: 4096 }');
    const result = await build(spec, out, changed);
    expect(result.vms.map((vm) => [vm.plan.name, vm.status])).toEqual([['web1', 'kept'], ['web2', 'built'], ['web3', 'kept']]);
    expect(statuses(out)).toEqual({ web1: 'kept', web2: 'built', web3: 'kept' });
    const after = fileIdentities(out, three);
    for (const [file, identity] of before) {
      if (file.startsWith('web2/')) expect(after.get(file), file).not.toBe(identity);
      else expect(after.get(file), file).toBe(identity);
    }
    expect(readFileSync(path.join(out, 'web2', 'domain.xml'), 'utf8')).toContain("<memory unit='MiB'>4096</memory>");
    expectWholeBuild(out, three);
    // The next run changes nothing, whatever order the last one packed its VMs in.
    const live = readlinkSync(path.join(out, '.cloudseed', 'current'));
    expect((await build(spec, out, changed)).vms.map((vm) => vm.status)).toEqual(['kept', 'kept', 'kept']);
    expect(readlinkSync(path.join(out, '.cloudseed', 'current'))).toBe(live);
  });

  it('with --force writes every VM again, to the same bytes', async () => {
    const { spec, out } = workspace();
    await build(spec, out, fleetSpec(three));
    const before = fileIdentities(out, three);
    const bytes = readFileSync(path.join(out, 'web1', 'my-seed.img'));
    const result = await build(spec, out, fleetSpec(three), { force: true });
    expect(result.vms.map((vm) => vm.status)).toEqual(['built', 'built', 'built']);
    const after = fileIdentities(out, three);
    for (const [file, identity] of before) expect(after.get(file), file).not.toBe(identity);
    expect(readFileSync(path.join(out, 'web1', 'my-seed.img'))).toEqual(bytes);
    expectWholeBuild(out, three);
  });

  it('rebuilds every VM whose templates changed, and only those', async () => {
    const { dir, spec, out } = workspace();
    const templates = path.join(dir, 'templates');
    mkdirSync(templates);
    writeFileSync(path.join(templates, 'qemu.sh.hbs'), readFileSync(path.join('templates', 'qemu.sh.hbs'), 'utf8'));
    const text = fleetSpec(three).replace('  - name: "web3"', '  - name: "web3"\n    templates: ./templates');
    await build(spec, out, text);
    writeFileSync(path.join(templates, 'qemu.sh.hbs'), `${readFileSync(path.join(templates, 'qemu.sh.hbs'), 'utf8')}# edited\n`);
    const result = await build(spec, out, text);
    expect(result.vms.map((vm) => vm.status)).toEqual(['kept', 'kept', 'built']);
    expect(readFileSync(path.join(out, 'web3', 'qemu.sh'), 'utf8')).toContain('# edited');
  });

  it('keeps a VM the spec dropped, as removed, until --prune removes what cloudseed wrote of it', async () => {
    const { spec, out } = workspace();
    await build(spec, out, fleetSpec(three));
    writeFileSync(path.join(out, 'web3', 'console.log'), 'mine\n');
    const before = fileIdentities(out, ['web2', 'web3']);
    const dropped = await build(spec, out, fleetSpec(['web1']));
    expect(dropped.removed.sort()).toEqual(['web2', 'web3']);
    expect(dropped.pruned).toBe(false);
    expect(statuses(out)).toEqual({ web1: 'kept', web2: 'removed', web3: 'removed' });
    expect(fileIdentities(out, ['web2', 'web3'])).toEqual(before);
    expectWholeBuild(out, ['web1', 'web2', 'web3']);

    // Back in the spec unchanged, a removed VM is kept as it was.
    const back = await build(spec, out, fleetSpec(['web1', 'web2']));
    expect(back.vms.map((vm) => vm.status)).toEqual(['kept', 'kept']);
    expect(back.removed).toEqual(['web3']);
    expect(fileIdentities(out, ['web2'])).toEqual(new Map([...before].filter(([file]) => file.startsWith('web2/'))));

    const pruned = await build(spec, out, fleetSpec(['web1']), { prune: true });
    expect(pruned.removed.sort()).toEqual(['web2', 'web3']);
    expect(pruned.pruned).toBe(true);
    expect(existsSync(path.join(out, 'web2'))).toBe(false);
    expect(readdirSync(path.join(out, 'web3')).sort()).toEqual(['.cloudseed-vm', 'console.log']);
    expect(statuses(out)).toEqual({ web1: 'kept' });
    expectWholeBuild(out, ['web1']);
  });

  it.skipIf(missingTools('qemu-img').length > 0)('rebuilds the VMs whose seed a changed program packs (here qemu-img, for qcow2), and only those', async () => {
    const { dir, spec, out } = workspace();
    const bin = path.join(dir, 'bin');
    mkdirSync(bin);
    const wrapper = path.join(bin, 'qemu-img');
    writeFileSync(wrapper, '#!/bin/sh\nexec /usr/bin/qemu-img "$@"\n', { mode: 0o755 });
    const text = fleetSpec(three).replace('  - name: "web2"', '  - name: "web2"\n    seed: { format: qcow2 }');
    const savedPath = process.env.PATH;
    process.env.PATH = `${bin}${path.delimiter}${savedPath ?? ''}`;
    try {
      await build(spec, out, text);
      expect((await build(spec, out, text)).vms.map((vm) => vm.status)).toEqual(['kept', 'kept', 'kept']);
      // An upgrade replaces the program: another size or mtime.
      utimesSync(wrapper, new Date(2_000_000_000_000), new Date(2_000_000_000_000));
      expect((await build(spec, out, text)).vms.map((vm) => vm.status)).toEqual(['kept', 'built', 'kept']);
    } finally {
      process.env.PATH = savedPath;
    }
  });

  it('after a build by the previous layout (no state), builds every VM once and then keeps them', async () => {
    const { spec, out } = workspace();
    await build(spec, out, fleetSpec(three));
    const live = path.join(out, '.cloudseed', readlinkSync(path.join(out, '.cloudseed', 'current')));
    await rm(path.join(live, 'state.json'));
    const first = await build(spec, out, fleetSpec(three));
    expect(first.vms.map((vm) => vm.status)).toEqual(['built', 'built', 'built']);
    const second = await build(spec, out, fleetSpec(three));
    expect(second.vms.map((vm) => vm.status)).toEqual(['kept', 'kept', 'kept']);
    expectWholeBuild(out, three);
  });

  it('with nothing changed puts back a link someone removed, and refuses a file put in its place', async () => {
    const { spec, out } = workspace();
    await build(spec, out, fleetSpec(three));
    const link = path.join(out, 'web2', 'domain.xml');
    const target = readlinkSync(link);
    await rm(link);
    await build(spec, out, fleetSpec(three));
    expect(readlinkSync(link)).toBe(target);
    await rm(path.join(out, 'web3', 'qemu.sh'));
    writeFileSync(path.join(out, 'web3', 'qemu.sh'), 'mine\n');
    await expect(build(spec, out, fleetSpec(three))).rejects.toMatchObject({ code: 'OUTPUT_CONFLICT' });
    expect(readFileSync(path.join(out, 'web3', 'qemu.sh'), 'utf8')).toBe('mine\n');
  });

  it('builds a VM again when its files in the store are gone', async () => {
    const { spec, out } = workspace();
    await build(spec, out, fleetSpec(three));
    const live = path.join(out, '.cloudseed', readlinkSync(path.join(out, '.cloudseed', 'current')));
    await rm(path.join(out, '.cloudseed', 'vms', path.basename(readlinkSync(path.join(live, 'web2')))), { recursive: true });
    const result = await build(spec, out, fleetSpec(three));
    expect(result.vms.map((vm) => vm.status)).toEqual(['kept', 'built', 'kept']);
    expectWholeBuild(out, three);
  });

  it('keeps the state that fingerprints passwords readable by its owner only', async () => {
    const { spec, out } = workspace();
    await build(spec, out, fleetSpec(three));
    const state = path.join(out, '.cloudseed', 'current', 'state.json');
    expect((statSync(state).mode & 0o777).toString(8)).toBe('600');
    expect(readFileSync(state, 'utf8')).not.toContain('Output-Folder-Secret');
  });

  it('hashes no password it hashed before: a password per VM costs a hash only where it changed', async () => {
    const { spec, out } = workspace();
    const names = Array.from({ length: 20 }, (_, index) => `db${index}`);
    const withPasswords = (changed: readonly string[]) => fleetSpec(names).replace(/( {2}- name: "(db\d+)")\n/g, (_line, entry: string, name: string) =>
      `${entry}\n    users: [{ name: ops, password: "ops-${changed.includes(name) ? 'changed' : 'first'}-${name}" }]\n`);
    // 16 changed: as many as make hashFleetPasswords use its workers, so what it hashes is seen.
    const changed = names.slice(0, 16);
    await build(spec, out, withPasswords([]));
    const cache = readPasswordCache(out);
    expect(cache.size).toBe(21); // a password per VM, and root's shared one
    expect([...cache.values()].every((hash) => hash.startsWith('$6$'))).toBe(true);
    const toHash = async (text: string) => {
      writeFileSync(spec, text);
      const parsed = parseSpec(text, spec);
      const known = cachedHashes(collectPasswords(parsed, 'incremental'), cache, 'incremental');
      return { known, computed: await hashFleetPasswords(parsed, { saltSecret: 'incremental', known, workers: 2 }) };
    };
    const unchanged = await toHash(withPasswords([]));
    expect([unchanged.known.size, unchanged.computed.size]).toEqual([21, 0]);
    const someChanged = await toHash(withPasswords(changed));
    expect([someChanged.known.size, someChanged.computed.size]).toEqual([5, 16]);
    const result = await build(spec, out, withPasswords(changed));
    expect(result.vms.filter((vm) => vm.status === 'built').map((vm) => vm.plan.name)).toEqual(changed);
    expect(readPasswordCache(out).size).toBe(21);
    // validate -o OUT plans with the same hashes, and so renders the same user-data as the build wrote.
    const { documents } = await validateSpec(spec, { outputDir: out, saltSecret: 'incremental' });
    expect(documents.find((document) => document.vmName === 'db3')?.userData).toBe(readFileSync(path.join(out, 'db3', 'user-data'), 'utf8'));
    // The cache holds no password, and its keys say nothing without the salt secret.
    const state = readFileSync(path.join(out, '.cloudseed', 'current', 'state.json'), 'utf8');
    expect(state).not.toContain('ops-first');
  });
});
