// npm run bench:kubevirt [-- --dir DIR] [--quick] [--out FILE]
// The same 1000-VM fleet built cold for libvirt (seed images, domains) and for KubeVirt (manifests and
// a kustomization), through the CLI, medians of three, against the cloud-localds loop over the same
// documents: the KubeVirt build must be in the libvirt build's speed class.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg } from 'node:os';
import path from 'node:path';
import { fleetSpecText } from './fleet-spec.js';
import { repoDir } from './library.js';
import { fleetBenchOptions, measureCommand, medianOf, settle } from './measure.js';
import { loopCloudLocalds, renderDocuments } from './methods.js';

const values = fleetBenchOptions();
const workRoot = await mkdtemp(path.join(values.dir, 'kubevirt-bench-'));
const cli = path.join(repoDir, 'dist', 'cli', 'main.js');
const spec = path.join(workRoot, 'fleet.yaml');
await writeFile(spec, fleetSpecText(1000, { passwords: 'shared' }));

async function coldBuild(platform: 'libvirt' | 'kubevirt'): Promise<number> {
  const out = path.join(workRoot, `out-${platform}`);
  const run = await medianOf(3, async () => {
    await rm(out, { recursive: true, force: true });
    await settle();
    return { totalMs: (await measureCommand('node', [cli, 'build', spec, '--for', platform, '-o', out, '-q'], workRoot)).wallMs };
  });
  return run.totalMs;
}

const libvirtMs = await coldBuild('libvirt');
const kubevirtMs = await coldBuild('kubevirt');
const loopDir = path.join(workRoot, 'loop');
await mkdir(loopDir);
const vmDirs = await renderDocuments(spec, loopDir);
const loop = await loopCloudLocalds(vmDirs, loopDir, values.quick ? 100 : vmDirs.length);
await rm(workRoot, { recursive: true, force: true });

const ms = (value: number) => `${value.toFixed(0)} ms`;
const ratio = kubevirtMs / libvirtMs;
const targets = [
  { goal: 'cold 1000-VM KubeVirt build in the libvirt build\'s speed class (≤ 1.5× its time)', measured: `${ratio.toFixed(2)}× (${ms(kubevirtMs)} against ${ms(libvirtMs)})`, met: ratio <= 1.5 },
  { goal: 'cold 1000-VM KubeVirt build faster than the cloud-localds loop', measured: `${(loop.totalMs / kubevirtMs).toFixed(1)}× (${ms(kubevirtMs)} against ${ms(loop.totalMs)}${loop.extrapolatedFrom ? `, scaled from ${loop.extrapolatedFrom} VMs` : ''})`, met: loop.totalMs > kubevirtMs },
];
console.log(`on ${availableParallelism()} CPUs, load average ${loadavg().map((value) => value.toFixed(1)).join(' ')} at the end, work in ${values.dir}`);
console.log(`1000 VMs cold: libvirt ${ms(libvirtMs)}, kubevirt ${ms(kubevirtMs)}; cloud-localds loop ${ms(loop.totalMs)}`);
console.log(`\n${targets.map((target) => `${target.met ? 'met    ' : 'not met'}  ${target.goal}: ${target.measured}`).join('\n')}`);
const results = { date: new Date().toISOString(), workDir: values.dir, quick: values.quick, libvirtMs, kubevirtMs, ratio, loopMs: loop.totalMs, targets };
const outFile = values.out ? path.resolve(values.out) : path.join(repoDir, 'bench', 'results', 'kubevirt-latest.json');
await writeFile(outFile, `${JSON.stringify(results, null, 2)}\n`);
console.log(`\nwrote ${outFile}`);
