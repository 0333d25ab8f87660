// The writer's contract without external readers: what it refuses, that it is reproducible, and that it
// adds no padding the format does not need. Read-back by real tools is in read-back.test.ts.
import { describe, expect, it } from 'vitest';
import { writeIso9660 } from '../../../src/formats/iso9660/index.js';
import { largeUserData, sampleSeedFiles, seedFile } from '../support/sample-seed-files.js';
import { changesOutsideTimes } from './recorded-times.js';
import { errorThrownBy } from '../../support/cloudseed-errors.js';

const options = { label: 'cidata', timestamp: 1_700_000_000 };
const sectorBytes = 2048;

describe('writeIso9660 input checks', () => {
  it('refuses a name with "/" and says the volume is flat', () => {
    const error = errorThrownBy(() => writeIso9660([seedFile('scripts/run.sh', 'x')], options));
    expect(error.code).toBe('SPEC_INVALID');
    expect(error.message).toContain('"scripts/run.sh" contains "/"');
  });

  it('refuses duplicate names', () => {
    expect(() => writeIso9660([seedFile('user-data', 'a'), seedFile('user-data', 'b')], options)).toThrow(
      '"user-data" appears more than once',
    );
  });

  it('names every problem at once', () => {
    const files = [
      seedFile('a/b', ''),
      seedFile('x'.repeat(65), ''),
      seedFile('bad?', ''),
      seedFile('trailing.', ''),
      seedFile('', ''),
    ];
    const { message } = errorThrownBy(() => writeIso9660(files, { label: 'a label that is too long', timestamp: 0 }));
    for (const part of ['"a/b"', 'x'.repeat(65), '"bad?"', '"trailing."', 'empty name', 'longer than 16'])
      expect(message).toContain(part);
  });

  it('refuses modes that are not a regular file and timestamps it cannot record', () => {
    expect(() => writeIso9660([{ ...seedFile('link', ''), mode: 0o120777 }], options)).toThrow('not a regular file');
    expect(() => writeIso9660([], { label: 'cidata', timestamp: Number.NaN })).toThrow('not a point in time');
    expect(() => writeIso9660([], { label: 'cidata', timestamp: -3_000_000_000 })).toThrow('1900');
  });

  it('accepts a mode that already carries S_IFREG, names of 64 characters and a Date', () => {
    const files = [{ ...seedFile('y'.repeat(64), 'z'), mode: 0o100640 }];
    expect(writeIso9660(files, { label: 'cidata', timestamp: new Date('2024-02-29T12:00:00Z') }).length % sectorBytes).toBe(
      0,
    );
  });
});

describe('writeIso9660 output', () => {
  it('is byte-identical for the same input, whatever order the files come in', () => {
    const files = sampleSeedFiles();
    const first = writeIso9660(files, options);
    expect(Buffer.from(writeIso9660(files, options)).equals(first)).toBe(true);
    expect(Buffer.from(writeIso9660([...files].reverse(), options)).equals(first)).toBe(true);
  });

  it('is a few dozen sectors for a three-file seed, under a quarter of a cloud-localds image', () => {
    const image = writeIso9660(sampleSeedFiles(), options);
    expect(image.length % sectorBytes).toBe(0);
    expect(image.length / sectorBytes).toBeLessThanOrEqual(32);
    expect(image.length).toBeLessThan(374_784 / 4);
  });

  it('records a volume space size equal to the image length, in the primary and the Joliet descriptor', () => {
    const image = writeIso9660([largeUserData(3 * sectorBytes + 1), seedFile('meta-data', 'x')], options);
    const view = new DataView(image.buffer, image.byteOffset, image.byteLength);
    for (const descriptor of [16, 17]) {
      expect(view.getUint32(descriptor * sectorBytes + 80, true)).toBe(image.length / sectorBytes);
      expect(view.getUint32(descriptor * sectorBytes + 84, false)).toBe(image.length / sectorBytes);
    }
  });

  it('changes only timestamp bytes when only the timestamp changes', () => {
    const files = sampleSeedFiles();
    const timestamp = Date.UTC(2023, 0, 2, 3, 4, 5) / 1000;
    const before = writeIso9660(files, { label: 'cidata', timestamp });
    const after = writeIso9660(files, { label: 'cidata', timestamp: Date.UTC(2031, 6, 8, 9, 10, 11) / 1000 });
    expect(after.length).toBe(before.length);
    expect([...before.keys()].some((index) => before[index] !== after[index])).toBe(true);
    expect(changesOutsideTimes(before, after, timestamp)).toEqual([]);
  });

  it('writes an empty volume when there are no files', () => {
    expect(writeIso9660([], options).length / sectorBytes).toBeLessThanOrEqual(26);
  });
});
