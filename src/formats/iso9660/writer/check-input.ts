// What the writer refuses, all found in one pass so one error names every problem: names that the
// Joliet or Rock Ridge trees cannot hold the same way, duplicates, modes that are not regular files,
// files too large for a 32-bit extent, and labels or timestamps the descriptors cannot record.
import { CloudseedError } from '../../../errors.js';
import { fileTypeMask, fileTypes } from '../../posix-modes.js';
import type { ImageFile } from '../../image-file.js';
import { timestampProblem } from './timestamps.js';

/** Joliet's limit: 64 UCS-2 characters (128 bytes) per name. */
export const maxNameLength = 64;
/** The Joliet volume identifier is 32 bytes of UCS-2; a longer label would differ between the trees. */
export const maxLabelLength = 16;
/** ECMA-119 9.1.4: a 32-bit data length; multi-extent files are not written. */
export const maxFileSize = 0xffff_ffff;

// Joliet forbids control characters and * / : ; ? \ in names.
const jolietForbidden = /[\u0000-\u001f*/:;?\\]/u;
const surrogate = /[\ud800-\udfff]/u;

export interface IsoInput {
  files: readonly ImageFile[];
  label: string;
  timestamp: Date | number;
}

/** Throws one error that lists every problem with the input, or returns when there is none. */
export function checkIsoInput(input: IsoInput): void {
  const problems = [
    ...labelProblems(input.label),
    ...[timestampProblem(input.timestamp)].filter((problem) => problem !== null),
    ...input.files.flatMap(fileProblems),
    ...duplicateProblems(input.files),
  ];
  if (problems.length === 0) return;
  throw new CloudseedError('SPEC_INVALID', `cannot write the ISO 9660 seed image: ${problems.join('; ')}`, {
    hint:
      `seed file names are 1–${maxNameLength} characters at the root of the volume, ` +
      'without / \\ * : ; ? or control characters, and do not end in a dot',
  });
}

function labelProblems(label: string): string[] {
  if (!/^[\x20-\x7e]+$/u.test(label)) return [`label ${JSON.stringify(label)} must be printable ASCII and not empty`];
  if (label.length > maxLabelLength) {
    return [
      `label ${JSON.stringify(label)} is longer than ${maxLabelLength} characters, ` +
        "the Joliet volume identifier's limit",
    ];
  }
  return [];
}

function fileProblems(file: ImageFile): string[] {
  const problems = nameProblems(file.path);
  const name = JSON.stringify(file.path);
  if (!isRegularFileMode(file.mode))
    problems.push(`${name} has mode ${formatMode(file.mode)}, which is not a regular file's`);
  if (file.bytes.length > maxFileSize)
    problems.push(`${name} has ${file.bytes.length} bytes; ISO 9660 holds at most ${maxFileSize}`);
  return problems;
}

/** Problems with one seed file name; an empty list when the name is fine. */
export function nameProblems(path: string): string[] {
  const name = JSON.stringify(path);
  if (path.length === 0) return ['a file has an empty name'];
  if (path === '.' || path === '..') return [`${name} is not a file name`];
  if (path.includes('/')) return [`${name} contains "/": the seed volume holds files at its root only`];
  const problems: string[] = [];
  if (jolietForbidden.test(path))
    problems.push(`${name} contains a character Joliet forbids (control, * : ; ? or \\)`);
  if (surrogate.test(path)) problems.push(`${name} has a character outside UCS-2, which Joliet cannot record`);
  if (path.length > maxNameLength)
    problems.push(`${name} is ${path.length} characters; Joliet holds at most ${maxNameLength}`);
  // Joliet readers (Linux, Windows) drop trailing dots, so "a." would read back as "a".
  if (path.endsWith('.')) problems.push(`${name} ends with a dot, which Joliet readers drop`);
  return problems;
}

function duplicateProblems(files: readonly ImageFile[]): string[] {
  const seen = new Set<string>();
  const duplicates = new Set<string>();
  for (const file of files) {
    if (seen.has(file.path)) duplicates.add(file.path);
    seen.add(file.path);
  }
  return [...duplicates].map((path) => `${JSON.stringify(path)} appears more than once`);
}

function isRegularFileMode(mode: number): boolean {
  if (!Number.isInteger(mode) || mode < 0 || mode > 0o177777) return false;
  const type = mode & fileTypeMask;
  return type === 0 || type === fileTypes.regular;
}

function formatMode(mode: number): string {
  return Number.isInteger(mode) && mode >= 0 ? `0o${mode.toString(8)}` : String(mode);
}
