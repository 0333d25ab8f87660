// Structure rules that readers tolerate when broken, so read-back alone would not catch them. Checked
// with a small walker written from ECMA-119 and SUSP here, not with the writer's code: every directory
// record has an even length and ends in the sector where it begins (ECMA-119 6.8.1.1), and every System
// Use area is a run of well-formed SUSP entries (version 1, length at least 4) with at most one zero byte
// of padding — stray bytes there are what isoinfo reports as "BAD RRVERSION" in go-diskfs images.
import { describe, expect, it } from 'vitest';
import { writeIso9660 } from '../../../src/formats/iso9660/index.js';
import type { SeedFile } from '../../../src/pack/seed-file.js';
import { sampleSeedFiles, seedFile } from '../support/sample-seed-files.js';

const sectorBytes = 2048;

interface WalkedRecord {
  offset: number;
  length: number;
  identifier: Uint8Array;
  systemUse: Uint8Array;
}

/** The records of the root directory whose record sits in the volume descriptor at `descriptorSector`. */
function rootRecords(image: Uint8Array, descriptorSector: number): WalkedRecord[] {
  const view = new DataView(image.buffer, image.byteOffset, image.byteLength);
  const rootRecord = descriptorSector * sectorBytes + 156;
  const start = view.getUint32(rootRecord + 2, true) * sectorBytes;
  const end = start + view.getUint32(rootRecord + 10, true);
  const records: WalkedRecord[] = [];
  for (let offset = start; offset < end;) {
    const length = image[offset] ?? 0;
    if (length === 0) {
      offset = (Math.floor(offset / sectorBytes) + 1) * sectorBytes;
      continue;
    }
    const identifierLength = image[offset + 32] ?? 0;
    const systemUseStart = offset + 33 + identifierLength + (identifierLength % 2 === 0 ? 1 : 0);
    records.push({
      offset,
      length,
      identifier: image.subarray(offset + 33, offset + 33 + identifierLength),
      systemUse: image.subarray(systemUseStart, offset + length),
    });
    offset += length;
  }
  return records;
}

/** Problems with one System Use area (or continuation area), following CE entries. */
function systemUseProblems(image: Uint8Array, area: Uint8Array, where: string): string[] {
  const problems: string[] = [];
  let offset = 0;
  while (area.length - offset >= 4) {
    const [signature, length, version] = [
      String.fromCharCode(area[offset] ?? 0, area[offset + 1] ?? 0),
      area[offset + 2] ?? 0,
      area[offset + 3] ?? 0,
    ];
    if (length < 4 || version !== 1 || !/^[A-Z]{2}$/u.test(signature))
      return [
        ...problems,
        `${where}: bad entry ${JSON.stringify(signature)} length ${length} version ${version} at ${offset}`,
      ];
    if (signature === 'CE') {
      const view = new DataView(area.buffer, area.byteOffset + offset, length);
      const [sector, start, size] = [view.getUint32(4, true), view.getUint32(12, true), view.getUint32(20, true)];
      if (start + size > sectorBytes) problems.push(`${where}: continuation crosses a sector`);
      problems.push(
        ...systemUseProblems(
          image,
          image.subarray(sector * sectorBytes + start, sector * sectorBytes + start + size),
          `${where} CE`,
        ),
      );
    }
    offset += length;
  }
  if (area.subarray(offset).some((byte) => byte !== 0) || area.length - offset > 1)
    problems.push(`${where}: ${area.length - offset} stray bytes after the entries`);
  return problems;
}

function structureProblems(files: readonly SeedFile[]): string[] {
  const image = writeIso9660(files, { label: 'cidata', timestamp: 1_700_000_000 });
  return [16, 17].flatMap((descriptorSector) =>
    rootRecords(image, descriptorSector).flatMap((record) => {
      const where = `descriptor ${descriptorSector} record at ${record.offset}`;
      const problems = systemUseProblems(image, record.systemUse, where);
      if (record.length % 2 !== 0) problems.push(`${where}: odd length ${record.length}`);
      if (Math.floor(record.offset / sectorBytes) !== Math.floor((record.offset + record.length - 1) / sectorBytes))
        problems.push(`${where}: crosses a sector`);
      return problems;
    }),
  );
}

describe('directory records and System Use areas', () => {
  it('are well formed for a typical seed', () => {
    expect(structureProblems(sampleSeedFiles())).toEqual([]);
  });

  it('are well formed when names need continuation areas and the root spans several sectors', () => {
    const files = Array.from({ length: 60 }, (_, index) =>
      seedFile(`${'€'.repeat(40 + (index % 24))}${index}`.slice(0, 64), `${index}\n`),
    );
    expect(structureProblems(files)).toEqual([]);
  });

  it('put SP first in the root\'s "." record and, through its CE, the ER entry naming RRIP_1991A', () => {
    const image = writeIso9660(sampleSeedFiles(), { label: 'cidata', timestamp: 0 });
    const [dot] = rootRecords(image, 16);
    expect(String.fromCharCode(...(dot?.systemUse.subarray(0, 2) ?? []))).toBe('SP');
    expect(Buffer.from(image).includes('ER\u00ed\u0001\u000a\u0054\u0087\u0001RRIP_1991A', 0, 'latin1')).toBe(true);
  });
});
