// The output folder is the user's: a build never deletes or replaces what it did not write, shows
// either the whole previous build or the whole new one however it is killed, and never mixes two runs.
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFleet } from '../../src/index.js';
import { openOutput } from '../../src/output/index.js';
import { cliCommand, looksLikeStackTrace, runChild, runInProcess, type CliRun } from '../cli/support/run-cloudseed.js';
import { fleetSpec, outputState, expectWholeBuild } from './support/output-state.js';

let scratch: string;
let caseNumber = 0;

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'cloudseed-output-folder-'));
});

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

/** A fresh folder for one case, with `spec` written as fleet.yaml in it. */
function workspace(spec = fleetSpec(['web1'])): { dir: string; spec: string; out: string } {
  const dir = path.join(scratch, `case-${++caseNumber}`);
  mkdirSync(dir);
  writeFileSync(path.join(dir, 'fleet.yaml'), spec);
  return { dir, spec: path.join(dir, 'fleet.yaml'), out: path.join(dir, 'out') };
}

function write(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}

describe('what is not cloudseed\'s', () => {
  it('refuses a VM folder the user made, and keeps every file in it', async () => {
    const { spec, out } = workspace();
    write(path.join(out, 'web1', 'thesis.txt'), 'x\n');
    const run = await runInProcess(['build', spec, '-o', out]);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toContain(`${path.join(out, 'web1')}: is a folder without cloudseed's marker`);
    expect(readFileSync(path.join(out, 'web1', 'thesis.txt'), 'utf8')).toBe('x\n');
    expect(readdirSync(out).sort()).toEqual(['web1']);
    expect(readdirSync(path.join(out, 'web1'))).toEqual(['thesis.txt']);
  });

  it('with -o . refuses a VM named like the spec file, and the spec stays', async () => {
    const { dir } = workspace();
    writeFileSync(path.join(dir, 'fleet.yaml'), fleetSpec(['fleet.yaml']));
    const before = readFileSync(path.join(dir, 'fleet.yaml'), 'utf8');
    const run = await runChild(['build', path.join(dir, 'fleet.yaml'), '-o', dir]);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toContain(`${path.join(dir, 'fleet.yaml')}: is a file`);
    expect(readFileSync(path.join(dir, 'fleet.yaml'), 'utf8')).toBe(before);
    expect(readdirSync(dir)).toEqual(['fleet.yaml']);
  });

  it('refuses a home folder\'s Documents, a symlinked folder and a manifest.json of the user\'s', async () => {
    const { spec, dir } = workspace(fleetSpec(['Documents', 'web2']));
    const home = path.join(dir, 'home');
    write(path.join(home, 'Documents', 'letter.odt'), 'dear\n');
    mkdirSync(path.join(dir, 'elsewhere'));
    symlinkSync(path.join(dir, 'elsewhere'), path.join(home, 'web2'));
    write(path.join(home, 'manifest.json'), '{"mine": true}\n');
    const run = await runInProcess(['build', spec, '-o', home]);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toContain('holds 3 paths cloudseed may not write');
    expect(run.stderr).toContain(`${path.join(home, 'web2')}: is a symlink`);
    expect(run.stderr).toContain(`${path.join(home, 'manifest.json')}: was not written by cloudseed`);
    expect(readFileSync(path.join(home, 'manifest.json'), 'utf8')).toBe('{"mine": true}\n');
    expect(readdirSync(home).sort()).toEqual(['Documents', 'manifest.json', 'web2']);
    expect(readdirSync(path.join(dir, 'elsewhere'))).toEqual([]);
  });

  it('refuses to replace a file the user put where one of cloudseed\'s goes, and changes nothing', async () => {
    const { spec, out } = workspace(fleetSpec(['web1', 'web2']));
    expect((await runInProcess(['build', spec, '-o', out])).code).toBe(0);
    const before = outputState(out);
    const own = path.join(out, 'web2', 'domain.xml');
    const link = readlinkSync(own);
    await rm(own);
    writeFileSync(own, '<domain>mine</domain>\n');
    writeFileSync(spec, fleetSpec(['web1', 'web2'], { memory: 4096 }));
    const run = await runInProcess(['build', spec, '-o', out]);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toContain(`${own}: was not written by cloudseed`);
    expect(readFileSync(own, 'utf8')).toBe('<domain>mine</domain>\n');
    expect(link).toBe('../.cloudseed/current/web2/domain.xml');
    expect(outputState(out).manifest).toEqual(before.manifest);
    expect(readdirSync(path.join(out, '.cloudseed')).filter((name) => name.startsWith('gen-'))).toHaveLength(1);
  });

  it('keeps the user\'s files in a VM folder across rebuilds, and a pruned VM\'s folder only while it holds them', async () => {
    const { spec, out } = workspace(fleetSpec(['web1', 'web2', 'web3']));
    expect((await runInProcess(['build', spec, '-o', out])).code).toBe(0);
    write(path.join(out, 'web1', 'root.qcow2'), 'disk\n');
    write(path.join(out, 'web3', 'console.log'), 'log\n');
    writeFileSync(spec, fleetSpec(['web1']));
    const run = await runInProcess(['build', spec, '-o', out, '--prune']);
    expect(run.code, run.stderr).toBe(0);
    expect(readFileSync(path.join(out, 'web1', 'root.qcow2'), 'utf8')).toBe('disk\n');
    expect(existsSync(path.join(out, 'web2'))).toBe(false);
    expect(readdirSync(path.join(out, 'web3')).sort()).toEqual(['.cloudseed-vm', 'console.log']);
    expect(run.stderr).toContain(`note: ${path.join(out, 'web3')} is no longer built but is kept: it holds files cloudseed did not write (console.log)`);
    // Back in the spec, the kept folder is cloudseed's again: its marker says so.
    writeFileSync(spec, fleetSpec(['web1', 'web3']));
    expect((await runInProcess(['build', spec, '-o', out])).code).toBe(0);
    expectWholeBuild(out, ['web1', 'web3']);
    expect(readFileSync(path.join(out, 'web3', 'console.log'), 'utf8')).toBe('log\n');
  });

  it('takes over the output of cloudseed 0.1 (real files listed in a real manifest), but not a file changed since', async () => {
    const { spec, out } = workspace(fleetSpec(['web1', 'web2']));
    const legacy = path.join(out, '..', 'legacy');
    expect((await runInProcess(['build', spec, '-o', legacy])).code).toBe(0);
    // The 0.1 layout: the same files, copied as real files, and the manifest beside them.
    for (const vm of ['web1', 'web2']) {
      mkdirSync(path.join(out, vm), { recursive: true });
      for (const name of readdirSync(path.join(legacy, vm)).filter((entry) => entry !== '.cloudseed-vm')) {
        writeFileSync(path.join(out, vm, name), readFileSync(path.join(legacy, vm, name)));
      }
    }
    writeFileSync(path.join(out, 'manifest.json'), readFileSync(path.join(legacy, 'manifest.json')));
    writeFileSync(path.join(out, 'web2', 'domain.xml'), '<domain>edited by hand</domain>\n');
    const refused = await runInProcess(['build', spec, '-o', out]);
    expect(refused.code, refused.stderr).toBe(2);
    expect(refused.stderr).toContain(`${path.join(out, 'web2', 'domain.xml')}: was not written by cloudseed`);
    expect(lstatSync(path.join(out, 'web1', 'user-data')).isFile()).toBe(true);

    await rm(path.join(out, 'web2', 'domain.xml'));
    const run = await runInProcess(['build', spec, '-o', out]);
    expect(run.code, run.stderr).toBe(0);
    expectWholeBuild(out, ['web1', 'web2']);
    expect(lstatSync(path.join(out, 'web1', 'user-data')).isSymbolicLink()).toBe(true);
  });

  it('removes the staging folders that cloudseed 0.1 left when it was killed', async () => {
    const { spec, out } = workspace();
    write(path.join(out, '.cloudseed-staging-Ab12Cd', 'web1', 'user-data'), 'old\n');
    expect((await runInProcess(['build', spec, '-o', out])).code).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['.cloudseed', 'manifest.json', 'web1']);
  });
});

