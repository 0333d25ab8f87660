// Run in a fresh process per measurement, so methods do not share a heap: one buildFleet call, timed
// without the process's start-up. Prints one JSON line: LibraryMeasurement.
import { performance } from 'node:perf_hooks';
import { loadCloudseed } from './library.js';

export interface LibraryMeasurement {
  ms: number;
  /** CPU the process had used before the build (start-up, imports), to subtract from its total. */
  startupCpuMs: number;
  /** process.resourceUsage().maxRSS, KiB: the whole process, its start-up included. */
  peakRssKib: number;
}

const [specFile, outputDir] = process.argv.slice(2);
if (specFile === undefined || outputDir === undefined) throw new Error('usage: library-child.ts SPEC OUTPUT-DIR');
const { buildFleet } = await loadCloudseed();
const { user, system } = process.cpuUsage();
const start = performance.now();
await buildFleet(specFile, { outputDir });
const measurement: LibraryMeasurement = {
  ms: performance.now() - start,
  startupCpuMs: (user + system) / 1000,
  peakRssKib: process.resourceUsage().maxRSS,
};
console.log(JSON.stringify(measurement));
