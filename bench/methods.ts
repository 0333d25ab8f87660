// The ways of making a fleet's seeds that the benchmark compares. Each runs in processes of its own
// and leaves nothing behind but its measurement.
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { meanFileBytes, measureCommand, vmFolders } from './measure.js';
import { repoDir } from './library.js';
import type { LibraryMeasurement } from './library-child.js';

export type MethodName = 'native-library' | 'native-cli' | 'genisoimage-library' | 'cloud-localds-loop' | 'cloudseed-localds-loop';

export interface Measurement {
  totalMs: number;
  /** CPU of the build and every process it started, start-up of an in-process method's child excluded. */
  cpuMs: number;
  peakRssKib: number;
  /** Whose memory peakRssKib is. */
  peakRssOf: string;
  seedBytes: number;
  /** Set when the loop ran over fewer VMs and totalMs was scaled up from them. */
  extrapolatedFrom?: number;
}

const cli = path.join(repoDir, 'dist', 'cli', 'main.js');
const libraryChild = path.join(repoDir, 'bench', 'library-child.ts');

/** buildFleet in a fresh Node process: the build's own time and the process's peak memory. */
export async function buildWithLibrary(specFile: string, workDir: string): Promise<Measurement> {
  const outputDir = path.join(workDir, 'out');
  const run = await measureCommand('node', ['--import', 'tsx', libraryChild, specFile, outputDir], workDir);
  const child = JSON.parse(run.stdout) as LibraryMeasurement;
  const seedBytes = await meanFileBytes(await vmFolders(outputDir), 'my-seed.img');
  await rm(outputDir, { recursive: true });
  return {
    totalMs: child.ms,
    cpuMs: run.cpuMs - child.startupCpuMs,
    peakRssKib: child.peakRssKib,
    peakRssOf: 'the Node process, tsx loader included (resourceUsage maxRSS)',
    seedBytes,
  };
}

/** `cloudseed build` as a user runs it: one process for the whole fleet, its start-up included. */
export async function buildWithCli(specFile: string, workDir: string): Promise<Measurement> {
  const outputDir = path.join(workDir, 'out');
  const run = await measureCommand('node', [cli, 'build', specFile, '-o', outputDir, '-q'], workDir);
  const seedBytes = await meanFileBytes(await vmFolders(outputDir), 'my-seed.img');
  await rm(outputDir, { recursive: true });
  return { totalMs: run.wallMs, cpuMs: run.cpuMs, peakRssKib: run.maxRssKib, peakRssOf: 'the Node process (GNU time %M)', seedBytes };
}

/** The documents cloudseed renders for the spec, for the loop to pack; not part of any measurement. */
export async function renderDocuments(specFile: string, workDir: string): Promise<string[]> {
  const outputDir = path.join(workDir, 'rendered');
  await rm(outputDir, { recursive: true, force: true });
  await measureCommand('node', [cli, 'render', specFile, '-o', outputDir, '-q'], workDir);
  return vmFolders(outputDir);
}

/** One process per seed over the rendered documents: `$LOCALDS` is cloud-localds or `node <cli> localds`. */
const loopScript = 'for d in "$@"; do $LOCALDS -N "$d/network-config" "$d/seed.img" "$d/user-data" "$d/meta-data" || exit; done';

/**
 * What users do today: one cloud-localds per VM, one after another. With `limit` below the fleet's size
 * only the first `limit` VMs are packed and the time is scaled up to the fleet, and says so.
 */
export async function loopCloudLocalds(vmDirs: string[], workDir: string, limit = vmDirs.length): Promise<Measurement> {
  return loopLocalds('cloud-localds', vmDirs, workDir, limit);
}

/** The same loop with cloudseed's drop-in, `cloudseed localds`: what replacing cloud-localds in a script gives. */
export async function loopCloudseedLocalds(vmDirs: string[], workDir: string, limit = vmDirs.length): Promise<Measurement> {
  return loopLocalds(`node ${cli} localds`, vmDirs, workDir, limit);
}

async function loopLocalds(localds: string, vmDirs: string[], workDir: string, limit: number): Promise<Measurement> {
  const packed = vmDirs.slice(0, limit);
  const run = await measureCommand('bash', ['-c', `LOCALDS="${localds}"; ${loopScript}`, 'loop', ...packed], workDir);
  const [first] = packed;
  const [command = 'cloud-localds', ...prefix] = localds.split(' ');
  const single = await measureCommand(command, [...prefix, '-N', `${first}/network-config`, `${first}/single.img`, `${first}/user-data`, `${first}/meta-data`], workDir);
  const seedBytes = await meanFileBytes(packed, 'seed.img');
  await Promise.all([...packed.map((dir) => rm(path.join(dir, 'seed.img'))), rm(`${first}/single.img`)]);
  const scale = vmDirs.length / packed.length;
  return {
    totalMs: run.wallMs * scale,
    cpuMs: run.cpuMs * scale,
    peakRssKib: single.maxRssKib,
    peakRssOf: `one run of ${localds === 'cloud-localds' ? 'cloud-localds' : 'cloudseed localds'} (GNU time %M)`,
    seedBytes,
    ...(scale === 1 ? {} : { extrapolatedFrom: packed.length }),
  };
}