describe('the -o folder itself', () => {
  it('is refused with exit 2 when it names a file, or is empty', async () => {
    const { spec, dir } = workspace();
    const file = path.join(dir, 'notes.txt');
    writeFileSync(file, 'mine\n');
    const onFile = await runInProcess(['build', spec, '-o', file]);
    expect(onFile.code, onFile.stderr).toBe(2);
    expect(onFile.stderr).toContain(`${file}: exists and is not a folder`);
    expect(readFileSync(file, 'utf8')).toBe('mine\n');
    const empty = await runInProcess(['build', spec, '-o', '']);
    expect(empty.code, empty.stderr).toBe(2);
    expect(empty.stderr).toContain('the output folder (-o) is an empty name');
  });

  it('is refused when any user may write into it, as they could swap a qemu.sh that root runs', async () => {
    const { spec, out } = workspace();
    mkdirSync(out);
    chmodSync(out, 0o777);
    const run = await runInProcess(['build', spec, '-o', out]);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toContain('any user on this machine can write here (mode 777)');
    expect(readdirSync(out)).toEqual([]);
    chmodSync(out, 0o1777);
    expect((await runInProcess(['build', spec, '-o', out])).code).toBe(0);
  });

  it('is created 0755 with its folders under umask 000, secrets 0600, and nothing world-writable', async () => {
    const { spec, out } = workspace();
    const nested = path.join(out, 'a', 'b');
    const child = spawn('sh', ['-c', 'umask 000; exec "$0" "$@"', process.execPath, ...cliCommand, 'build', spec, '-o', nested], { stdio: 'ignore' });
    expect(await new Promise((resolve) => child.on('close', resolve))).toBe(0);
    for (const folder of [out, path.join(out, 'a'), nested, path.join(nested, '.cloudseed'), path.join(nested, 'web1')]) {
      expect((statSync(folder).mode & 0o7777).toString(8), folder).toBe('755');
    }
    const generation = path.join(nested, '.cloudseed', readlinkSync(path.join(nested, '.cloudseed', 'current')));
    expect((statSync(generation).mode & 0o777).toString(8)).toBe('755');
    expect((statSync(path.join(nested, 'web1', 'user-data')).mode & 0o777).toString(8)).toBe('600');
    expect((statSync(path.join(nested, 'web1', 'my-seed.img')).mode & 0o777).toString(8)).toBe('600');
    expect((statSync(path.join(nested, 'web1', 'qemu.sh')).mode & 0o777).toString(8)).toBe('755');
  });

  it('leaves no folder behind when the first build into it fails', async () => {
    const { dir } = workspace();
    const spec = path.join(dir, 'tools.yaml');
    writeFileSync(spec, fleetSpec(['web1'], { packer: 'genisoimage' }));
    const emptyPath = path.join(dir, 'no-tools');
    mkdirSync(emptyPath);
    const out = path.join(dir, 'new', 'out');
    const run = await runChild(['build', spec, '-o', out], { env: { PATH: emptyPath, XDG_CONFIG_HOME: process.env.XDG_CONFIG_HOME } });
    expect(run.code, run.stderr).toBe(3);
    expect(existsSync(path.join(dir, 'new'))).toBe(false);
  });
});

