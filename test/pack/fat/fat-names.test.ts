import { describe, expect, it } from 'vitest';
import { CloudseedError } from '../../../src/errors.js';
import { writeFat } from '../../../src/formats/fat/index.js';
import type { SeedFile } from '../../../src/pack/seed-file.js';
import { textFile } from './support/fat-seed-files.js';

const options = { label: 'cidata', timestamp: 1_700_000_000 };

function packError(files: SeedFile[], label = 'cidata'): CloudseedError {
  try {
    writeFat(files, { ...options, label });
  } catch (error) {
    expect(error).toBeInstanceOf(CloudseedError);
    return error as CloudseedError;
  }
  throw new Error('writeFat accepted what it should have refused');
}

describe('names FAT cannot hold', () => {
  it('refuses two names that differ only in case, naming both', () => {
    const error = packError([textFile('user-data', 'a'), textFile('meta-data', 'b'), textFile('User-Data', 'c')]);
    expect(error.code).toBe('USAGE');
    expect(error.message).toBe('seed files "user-data" and "User-Data" have the same name on FAT, which ignores case');
  });

  it.each([
    ['a/b', /names a folder/],
    ['', /empty/],
    ['a'.repeat(256), /longer than 255/],
    ['what?', /forbids/],
    ['a:b', /forbids/],
    ['tab\there', /forbids/],
    ['back\\slash', /forbids/],
    [' leading', /starts or ends with a space/],
    ['trailing ', /starts or ends with a space/],
    ['dot.', /ends with a period/],
    ['..', /ends with a period/],
    ['bad\ud800', /well-formed/],
  ])('refuses %j', (name, reason) => {
    const error = packError([textFile(name, 'x')]);
    expect(error.code).toBe('USAGE');
    expect(error.message).toMatch(reason);
    expect(error.message).toContain(JSON.stringify(name));
  });

  it('accepts the names long file names allow: 255 characters, spaces, dots, + , ; = [ ] and non-ASCII', () => {
    for (const name of ['a'.repeat(255), 'my seed.v2.yaml', '.hidden', 'a+b,c;d=e[f]', 'café-01', 'emoji-😀']) {
      expect(() => writeFat([textFile(name, 'x')], options)).not.toThrow();
    }
  });

  it.each(['', 'TWELVE-CHARS', ' CIDATA', 'ci/data', 'cidätä'])('refuses the volume label %j', (label) => {
    expect(packError([textFile('user-data', 'x')], label).message).toContain('FAT cannot hold the volume label');
  });
});
