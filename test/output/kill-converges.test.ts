// kill -9 at random instants of a 1000-VM build and of rebuilds that change, add and drop VMs: after
// each kill the folder shows one whole build, and a re-run converges, byte for byte (SOURCE_DATE_EPOCH
// set), to what a clean build of that spec writes. The manifest is compared without its per-VM
// status, which says how a VM got there (built or kept) and so rightly differs from a clean build's.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliCommand, runChild } from '../cli/support/run-cloudseed.js';
import { expectWholeBuild, fleetSpec, outputState } from './support/output-state.js';

const kills = 20;
const seed = Number(process.env.KILL_SEED ?? Date.now() % 0x7fffffff);

let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'cloudseed-kill-'));
});

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

/** A small deterministic generator, so a failing run can be repeated with KILL_SEED. */
function random(state: number): () => number {
  let value = state || 1;
  return () => {
    value ^= value << 13;
    value ^= value >>> 17;
    value ^= value << 5;
    return (value >>> 0) / 0x1_0000_0000;
  };
}

/** sha256 of every file a user sees (through the symlinks), the manifest without statuses. */
function visibleDigest(out: string): Map<string, string> {
  const digests = new Map<string, string>();
  const walk = (relative: string) => {
    for (const name of readdirSync(path.join(out, relative)).sort()) {
      const entry = path.join(relative, name);
      if (entry === '.cloudseed') continue;
      if (statSync(path.join(out, entry)).isDirectory()) {
        walk(entry);
        continue;
      }
      let bytes: Buffer | string = readFileSync(path.join(out, entry));
      if (entry === 'manifest.json') {
        const manifest = JSON.parse(bytes.toString('utf8')) as { vms: { status?: string }[] };
        bytes = JSON.stringify({ ...manifest, vms: manifest.vms.map(({ status: _status, ...rest }) => rest) });
      }
      digests.set(entry, createHash('sha256').update(bytes).digest('hex'));
    }
  };
  walk('');
  return digests;
}

const environment = { ...process.env, SOURCE_DATE_EPOCH: '1700000000', CLOUDSEED_SALT_SECRET: 'kill-converges' };

function buildArgs(spec: string, out: string): string[] {
  return ['build', spec, '-o', out, '--prune', '-q'];
}

describe('kill -9 at random instants', () => {
  it(`of a 1000-VM build and its rebuilds: ${kills} kills, and each re-run converges to a clean build (seed ${seed})`, async () => {
    const names = Array.from({ length: 1000 }, (_, index) => `vm${String(index).padStart(4, '0')}`);
    // The second spec drops 50 VMs, adds 50 and changes 100 (their memory).
    const second = [...names.slice(50), ...Array.from({ length: 50 }, (_, index) => `new${index}`)];
    const specs = [path.join(scratch, 'first.yaml'), path.join(scratch, 'second.yaml')];
    writeFileSync(specs[0]!, fleetSpec(names));
    writeFileSync(specs[1]!, fleetSpec(second).replace(/( {2}- name: "vm0[01]\d\d")\n/g, '$1\n    domain: { memory: 2048 }\n'));

    // Clean builds into the very folder the kills happen in: its path is written into domain.xml.
    const out = path.join(scratch, 'out');
    const references: Map<string, string>[] = [];
    for (const spec of specs) {
      const run = await runChild(buildArgs(spec, out), { env: environment });
      expect(run.code, run.stderr).toBe(0);
      references.push(visibleDigest(out));
      await rm(out, { recursive: true });
    }
    expect(references[0]!.size).toBeGreaterThan(5000);
    mkdirSync(out);
    const next = random(seed);
    for (let kill = 0; kill < kills; kill++) {
      const which = kill % 2 === 0 ? 1 : 0;
      const child = spawn(process.execPath, [...cliCommand, ...buildArgs(specs[which]!, out)], { stdio: 'ignore', env: environment });
      // From start-up to past the commit of a full build (about 1.5 s here); the first kills hit an empty folder.
      const delay = Math.floor(30 + next() * 1600);
      const timer = setTimeout(() => child.kill('SIGKILL'), delay);
      await new Promise((resolve) => child.on('close', resolve));
      clearTimeout(timer);
      const manifest = outputState(out).manifest;
      if (manifest !== null) expectWholeBuild(out, manifest.vms.map((vm) => vm.name), { leftoversAllowed: true });

      const rerun = await runChild(buildArgs(specs[which]!, out), { env: environment });
      expect(rerun.code, `kill ${kill} after ${delay} ms: ${rerun.stderr}`).toBe(0);
      expect(visibleDigest(out), `kill ${kill} after ${delay} ms`).toEqual(references[which]);
      expectWholeBuild(out, outputState(out).manifest!.vms.map((vm) => vm.name));
    }
  }, 300_000);
});