/** `cloudseed build` in a child process, with a way to wait until it has said something on stderr. */
function startBuild(spec: string, out: string): { said(text: string): Promise<void>; done: Promise<{ code: number | null; stderr: string }> } {
  const child = spawn(process.execPath, [...cliCommand, 'build', spec, '-o', out, '-q'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const done = new Promise<{ code: number | null; stderr: string }>((resolve) => child.on('close', (code) => resolve({ code, stderr })));
  const said = async (text: string) => {
    while (!stderr.includes(text)) {
      if (child.exitCode !== null) throw new Error(`the build ended before it said "${text}": ${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  return { said, done };
}

/** A small tmpfs of its own, for a full or read-only file system; only root may mount one. */
function mountTmpfs(dir: string, size: string): () => void {
  mkdirSync(dir, { recursive: true });
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=755`, 'tmpfs', dir]);
  return () => execFileSync('umount', [dir]);
}

const asRoot = process.getuid?.() === 0;
if (!asRoot) console.warn('skipping the full-disk and read-only output tests: they mount a tmpfs, which needs root');

/**
 * Builds `first` into a tmpfs of `size`, runs `between`, then builds `second` there and hands the
 * second run to `check` while the tmpfs is still mounted.
 */
async function buildTwiceOnTmpfs(
  size: string,
  vms: { first: string[]; second: string[] },
  steps: { between?: (out: string) => void; check: (out: string, run: CliRun) => void },
): Promise<void> {
  const { dir } = workspace();
  const out = path.join(dir, 'mounted');
  const unmount = mountTmpfs(out, size);
  try {
    const spec = path.join(dir, 'fleet.yaml');
    writeFileSync(spec, fleetSpec(vms.first));
    expect((await runInProcess(['build', spec, '-o', out])).code).toBe(0);
    steps.between?.(out);
    writeFileSync(spec, fleetSpec(vms.second));
    steps.check(out, await runInProcess(['build', spec, '-o', out]));
  } finally {
    unmount();
  }
}

describe.skipIf(!asRoot)('a file system that refuses', () => {
  it('full: exits 4 and the previous build stays whole, with nothing of the failed run behind', async () => {
    const eight = Array.from({ length: 8 }, (_, index) => `web${index + 1}`);
    await buildTwiceOnTmpfs('320k', { first: ['web1'], second: eight }, {
      check(out, run) {
        expect(run.code, run.stderr).toBe(4);
        expect(run.stderr).toContain('ENOSPC');
        expect(looksLikeStackTrace(run.stderr)).toBe(false);
        expectWholeBuild(out, ['web1']);
      },
    });
  });

  it('read-only: exits 4 and changes nothing', async () => {
    await buildTwiceOnTmpfs('1m', { first: ['web1'], second: ['web1', 'web2'] }, {
      between: (out) => execFileSync('mount', ['-o', 'remount,ro', out]),
      check(out, run) {
        expect(run.code, run.stderr).toBe(4);
        expect(run.stderr).toContain('EROFS');
        expectWholeBuild(out, ['web1'], { leftoversAllowed: true });
      },
    });
  });
});

describe('one build at a time', () => {
  it('builds wait while the folder is locked, then run one after the other, even when the holder removes the folder', async () => {
    const { dir, out } = workspace();
    const first = path.join(dir, 'a.yaml');
    const second = path.join(dir, 'b.yaml');
    writeFileSync(first, fleetSpec(Array.from({ length: 60 }, (_, index) => `a${index}`), { fleet: 'a' }));
    writeFileSync(second, fleetSpec(Array.from({ length: 60 }, (_, index) => `b${index}`), { fleet: 'b' }));
    // A first run that fails removes the folder it made, while the other two wait for its lock.
    const held = await openOutput(out);
    const builds = [first, second].map((spec) => startBuild(spec, out));
    await Promise.all(builds.map((build) => build.said('another cloudseed run is building into it')));
    held.close();
    expect(existsSync(out)).toBe(false);
    const runs = await Promise.all(builds.map((build) => build.done));
    expect(runs.map((run) => run.code), runs.map((run) => run.stderr).join('\n')).toEqual([0, 0]);
    // The second build keeps the first one's VMs, as removed (no --prune): never a mix of the two.
    const state = outputState(out);
    expect(['a', 'b']).toContain(state.manifest?.fleet);
    expectWholeBuild(out, state.manifest!.vms.map((vm) => vm.name));
    const built = state.manifest!.vms.filter((vm) => vm.status !== 'removed').map((vm) => vm.name[0]);
    const removed = state.manifest!.vms.filter((vm) => vm.status === 'removed').map((vm) => vm.name[0]);
    expect(new Set(built)).toEqual(new Set([state.manifest!.fleet]));
    expect(built).toHaveLength(60);
    expect(new Set(removed)).toEqual(new Set(['a', 'b'].filter((fleet) => fleet !== state.manifest!.fleet)));
    expect(readdirSync(out).filter((name) => /^[ab]\d+$/.test(name))).toHaveLength(120);
  });

  it('gives up with exit 4, naming the holder, when the folder stays locked', async () => {
    const { spec, out } = workspace();
    mkdirSync(out);
    const held = await openOutput(out);
    try {
      const started = Date.now();
      await expect(buildFleet(spec, { outputDir: out, lock: { timeoutMs: 300 } })).rejects.toMatchObject({
        code: 'IO_FAILED',
        message: expect.stringContaining(`is in use by another cloudseed run (process ${process.pid} on`),
      });
      expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    } finally {
      held.close();
    }
    expect((await runInProcess(['build', spec, '-o', out])).code).toBe(0);
  });
});

describe('killed at any instant', () => {
  const killPoints = ['staged', 'linked', 'switched', 'sweeping'] as const;

  it.each(killPoints)('shows one whole build after kill -9 at %s, and the next run cleans up', async (point) => {
    const { dir, out } = workspace();
    const before = path.join(dir, 'before.yaml');
    const after = path.join(dir, 'after.yaml');
    writeFileSync(before, fleetSpec(['web1', 'web2', 'web3'], { memory: 1024 }));
    writeFileSync(after, fleetSpec(['web2', 'web3', 'web4'], { memory: 4096 }));
    expect((await runChild(['build', before, '-o', out])).code).toBe(0);
    const killed = await runChild(['build', after, '-o', out, '--prune'], { env: { ...process.env, CLOUDSEED_CRASH_AT: point } });
    expect(killed.code).toBe(null);
    const expected = point === 'switched' || point === 'sweeping' ? ['web2', 'web3', 'web4'] : ['web1', 'web2', 'web3'];
    expect(outputState(out).manifest?.vms.map((vm) => vm.name)).toEqual(expected);
    expectWholeBuild(out, expected, { leftoversAllowed: true });

    const next = await runChild(['build', after, '-o', out, '--prune']);
    expect(next.code, next.stderr).toBe(0);
    expect(looksLikeStackTrace(next.stderr)).toBe(false);
    expectWholeBuild(out, ['web2', 'web3', 'web4']);
    // The VM the killed run was removing comes back: nothing of it may be left looking like the user's.
    const back = await runChild(['build', before, '-o', out, '--prune']);
    expect(back.code, back.stderr).toBe(0);
    expectWholeBuild(out, ['web1', 'web2', 'web3']);
  });

  it('shows one whole build after kill -9 at random instants of a 200-VM rebuild', async () => {
    const { dir, out } = workspace();
    const names = (prefix: string) => Array.from({ length: 200 }, (_, index) => `${prefix}${index}`);
    const specs = [path.join(dir, 'one.yaml'), path.join(dir, 'two.yaml')];
    writeFileSync(specs[0]!, fleetSpec(names('vm'), { memory: 1024 }));
    writeFileSync(specs[1]!, fleetSpec([...names('vm').slice(50), 'extra'], { memory: 2048 }));
    expect((await runChild(['build', specs[0]!, '-o', out])).code).toBe(0);
    for (let attempt = 0; attempt < 6; attempt++) {
      const spec = specs[(attempt + 1) % 2]!;
      const child = spawn(process.execPath, [...cliCommand, 'build', spec, '-o', out, '--prune'], { stdio: 'ignore' });
      // Spread over start-up, packing, writing and the commit of a build that takes about a second.
      setTimeout(() => child.kill('SIGKILL'), 250 + attempt * 150);
      await new Promise((resolve) => child.on('close', resolve));
      const manifest = outputState(out).manifest;
      expect(manifest).not.toBeNull();
      expectWholeBuild(out, manifest!.vms.map((vm) => vm.name), { leftoversAllowed: true });
    }
    expect((await runChild(['build', specs[0]!, '-o', out, '--prune'])).code).toBe(0);
    expectWholeBuild(out, names('vm'));
  });
});
