// What inspect does with the readers' SPEC_INVALID errors (formats/invalid-image.ts): name the image
// file as their location, and escape what a hostile image put in them before a person reads it.
import { CloudseedError } from '../errors.js';
import { printable } from '../printable-text.js';

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
