// npm run bench [-- --sizes 1,100,1000] [--out FILE] [--quick] [--dir DIR]
// Builds fleets of each size with cloudseed (native, in-process and through the CLI; genisoimage) and
// with a loop of cloud-localds runs, prints the figures and writes them to bench/results/.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { execa } from 'execa';
import { fleetSpecText, type FleetSpecOptions } from './fleet-spec.js';
import { repoDir } from './library.js';
import { measureCommand, medianOf, settle } from './measure.js';
import { buildWithCli, buildWithLibrary, loopCloudLocalds, loopCloudseedLocalds, renderDocuments, type Measurement, type MethodName } from './methods.js';
import { addRatios, checkTargets, formatProfile, formatRows, type Floors, type Row } from './report.js';
import type { StageProfile } from './stage-profile.js';

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '1,100,1000' },
    out: { type: 'string' },
    /** Packs at most 100 VMs with cloud-localds and scales its time up to the fleet's size. */
    quick: { type: 'boolean', default: false },
    /** Where specs and seeds are written (default: the system's temporary folder); /dev/shm leaves the disk out. */
    dir: { type: 'string', default: tmpdir() },
  },
});
const sizes = values.sizes.split(',').map(Number);
if (sizes.some((size) => !Number.isInteger(size) || size < 1)) throw new Error(`--sizes takes whole numbers, got ${values.sizes}`);
const workRoot = await mkdtemp(path.join(values.dir, 'seed-bench-'));

async function writeSpec(dir: string, size: number, options: FleetSpecOptions): Promise<string> {
  const file = path.join(dir, `${options.passwords}-${options.packer ?? 'native'}.yaml`);
  await writeFile(file, fleetSpecText(size, options));
  return file;
}

/** One fleet size, every method; small fleets are measured three times and the median kept. */
async function measureSize(size: number): Promise<Omit<Row, 'perSeedMs' | 'speedupVsLoop' | 'seedSizeVsLoop'>[]> {
  const dir = path.join(workRoot, String(size));
  await mkdir(dir);
  const shared = await writeSpec(dir, size, { passwords: 'shared' });
  const distinct = await writeSpec(dir, size, { passwords: 'distinct' });
  const genisoimage = await writeSpec(dir, size, { passwords: 'shared', packer: 'genisoimage' });
  const vmDirs = await renderDocuments(shared, dir);
  const runs = size <= 100 ? 3 : 1;
  const plan: [FleetSpecOptions['passwords'], MethodName, () => Promise<Measurement>][] = [
    ['shared', 'cloud-localds-loop', () => loopCloudLocalds(vmDirs, dir, values.quick ? 100 : size)],
    // A Node start per seed: 100 of them say enough, and the time is scaled up to the fleet.
    ['shared', 'cloudseed-localds-loop', () => loopCloudseedLocalds(vmDirs, dir, Math.min(size, 100))],
    ['shared', 'native-library', () => buildWithLibrary(shared, dir)],
    ['shared', 'native-cli', () => buildWithCli(shared, dir)],
    ['shared', 'genisoimage-library', () => buildWithLibrary(genisoimage, dir)],
    ['distinct', 'native-library', () => buildWithLibrary(distinct, dir)],
    ['distinct', 'native-cli', () => buildWithCli(distinct, dir)],
  ];
  const rows = [];
  for (const [passwords, method, measure] of plan) {
    process.stderr.write(`${size} VMs, ${passwords} passwords: ${method}…\n`);
    rows.push({ passwords, method, size, ...(await medianOf(runs, measure)) });
  }
  return rows;
}

