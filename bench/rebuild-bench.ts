// npm run bench:rebuild [-- --dir DIR] [--quick] [--out FILE]
// A fleet over time, through the CLI as users run it: a cold 1000-VM build against the cloud-localds
// loop over the same documents, rebuilds with nothing and with one VM changed (as ratios of the cold
// build), the same with a password per VM, and a 10,000-VM fleet from one pattern (time and peak RSS).
// The floors beside them: Node's start, and the least any rebuild does: start, load, read and plan the
// spec (the CLI killed at its `planned` crash point).
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { execa } from 'execa';
import { fleetSpecText, patternFleetSpecText, type PasswordMode } from './fleet-spec.js';
import { repoDir } from './library.js';
import { fleetBenchOptions, measureCommand, medianOf, settle } from './measure.js';
import { loopCloudLocalds, renderDocuments } from './methods.js';

const values = fleetBenchOptions();
const workRoot = await mkdtemp(path.join(values.dir, 'rebuild-bench-'));
const cli = path.join(repoDir, 'dist', 'cli', 'main.js');

interface Run {
  ms: number;
  peakRssMib: number;
}

async function cloudseed(args: string[], workDir: string): Promise<Run> {
  await settle();
  const run = await measureCommand('node', [cli, ...args, '-q'], workDir);
  return { ms: run.wallMs, peakRssMib: run.maxRssKib / 1024 };
}

/** Cold build, then rebuilds with nothing changed and with one VM's memory changed; medians of three. */
async function lifecycle(passwords: PasswordMode) {
  const dir = path.join(workRoot, passwords);
  await mkdir(dir);
  const spec = path.join(dir, 'fleet.yaml');
  const text = fleetSpecText(1000, { passwords });
  const out = path.join(dir, 'out');
  const cold = await medianOf(3, async () => {
    await rm(out, { recursive: true, force: true });
    await writeFile(spec, text);
    const run = await cloudseed(['build', spec, '-o', out], dir);
    return { totalMs: run.ms, ...run };
  });
  const unchanged = await medianOf(3, async () => {
    const run = await cloudseed(['build', spec, '-o', out], dir);
    return { totalMs: run.ms, ...run };
  });
  let memory = 2048;
  const oneChanged = await medianOf(3, async () => {
    // vm-0500 gets its own memory, a new value each run, so each run has exactly one VM to build.
    memory += 256;
    await writeFile(spec, text.replace('  - name: vm-0500\n', `  - name: vm-0500\n    domain: { memory: ${memory} }\n`));
    const run = await cloudseed(['build', spec, '-o', out], dir);
    return { totalMs: run.ms, ...run };
  });
  const check = JSON.parse(await readFile(path.join(out, 'manifest.json'), 'utf8')) as { vms: { name: string; status: string }[] };
  const built = check.vms.filter((vm) => vm.status === 'built').map((vm) => vm.name);
  if (built.join() !== 'vm-0500') throw new Error(`the one-VM rebuild built ${built.length} VMs: ${built.slice(0, 5).join(', ')}`);
  // The CLI stopped (SIGKILL, the tests' crash point) right after planning, before it looks at the output.
  const planOnly = await medianOf(3, async () => {
    await settle();
    const start = performance.now();
    await execa('node', [cli, 'build', spec, '-o', out, '-q'], { env: { CLOUDSEED_CRASH_AT: 'planned' }, reject: false });
    return { totalMs: performance.now() - start };
  });
  return { passwords, coldMs: cold.ms, unchangedMs: unchanged.ms, oneChangedMs: oneChanged.ms, planOnlyMs: planOnly.totalMs, spec, dir };
}

async function patternFleet(size: number): Promise<Run & { specLines: number }> {
  const dir = path.join(workRoot, `pattern-${size}`);
  await mkdir(dir);
  const spec = path.join(dir, 'fleet.yaml');
  const text = patternFleetSpecText(size);
  await writeFile(spec, text);
  const run = await cloudseed(['build', spec, '-o', path.join(dir, 'out')], dir);
  return { ...run, specLines: text.trimEnd().split('\n').length };
}

const shared = await lifecycle('shared');
const distinct = await lifecycle('distinct');
const vmDirs = await renderDocuments(shared.spec, shared.dir);
const loop = await loopCloudLocalds(vmDirs, shared.dir, values.quick ? 100 : vmDirs.length);
const thousandFromPattern = await patternFleet(1000);
const tenThousand = await patternFleet(10_000);
const nodeStart = await medianOf(5, async () => ({ totalMs: (await measureCommand('node', ['-e', '0'], workRoot)).wallMs }));
await rm(workRoot, { recursive: true, force: true });

