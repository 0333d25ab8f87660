// SOURCE_DATE_EPOCH is checked before anything is written: a value that is not whole seconds, or a date
// a FAT or ISO 9660 seed cannot record, is exit 2 naming the variable, not a silently different image.
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { latestSourceDateEpoch, sourceDateEpochFromEnv } from '../../src/pack/source-date.js';
import { looksLikeStackTrace, runChild } from './support/run-cloudseed.js';

let folder: string;

beforeAll(async () => {
  folder = await mkdtemp(path.join(tmpdir(), 'cloudseed-source-date-'));
});

afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

describe('sourceDateEpochFromEnv', () => {
  it.each([
    [undefined, null], ['', null], ['0', 0], ['1700000000', 1700000000], [String(latestSourceDateEpoch), latestSourceDateEpoch],
  ])('takes %j as %j', (value, expected) => {
    expect(sourceDateEpochFromEnv(value === undefined ? {} : { SOURCE_DATE_EPOCH: value })).toBe(expected);
  });

  it('stops at the last second of 2107, the last FAT date', () => {
    expect(new Date(latestSourceDateEpoch * 1000).toISOString()).toBe('2107-12-31T23:59:59.000Z');
  });

  it.each([
    ['abc', /SOURCE_DATE_EPOCH="abc" is not a whole number of seconds since 1970/],
    ['-1', /is not a whole number of seconds/],
    ['1.5', /is not a whole number of seconds/],
    [' 17', /is not a whole number of seconds/],
    ['1e9', /is not a whole number of seconds/],
    [String(latestSourceDateEpoch + 1), /is in the year 2108; a FAT seed holds dates up to 2107/],
    ['99999999999999', /is in the year 3170\d{3}; a FAT seed holds dates up to 2107/],
  ])('refuses %j as a USAGE error', (value, message) => {
    expect(() => sourceDateEpochFromEnv({ SOURCE_DATE_EPOCH: value })).toThrow(message);
    try {
      sourceDateEpochFromEnv({ SOURCE_DATE_EPOCH: value });
    } catch (error) {
      expect((error as { code: string }).code).toBe('USAGE');
    }
  });
});

describe('cloudseed with a SOURCE_DATE_EPOCH it cannot use', () => {
  it.each(['abc', '99999999999999', String(latestSourceDateEpoch + 1)])('build: SOURCE_DATE_EPOCH=%s is exit 2, nothing written', async (value) => {
    const out = path.join(folder, `build-${value}`, 'out');
    const run = await runChild(['build', 'seeds/centos7-macvtap.yaml', '-o', out], { env: { ...process.env, SOURCE_DATE_EPOCH: value } });
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toMatch(/^error: SOURCE_DATE_EPOCH=/m);
    expect(run.stderr).toMatch(/^hint: set it to whole seconds since 1970-01-01 UTC/m);
    expect(looksLikeStackTrace(run.stderr)).toBe(false);
    expect(existsSync(path.dirname(out))).toBe(false);
  });

  it('localds: exit 2, no image written', async () => {
    const work = path.join(folder, 'localds');
    await import('node:fs/promises').then((fs) => fs.mkdir(work));
    await writeFile(path.join(work, 'user-data'), '#cloud-config\n');
    const run = await runChild(['localds', path.join(work, 'seed.img'), path.join(work, 'user-data')], { env: { ...process.env, SOURCE_DATE_EPOCH: 'yesterday' } });
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toContain('SOURCE_DATE_EPOCH="yesterday"');
    expect(readdirSync(work)).toEqual(['user-data']);
  });

  it('build: the last second of 2107 still builds', async () => {
    const out = path.join(folder, 'latest', 'out');
    const run = await runChild(['build', 'seeds/centos7-macvtap.yaml', '-o', out], { env: { ...process.env, SOURCE_DATE_EPOCH: String(latestSourceDateEpoch) } });
    expect(run.code, run.stderr).toBe(0);
  });
});
