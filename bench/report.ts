// The benchmark's figures: ratios against the cloud-localds loop, the targets, and the printed table.
import type { Measurement, MethodName } from './methods.js';
import type { PasswordMode } from './fleet-spec.js';
import type { StageProfile } from './stage-profile.js';

export interface Row extends Measurement {
  passwords: PasswordMode;
  method: MethodName;
  size: number;
  perSeedMs: number;
  /** How many times faster than the cloud-localds loop over the same number of VMs. */
  speedupVsLoop: number | null;
  /** Seed image size as a fraction of cloud-localds's. */
  seedSizeVsLoop: number | null;
}

export function addRatios(measured: Omit<Row, 'perSeedMs' | 'speedupVsLoop' | 'seedSizeVsLoop'>[]): Row[] {
  return measured.map((row) => {
    const loop = measured.find((other) => other.method === 'cloud-localds-loop' && other.size === row.size);
    return {
      ...row,
      perSeedMs: row.totalMs / row.size,
      speedupVsLoop: loop ? loop.totalMs / row.totalMs : null,
      seedSizeVsLoop: loop ? row.seedBytes / loop.seedBytes : null,
    };
  });
}

/**
 * What no Node program that writes these files can go below on this machine: Node's own start (`node
 * -e 0`) and writing the fleet's output tree, already built, with nothing else done.
 */
export interface Floors {
  nodeStartMs: number;
  /** By fleet size. */
  writeOnlyMs: Record<number, number>;
}

export interface Target {
  goal: string;
  measured: string;
  met: boolean;
}

/** Each target with what was measured and, where one applies, the floor that bounds it on this machine. */
export function checkTargets(rows: Row[], floors: Floors): Target[] {
  const find = (method: MethodName, size: number) => rows.find((row) => row.method === method && row.size === size && row.passwords === 'shared');
  const largest = Math.max(...rows.map((row) => row.size));
  const targets: Target[] = [];
  const oneCli = find('native-cli', 1);
  const oneLoop = find('cloud-localds-loop', 1);
  if (oneCli && oneLoop) {
    targets.push({
      goal: 'one VM through the CLI no slower than one cloud-localds run',
      measured: `${oneCli.totalMs.toFixed(0)} ms against ${oneLoop.totalMs.toFixed(0)} ms; Node alone starts in ${floors.nodeStartMs.toFixed(0)} ms`,
      met: oneCli.totalMs <= oneLoop.totalMs,
    });
  }
  for (const method of ['native-cli', 'native-library'] as const) {
    const fleet = find(method, largest);
    if (fleet?.speedupVsLoop != null) {
      const budgetMs = fleet.totalMs * fleet.speedupVsLoop / 100;
      const writeOnly = floors.writeOnlyMs[largest];
      const floor = writeOnly === undefined ? '' : `; writing the files alone takes ${writeOnly.toFixed(0)} ms`;
      targets.push({
        goal: `${largest} VMs (${method}) at least 100× faster than the cloud-localds loop`,
        measured: `${fleet.speedupVsLoop.toFixed(1)}× (${fleet.totalMs.toFixed(0)} ms; 100× would be ${budgetMs.toFixed(0)} ms${floor})`,
        met: fleet.speedupVsLoop >= 100,
      });
    }
  }
  const seed = find('native-library', largest);
  if (seed?.seedSizeVsLoop != null) {
    targets.push({ goal: 'a native seed no larger than a quarter of cloud-localds\'s', measured: `${(seed.seedBytes / 1024).toFixed(0)} KiB = ${(seed.seedSizeVsLoop * 100).toFixed(0)}%`, met: seed.seedSizeVsLoop <= 0.25 });
  }
  return targets;
}

/** Columns padded to their widest cell; the first `leftAligned` hold text, the rest numbers. */
function table(header: string[], lines: string[][], leftAligned: number): string {
  const widths = header.map((title, column) => Math.max(title.length, ...lines.map((line) => line[column]!.length)));
  const format = (cells: string[]) => cells.map((cell, column) => (column < leftAligned ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ');
  return [format(header), ...lines.map(format)].join('\n');
}

export function formatRows(rows: Row[]): string {
  return table(
    ['passwords', 'method', 'VMs', 'total ms', 'ms/seed', 'CPU ms', 'peak RSS MiB', 'seed KiB', 'vs loop', 'seed vs loop'],
    rows.map((row) => [
      row.passwords,
      row.method + (row.extrapolatedFrom ? ` (extrapolated from ${row.extrapolatedFrom})` : ''),
      String(row.size),
      row.totalMs.toFixed(0),
      row.perSeedMs.toFixed(2),
      row.cpuMs.toFixed(0),
      (row.peakRssKib / 1024).toFixed(1),
      (row.seedBytes / 1024).toFixed(0),
      row.speedupVsLoop === null ? '' : `${row.speedupVsLoop.toFixed(1)}×`,
      row.seedSizeVsLoop === null ? '' : `${(row.seedSizeVsLoop * 100).toFixed(0)}%`,
    ]),
    2,
  );
}

export function formatProfile(title: string, profile: StageProfile): string {
  const lines = Object.entries(profile.stages).map(([stage, ms]) => [
    stage,
    ms.toFixed(0),
    (profile.cpuStages[stage] ?? 0).toFixed(0),
    (profile.kernelStages[stage] ?? 0).toFixed(0),
    `${((ms / profile.totalMs) * 100).toFixed(0)}%`,
  ]);
  const inline = profile.inlineHashMs === null ? '' : `\nthe same ${profile.hashedInWorkers} hashes on the main thread alone: ${profile.inlineHashMs.toFixed(0)} ms`;
  return `${title}\n${table(['stage', 'ms', 'CPU ms', 'kernel ms', 'share'], lines, 1)}\ntotal ${profile.totalMs.toFixed(0)} ms${inline}`;
}
