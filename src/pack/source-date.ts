// Time for the external tools comes from PackOptions.sourceDateEpoch and nowhere else: set, the tools
// see it as SOURCE_DATE_EPOCH (reproducible-builds.org); null, they use their own clock, even if the
// user's shell happens to export SOURCE_DATE_EPOCH.

/** Environment changes for a tool run: SOURCE_DATE_EPOCH set or removed, and TZ pinned when reproducible. */
export function sourceDateEnvironment(sourceDateEpoch: number | null): Record<string, string | undefined> {
  if (sourceDateEpoch === null) return { SOURCE_DATE_EPOCH: undefined };
  // FAT stores local time, so the same epoch gives different bytes in different time zones without this.
  return { SOURCE_DATE_EPOCH: String(sourceDateEpoch), TZ: 'UTC' };
}

/** SOURCE_DATE_EPOCH from the environment when it is a whole number of seconds, else null. */
export function sourceDateEpochFromEnv(env: NodeJS.ProcessEnv = process.env): number | null {
  const value = env.SOURCE_DATE_EPOCH;
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : null;
}
