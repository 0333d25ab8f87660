// Checks for one random volume read back in property.test.ts: isoinfo's three listings, the bytes at
// the extents they give, the file isoinfo extracted, and what pycdlib read. Each returns the problems
// it found as sentences, so one run reports every broken volume, not just the first.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { type ListedFile, longListing, type PycdlibView, regularFileModeString, sha256 } from './iso-readers.js';

export interface ExpectedFile {
  name: string;
  size: number;
  sha256: string;
  mode: number;
}

export interface WrittenCase {
  directory: string;
  imagePath: string;
  imageLength: number;
  files: ExpectedFile[];
}

function listing(directory: string, name: string): Map<string, ListedFile> {
  return longListing(readFileSync(path.join(directory, name), 'utf8'));
}

function checkRockRidge(written: WrittenCase, rockRidge: Map<string, ListedFile>): string[] {
  const problems =
    rockRidge.size === written.files.length
      ? []
      : [`Rock Ridge lists ${rockRidge.size} files, not ${written.files.length}`];
  for (const file of written.files) {
    const listed = rockRidge.get(file.name);
    const wanted = { mode: regularFileModeString(file.mode), links: 1, uid: 0, gid: 0, size: file.size };
    const got = listed && {
      mode: listed.mode,
      links: listed.links,
      uid: listed.uid,
      gid: listed.gid,
      size: listed.size,
    };
    if (JSON.stringify(got) !== JSON.stringify(wanted))
      problems.push(`Rock Ridge ${JSON.stringify(file.name)}: ${JSON.stringify(got)} ≠ ${JSON.stringify(wanted)}`);
  }
  return problems;
}

/** Joliet names point at the same extents as Rock Ridge; plain names are unique 8.3 and cover the same extents. */
function checkOtherViews(
  rockRidge: Map<string, ListedFile>,
  joliet: Map<string, ListedFile>,
  plain: Map<string, ListedFile>,
): string[] {
  const problems: string[] = [];
  const place = (file: ListedFile | undefined): string => `${file?.extent}+${file?.size}`;
  for (const [name, file] of rockRidge) {
    if (place(joliet.get(name)) !== place(file))
      problems.push(`Joliet ${JSON.stringify(name)} at ${place(joliet.get(name))}, Rock Ridge at ${place(file)}`);
  }
  if (joliet.size !== rockRidge.size) problems.push(`Joliet lists ${joliet.size} files, Rock Ridge ${rockRidge.size}`);
  const badPlain = [...plain.keys()].filter((name) => !/^[A-Z0-9_]{1,8}\.[A-Z0-9_]{0,3};1$/u.test(name));
  if (badPlain.length > 0) problems.push(`plain names not 8.3 d-characters: ${badPlain.join(', ')}`);
  const places = (files: Map<string, ListedFile>): string => [...files.values()].map(place).sort().join(' ');
  if (places(plain) !== places(rockRidge))
    problems.push(`plain view extents ${places(plain)} ≠ Rock Ridge ${places(rockRidge)}`);
  return problems;
}

/** Empty files at extent 0; the others inside the image, after the descriptors, never overlapping. */
function checkExtents(written: WrittenCase, rockRidge: Map<string, ListedFile>): string[] {
  const files = [...rockRidge.values()];
  const problems = files
    .filter((file) => file.size === 0 && file.extent !== 0)
    .map((file) => `empty file at extent ${file.extent}`);
  const placed = files.filter((file) => file.size > 0).sort((left, right) => left.extent - right.extent);
  placed.forEach((file, index) => {
    const end = file.extent * 2048 + file.size;
    const next = placed[index + 1];
    if (file.extent < 19 || end > written.imageLength)
      problems.push(`extent ${file.extent}+${file.size} outside the data area`);
    if (next !== undefined && end > next.extent * 2048)
      problems.push(`extent ${file.extent}+${file.size} overlaps ${next.extent}`);
  });
  return problems;
}

/** The bytes at each Rock Ridge extent are the file's; the one file isoinfo extracted is too. */
function checkContents(written: WrittenCase, rockRidge: Map<string, ListedFile>): string[] {
  const problems: string[] = [];
  const stderr = readFileSync(path.join(written.directory, 'stderr.txt'), 'utf8');
  if (stderr !== '') problems.push(`isoinfo said: ${stderr.trim()}`);
  const image = readFileSync(written.imagePath);
  for (const file of written.files) {
    const listed = rockRidge.get(file.name);
    const start = (listed?.extent ?? 0) * 2048;
    if (sha256(image.subarray(start, start + (listed?.size ?? 0))) !== file.sha256)
      problems.push(`bytes at the extent of ${JSON.stringify(file.name)} differ`);
  }
  const first = written.files[0];
  if (first !== undefined && sha256(readFileSync(path.join(written.directory, 'first.bin'))) !== first.sha256) {
    problems.push(`isoinfo -x ${JSON.stringify(first.name)} gave other bytes`);
  }
  return problems;
}

function checkPycdlib(written: WrittenCase, view: PycdlibView | undefined): string[] {
  if (view === undefined) return ['pycdlib did not read it'];
  if (view.error !== undefined) return [`pycdlib: ${view.error}`];
  const bytes = Object.fromEntries(written.files.map((file) => [file.name, file.sha256]));
  const modes = Object.fromEntries(written.files.map((file) => [file.name, 0o100000 | file.mode]));
  const sorted = (values: string[]): string[] => values.sort();
  const checks: Array<[string, unknown, unknown]> = [
    ['extensions', [view.joliet, view.rockRidge], [true, true]],
    ['Rock Ridge version', view.rockRidgeVersions, written.files.length > 0 ? ['1.09'] : []],
    ['Joliet files', view.jolietFiles, bytes],
    ['Rock Ridge files', view.rockRidgeFiles, bytes],
    ['plain files', sorted(Object.values(view.isoFiles)), sorted(Object.values(bytes))],
    ['modes', view.modes, modes],
  ];
  return checks
    .filter(([, got, wanted]) => canonical(got) !== canonical(wanted))
    .map(([what, got, wanted]) => `pycdlib ${what}: ${canonical(got)} ≠ ${canonical(wanted)}`);
}

/** JSON with object keys sorted, so key order does not matter. */
function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return JSON.stringify(value);
  return JSON.stringify(Object.entries(value).sort(([left], [right]) => (left < right ? -1 : 1)));
}

export function checkCase(written: WrittenCase, view: PycdlibView | undefined): string[] {
  const rockRidge = listing(written.directory, 'rock-ridge-l.txt');
  const problems = [
    ...checkRockRidge(written, rockRidge),
    ...checkOtherViews(
      rockRidge,
      listing(written.directory, 'joliet-l.txt'),
      listing(written.directory, 'plain-l.txt'),
    ),
    ...checkExtents(written, rockRidge),
    ...checkContents(written, rockRidge),
    ...checkPycdlib(written, view),
  ];
  const files = written.files.map((file) => [file.name, file.size, file.mode.toString(8)]);
  return problems.map((problem) => `${path.basename(written.directory)} ${JSON.stringify(files)}: ${problem}`);
}
