// The CloudseedError an action throws or a promise rejects with, for tests that then look at its code,
// message and problems. Anything else thrown, or nothing, fails the test.
import { CloudseedError } from '../../src/errors.js';

export function errorThrownBy(action: () => unknown): CloudseedError {
  try {
    action();
  } catch (error) {
    if (error instanceof CloudseedError) return error;
    throw error;
  }
  throw new Error('expected a CloudseedError, and nothing was thrown');
}

export async function errorRejectedBy(promise: Promise<unknown>): Promise<CloudseedError> {
  const error = await promise.then(() => null, (reason: unknown) => reason);
  if (error instanceof CloudseedError) return error;
  throw new Error(`expected a CloudseedError, got ${error === null ? 'a result' : String(error)}`);
}