async function measureFloors(): Promise<Floors> {
  const dir = path.join(workRoot, 'floors');
  await mkdir(dir);
  const nodeStart = await medianOf(5, async () => ({ totalMs: (await measureCommand('node', ['-e', '0'], dir)).wallMs }));
  const writeOnlyMs: Record<number, number> = {};
  for (const size of sizes) {
    const spec = await writeSpec(dir, size, { passwords: 'shared' });
    const built = path.join(dir, `built-${size}`);
    await execa('node', [path.join(repoDir, 'dist', 'cli', 'main.js'), 'build', spec, '-o', built, '-q']);
    const runs = size <= 100 ? 3 : 1;
    const measured = await medianOf(runs, async () => {
      const target = path.join(dir, `written-${size}`);
      const run = await measureCommand('node', ['--import', 'tsx', path.join(repoDir, 'bench', 'write-only-child.ts'), built, target], dir);
      await rm(target, { recursive: true });
      return { totalMs: (JSON.parse(run.stdout) as { ms: number }).ms };
    });
    writeOnlyMs[size] = measured.totalMs;
  }
  return { nodeStartMs: nodeStart.totalMs, writeOnlyMs };
}

async function profileStages(size: number, passwords: FleetSpecOptions['passwords']): Promise<StageProfile> {
  const dir = path.join(workRoot, `profile-${passwords}`);
  await mkdir(dir);
  const spec = await writeSpec(dir, size, { passwords });
  await settle();
  const run = await measureCommand('node', ['--import', 'tsx', path.join(repoDir, 'bench', 'stage-profile.ts'), spec, path.join(dir, 'out')], dir);
  return JSON.parse(run.stdout) as StageProfile;
}

async function describeHost() {
  const output = async (command: string, args: string[]) => (await execa(command, args, { reject: false })).stdout.trim();
  return {
    node: process.version,
    cpu: cpus()[0]?.model ?? 'unknown',
    availableParallelism: availableParallelism(),
    loadAverageAtStart: loadavg(),
    commit: await output('git', ['-C', repoDir, 'rev-parse', '--short', 'HEAD']),
    uncommittedChanges: (await output('git', ['-C', repoDir, 'status', '--porcelain'])) !== '',
    tools: await output('dpkg-query', ['-W', '-f', '${Package} ${Version}\\n', 'cloud-image-utils', 'genisoimage']),
  };
}

const host = await describeHost();
const measured = [];
for (const size of sizes) measured.push(...(await measureSize(size)));
const rows = addRatios(measured);
const largest = Math.max(...sizes);
const profiles = { shared: await profileStages(largest, 'shared'), distinct: await profileStages(largest, 'distinct') };
const floors = await measureFloors();
const targets = checkTargets(rows, floors);
await rm(workRoot, { recursive: true, force: true });

const load = (averages: number[]) => averages.map((average) => average.toFixed(1)).join(' ');
console.log(`load average ${load(host.loadAverageAtStart)} at the start, ${load(loadavg())} at the end, on ${host.availableParallelism} CPUs\n`);
console.log(formatRows(rows));
console.log(`\nfloors: Node starts in ${floors.nodeStartMs.toFixed(0)} ms; writing a built fleet's files alone takes ${sizes.map((size) => `${(floors.writeOnlyMs[size] ?? 0).toFixed(0)} ms for ${size}`).join(', ')}`);
console.log(`\n${formatProfile(`Where ${largest} native seeds' time goes (one password for the fleet)`, profiles.shared)}`);
console.log(`\n${formatProfile(`The same with a password per VM`, profiles.distinct)}`);
console.log(`\n${targets.map((target) => `${target.met ? 'met    ' : 'not met'}  ${target.goal}: ${target.measured}`).join('\n')}`);

const results = { date: new Date().toISOString(), host: { ...host, loadAverageAtEnd: loadavg() }, quick: values.quick, workDir: values.dir, rows, floors, profiles, targets };
// Without --out: bench/results/<date>.json, and latest.json, which the README quotes.
const resultsDir = path.join(repoDir, 'bench', 'results');
const outFiles = values.out ? [path.resolve(values.out)] : [path.join(resultsDir, `${results.date.slice(0, 10)}.json`), path.join(resultsDir, 'latest.json')];
for (const file of outFiles) {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(results, null, 2)}\n`);
}
console.log(`\nwrote ${outFiles.join(' and ')}`);
