// Time for the external tools comes from PackOptions.sourceDateEpoch and nowhere else: set, the tools
// see it as SOURCE_DATE_EPOCH (reproducible-builds.org); null, they use their own clock, even if the
// user's shell happens to export SOURCE_DATE_EPOCH.
import { CloudseedError } from '../errors.js';
import { latestFatMoment } from '../formats/index.js';

/** Environment changes for a tool run: SOURCE_DATE_EPOCH set or removed, and TZ pinned when reproducible. */
export function sourceDateEnvironment(sourceDateEpoch: number | null): Record<string, string | undefined> {
  if (sourceDateEpoch === null) return { SOURCE_DATE_EPOCH: undefined };
  // FAT stores local time, so the same epoch gives different bytes in different time zones without this.
  return { SOURCE_DATE_EPOCH: String(sourceDateEpoch), TZ: 'UTC' };
}

/**
 * The last second every seed volume can record: FAT's dates end with 2107 (7 bits of years since 1980);
 * ISO 9660's end later (2155 in a directory record's byte of years since 1900, 9999 in the 17-digit
 * volume dates). Earlier than FAT's 1980 is fine: the FAT writer records 1980-01-01 for those, which
 * SOURCE_DATE_EPOCH=0 relies on.
 */
export const latestSourceDateEpoch = Math.floor(latestFatMoment / 1000);

const hint = 'set it to whole seconds since 1970-01-01 UTC, such as $(git log -1 --format=%ct), or unset it';

/**
 * SOURCE_DATE_EPOCH from the environment, or null when it is unset (or set empty, as `VAR= cmd` does).
 * Anything else that is not a date every seed volume can hold is a USAGE error (exit 2): a garbled
 * value silently ignored would give images that differ at every build.
 */
export function sourceDateEpochFromEnv(env: NodeJS.ProcessEnv = process.env): number | null {
  const value = env.SOURCE_DATE_EPOCH;
  if (value === undefined || value === '') return null;
  if (!/^\d+$/.test(value)) {
    throw new CloudseedError('USAGE', `SOURCE_DATE_EPOCH=${JSON.stringify(value)} is not a whole number of seconds since 1970`, { hint });
  }
  const seconds = Number(value);
  if (seconds > latestSourceDateEpoch) {
    const moment = new Date(seconds * 1000);
    const year = Number.isNaN(moment.getTime()) ? Math.floor(1970 + seconds / 31_556_952) : moment.getUTCFullYear();
    throw new CloudseedError('USAGE', `SOURCE_DATE_EPOCH=${value} is in the year ${year}; a FAT seed holds dates up to 2107 and an ISO 9660 seed up to 2155`, {
      hint: `${hint}; at most ${latestSourceDateEpoch} (2107-12-31T23:59:59Z)`,
    });
  }
  return seconds;
}