const percent = (part: number, whole: number) => `${((part / whole) * 100).toFixed(1)} %`;
const ms = (value: number) => `${value.toFixed(0)} ms`;
const targets = [
  ...[shared, distinct].flatMap((run) => [
    { goal: `rebuild of 1000 VMs (${run.passwords} passwords), one changed: ≤ 5 % of the cold build`, measured: `${ms(run.oneChangedMs)} = ${percent(run.oneChangedMs, run.coldMs)} of ${ms(run.coldMs)}; floor ${percent(run.planOnlyMs, run.coldMs)}`, met: run.oneChangedMs <= run.coldMs * 0.05 },
    { goal: `rebuild of 1000 VMs (${run.passwords} passwords), nothing changed: ≤ 5 % of the cold build`, measured: `${ms(run.unchangedMs)} = ${percent(run.unchangedMs, run.coldMs)} of ${ms(run.coldMs)}; floor ${percent(run.planOnlyMs, run.coldMs)}`, met: run.unchangedMs <= run.coldMs * 0.05 },
  ]),
  { goal: '10,000 VMs from a pattern: peak RSS ≤ 256 MiB', measured: `${tenThousand.peakRssMib.toFixed(0)} MiB (spec of ${tenThousand.specLines} lines)`, met: tenThousand.peakRssMib <= 256 },
  { goal: '10,000 VMs from a pattern: ≤ 11× the 1000-VM time', measured: `${ms(tenThousand.ms)} = ${(tenThousand.ms / thousandFromPattern.ms).toFixed(1)}× ${ms(thousandFromPattern.ms)}`, met: tenThousand.ms <= thousandFromPattern.ms * 11 },
  { goal: 'cold 1000-VM build ≥ 30× faster than the cloud-localds loop', measured: `${(loop.totalMs / shared.coldMs).toFixed(1)}× (${ms(shared.coldMs)} against ${ms(loop.totalMs)}${loop.extrapolatedFrom ? `, scaled from ${loop.extrapolatedFrom} VMs` : ''})`, met: loop.totalMs / shared.coldMs >= 30 },
];
const floors = {
  nodeStartMs: nodeStart.totalMs,
  planOnlySharedMs: shared.planOnlyMs,
  planOnlyDistinctMs: distinct.planOnlyMs,
};

console.log(`on ${availableParallelism()} CPUs, load average ${loadavg().map((value) => value.toFixed(1)).join(' ')} at the end, work in ${values.dir}`);
for (const run of [shared, distinct]) {
  console.log(`1000 VMs, ${run.passwords} passwords: cold ${ms(run.coldMs)}, nothing changed ${ms(run.unchangedMs)}, one changed ${ms(run.oneChangedMs)}; CLI up to its plan ${ms(run.planOnlyMs)}`);
}
console.log(`pattern fleets: 1000 VMs ${ms(thousandFromPattern.ms)} (${thousandFromPattern.peakRssMib.toFixed(0)} MiB), 10,000 VMs ${ms(tenThousand.ms)} (${tenThousand.peakRssMib.toFixed(0)} MiB)`);
console.log(`cloud-localds loop over the same 1000 VMs: ${ms(loop.totalMs)}`);
console.log(`floors: Node starts in ${ms(floors.nodeStartMs)}; the CLI stopped right after planning (start, load, parse, plan) takes ${ms(floors.planOnlySharedMs)} with one password, ${ms(floors.planOnlyDistinctMs)} with one per VM (${percent(floors.planOnlySharedMs, shared.coldMs)} and ${percent(floors.planOnlyDistinctMs, distinct.coldMs)} of the cold builds)`);
console.log(`\n${targets.map((target) => `${target.met ? 'met    ' : 'not met'}  ${target.goal}: ${target.measured}`).join('\n')}`);

const results = {
  date: new Date().toISOString(),
  workDir: values.dir,
  quick: values.quick,
  lifecycle: [shared, distinct].map(({ spec: _spec, dir: _dir, ...rest }) => rest),
  pattern: { thousand: thousandFromPattern, tenThousand },
  loopMs: loop.totalMs,
  floors,
  targets,
};
const outFile = values.out ? path.resolve(values.out) : path.join(repoDir, 'bench', 'results', 'rebuild-latest.json');
await writeFile(outFile, `${JSON.stringify(results, null, 2)}\n`);
console.log(`\nwrote ${outFile}`);
