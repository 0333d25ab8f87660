// The bad-input corpus through the library: planSpecFile (load, then plan) on each malformed spec throws one
// SPEC_INVALID error whose problems carry the file, the line and the field as data, for callers that
// show them their own way (an editor, a web form) rather than as the CLI's text.
import { describe, expect, it } from 'vitest';
import { CloudseedError } from '../../src/errors.js';
import { planSpecFile } from '../../src/output/index.js';
import { detectEnvironment } from '../../src/plan/index.js';
import { malformedFixtures } from './support/malformed-fixtures.js';

async function rejection(file: string): Promise<CloudseedError> {
  try {
    await planSpecFile(file, { outputDir: '/nonexistent/out', environment: detectEnvironment(), saltSecret: 'test' });
  } catch (error) {
    if (error instanceof CloudseedError) return error;
    throw error;
  }
  throw new Error(`${file} was accepted`);
}

describe('planSpecFile on the malformed corpus', () => {
  it.each(malformedFixtures().map((fixture) => [fixture.name, fixture] as const))('%s', async (_name, fixture) => {
    const error = await rejection(fixture.file);
    expect(error.code).toBe('SPEC_INVALID');
    expect(error.problems).toHaveLength(fixture.expected.length);
    for (const problem of error.problems) {
      expect(problem.location.file).toBe(fixture.file);
      expect(problem.location.column).toBeGreaterThan(0);
    }
    const found = error.problems.map((problem) => ({ line: problem.location.line, field: problem.location.field ?? '' }));
    for (const expected of fixture.expected) {
      expect(found, `line ${expected.line} ${expected.field}`).toContainEqual({
        line: expected.line,
        field: expect.stringContaining(expected.field),
      });
    }
  });
});
