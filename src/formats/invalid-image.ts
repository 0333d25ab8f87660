// How the readers report an image they cannot read: SPEC_INVALID (bad input, exit 2) saying what was
// expected. The readers never see a file name; inspect's I/O wrapper adds the image's path as the location.
import { CloudseedError } from '../errors.js';

export function invalidImage(message: string, hint?: string): CloudseedError {
  return new CloudseedError('SPEC_INVALID', message, hint === undefined ? {} : { hint });
}
