// Named points where a test can kill a build the way kill -9 or a power cut would, to prove the output
// folder is whole at every one of them: CLOUDSEED_CRASH_AT=<name> sends this process SIGKILL there.
// `planned` (before the output folder is touched) also lets the benchmark time what every rebuild must do.
export type CrashPointName = 'planned' | 'staged' | 'linked' | 'switched' | 'sweeping';

export function crashPoint(name: CrashPointName): void {
  if (process.env.CLOUDSEED_CRASH_AT === name) process.kill(process.pid, 'SIGKILL');
}
