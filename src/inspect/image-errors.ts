// How the readers report an image they cannot read: SPEC_INVALID (bad input, exit 2) saying what was
// expected. The readers never see a file name; the I/O wrapper adds the image's path as the location.
import { CloudseedError } from '../errors.js';
import { printable } from '../printable-text.js';

export function invalidImage(message: string, hint?: string): CloudseedError {
  return new CloudseedError('SPEC_INVALID', message, hint === undefined ? {} : { hint });
}

/** The same error with `imagePath` as its location, so the message names the file; others pass through. */
export function locateImageError(error: unknown, imagePath: string): unknown {
  if (!(error instanceof CloudseedError) || error.location !== null) return error;
  if (error.code !== 'SPEC_INVALID' && error.code !== 'USAGE') return error;
  return new CloudseedError(error.code, error.message, {
    location: { file: imagePath, line: null, column: null, field: null },
    hint: error.hint ?? undefined,
    problems: error.problems,
    cause: error,
  });
}

/**
 * The same error with control and bidi characters escaped in every text a person reads: messages quote
 * names from hostile images and paths from careless command lines. Anything else passes through.
 */
export function printableError(error: unknown): unknown {
  if (!(error instanceof CloudseedError)) return error;
  const place = <T extends { file: string }>(location: T): T => ({ ...location, file: printable(location.file) });
  return new CloudseedError(error.code, printable(error.message), {
    location: error.location === null ? undefined : place(error.location),
    hint: error.hint === null ? undefined : printable(error.hint),
    problems: error.problems.map((problem) => ({ location: place(problem.location), message: printable(problem.message) })),
    cause: error,
  });
}
