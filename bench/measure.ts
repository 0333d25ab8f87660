// Running a command as a measurement: wall time from here, CPU (its own and its children's) and peak
// resident memory from GNU time, which sees every process the command starts.
import { readFile, readdir, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { tmpdir } from 'node:os';
import { parseArgs } from 'node:util';
import { execa } from 'execa';

const gnuTime = '/usr/bin/time';

/** The options the fleet benchmarks share: where to work, `--quick`, and where to write the results. */
export function fleetBenchOptions(): { dir: string; quick: boolean; out?: string } {
  const { values } = parseArgs({
    options: {
      dir: { type: 'string', default: tmpdir() },
      /** Packs 100 VMs with cloud-localds and scales its time up to 1000. */
      quick: { type: 'boolean', default: false },
      out: { type: 'string' },
    },
  });
  return values;
}

export interface CommandMeasurement {
  wallMs: number;
  /** User + system CPU of the command and every process it waited for. */
  cpuMs: number;
  /** The largest resident set of any one of those processes, KiB (GNU time's %M). */
  maxRssKib: number;
  stdout: string;
}

export async function measureCommand(command: string, args: string[], workDir: string): Promise<CommandMeasurement> {
  if (!existsSync(gnuTime)) throw new Error(`${gnuTime} is missing: apt-get install time`);
  const report = path.join(workDir, 'time.txt');
  const start = performance.now();
  const { stdout } = await execa(gnuTime, ['-f', '%U %S %M', '-o', report, command, ...args]);
  const wallMs = performance.now() - start;
  const [user = 0, system = 0, maxRssKib = 0] = (await readFile(report, 'utf8')).trim().split(/\s+/).slice(-3).map(Number);
  return { wallMs, cpuMs: (user + system) * 1000, maxRssKib, stdout };
}

/** The VM folders cloudseed wrote under `outputDir`, in name order. */
export async function vmFolders(outputDir: string): Promise<string[]> {
  const entries = await readdir(outputDir, { withFileTypes: true });
  return entries.filter((entry) => entry.isDirectory() && !entry.name.startsWith('.')).map((entry) => path.join(outputDir, entry.name)).sort();
}

/** The mean size of `fileName` in each of `folders`. */
export async function meanFileBytes(folders: string[], fileName: string): Promise<number> {
  const sizes = await Promise.all(folders.map(async (folder) => (await stat(path.join(folder, fileName))).size));
  return sizes.reduce((sum, size) => sum + size, 0) / sizes.length;
}

/** Flushes what earlier runs wrote and deleted, so that the next measurement does not pay for it. */
export async function settle(): Promise<void> {
  await execa('sync');
}

/**
 * Runs `measure` `runs` times, each on a settled disk, and keeps the run with the median total time.
 * With several runs, one more goes first and is thrown away: the first run of a method in a bench was
 * seen taking several times as long as the rest (one cloud-localds: 230 ms against 20-40 ms).
 */
export async function medianOf<T extends { totalMs: number }>(runs: number, measure: () => Promise<T>): Promise<T> {
  if (runs > 1) await measure();
  const results: T[] = [];
  for (let run = 0; run < runs; run++) {
    await settle();
    results.push(await measure());
  }
  return results.sort((a, b) => a.totalMs - b.totalMs)[Math.floor(runs / 2)]!;
}
