// SHA-512 crypt against the specification's published vectors, then against three independent
// implementations: openssl passwd -6, the system's libcrypt (through python3 ctypes) and mkpasswd.
import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { makeCryptSalt, sha512Crypt, verifySha512Crypt } from '../../src/plan/sha512-crypt.js';
import { hasTool, missingTools } from '../support/tools.js';

const cryptAlphabet = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

interface SpecVector {
  password: string;
  salt: string;
  rounds: number;
  expected: string;
}

// Ulrich Drepper, "Unix crypt using SHA-256 and SHA-512", SHA-512 test vectors (all seven).
const specVectors: SpecVector[] = [
  {
    password: 'Hello world!',
    salt: 'saltstring',
    rounds: 5000,
    expected: '$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1',
  },
  {
    password: 'Hello world!',
    salt: 'saltstringsaltstring',
    rounds: 10000,
    expected:
      '$6$rounds=10000$saltstringsaltst$OW1/O6BYHV6BcXZu8QVeXbDWra3Oeqh0sbHbbMCVNSnCM/UrjmM0Dp8vOuZeHBy/YTBmSK6H9qs/y3RnOaw5v.',
  },
  {
    password: 'This is just a test',
    salt: 'toolongsaltstring',
    rounds: 5000,
    expected:
      '$6$rounds=5000$toolongsaltstrin$lQ8jolhgVRVhY4b5pZKaysCLi0QBxGoNeKQzQ3glMhwllF7oGDZxUhx1yxdYcz/e1JSbq3y6JMxxl8audkUEm0',
  },
  {
    password: 'a very much longer text to encrypt.  This one even stretches over morethan one line.',
    salt: 'anotherlongsaltstring',
    rounds: 1400,
    expected:
      '$6$rounds=1400$anotherlongsalts$POfYwTEok97VWcjxIiSOjiykti.o/pQs.wPvMxQ6Fm7I6IoYN3CmLs66x9t0oSwbtEW7o7UmJEiDwGqd8p4ur1',
  },
  {
    password: 'we have a short salt string but not a short password',
    salt: 'short',
    rounds: 77777,
    expected:
      '$6$rounds=77777$short$WuQyW2YR.hBNpjjRhpYD/ifIw05xdfeEyQoMxIXbkvr0gge1a1x3yRULJ5CCaUeOxFmtlcGZelFl5CxtgfiAc0',
  },
  {
    password: 'a short string',
    salt: 'asaltof16chars..',
    rounds: 123456,
    expected:
      '$6$rounds=123456$asaltof16chars..$BtCwjqMJGx5hrJhZywWvt0RLE8uZ4oPwcelCjmw2kSYu.Ec6ycULevoBK25fs2xXgMNrCzIMVcgEJAstJeonj1',
  },
  {
    password: 'the minimum number is still observed',
    salt: 'roundstoolow',
    rounds: 10,
    expected:
      '$6$rounds=1000$roundstoolow$kUMsbe306n21p9R.FRkW3IGn.S9NPN0x50YhH1xhLsPuWGsUSklZt58jaTfF4ZEQpyUNGc0dqbpBYYBaHHrsX.',
  },
];

/** The spec's third vector names rounds=5000 in its setting; our API only writes it for other counts. */
function withoutDefaultRounds(hash: string): string {
  return hash.replace('$6$rounds=5000$', '$6$');
}

describe('sha512Crypt', () => {
  it.each(specVectors)('matches the specification for $salt, rounds=$rounds', (vector) => {
    expect(sha512Crypt(vector.password, vector.salt, vector.rounds)).toBe(withoutDefaultRounds(vector.expected));
  });

  it('uses 5000 rounds and omits rounds= by default, as glibc does', () => {
    expect(sha512Crypt('Hello world!', 'saltstring')).toBe(specVectors[0]?.expected);
  });

  it('accepts an empty salt, as glibc does', () => {
    expect(sha512Crypt('foo', '')).toBe(
      '$6$$QMXjqd7rHQZPQ1yHsXkQqC1FBzDiVfTHXL.LaeDAeVV.IzMaV9VU4MQ8kPuZa2SOP1A0RPm772EaFYjpEJtdu.',
    );
  });

  it.each(['$6$abc', 'rounds=6000$abc', 'with space', 'sälz', 'a:b'])('rejects the salt %j', (salt) => {
    expect(() => sha512Crypt('x', salt)).toThrow(expect.objectContaining({ code: 'SPEC_INVALID' }));
  });

  it.each([1000.5, Number.NaN, Number.POSITIVE_INFINITY])('rejects %d rounds', (rounds) => {
    expect(() => sha512Crypt('x', 'salt', rounds)).toThrow(expect.objectContaining({ code: 'SPEC_INVALID' }));
  });

  it('rejects a password with a NUL, which crypt(3) would silently cut short', () => {
    expect(() => sha512Crypt('before\0after', 'salt')).toThrow(expect.objectContaining({ code: 'SPEC_INVALID' }));
  });

  it('hashes the same with or without crypto.hash (Node < 20.12 has only createHash)', async () => {
    vi.resetModules();
    vi.doMock('node:crypto', async (importOriginal) => {
      const { hash: _oneShot, ...withoutOneShot } = await importOriginal<typeof import('node:crypto')>();
      return withoutOneShot;
    });
    try {
      const fallback = await import('../../src/plan/sha512-crypt.js');
      for (const { password, salt, rounds, expected } of specVectors.slice(0, 4)) {
        expect(fallback.sha512Crypt(password, salt, rounds)).toBe(withoutDefaultRounds(expected));
      }
    } finally {
      vi.doUnmock('node:crypto');
      vi.resetModules();
    }
  });
});

describe('verifySha512Crypt', () => {
  it.each(specVectors)('accepts the specification hash for $salt', ({ password, expected }) => {
    expect(verifySha512Crypt(password, expected)).toBe(true);
  });

  const hash = sha512Crypt('correct horse', 'saltsaltsaltsalt');

  it('rejects a wrong password', () => {
    expect(verifySha512Crypt('correct horsE', hash)).toBe(false);
    expect(verifySha512Crypt('', hash)).toBe(false);
  });

  it('rejects a hash with one character changed', () => {
    const last = hash.endsWith('.') ? '/' : '.';
    expect(verifySha512Crypt('correct horse', hash.slice(0, -1) + last)).toBe(false);
  });

  it('compares the whole string, as a login does: rounds=10 and rounds=05000 never come out of crypt', () => {
    const clamped = specVectors[6]?.expected ?? '';
    const unclamped = clamped.replace('rounds=1000', 'rounds=10');
    expect(verifySha512Crypt('the minimum number is still observed', unclamped)).toBe(false);
    expect(verifySha512Crypt('correct horse', hash.replace('$6$', '$6$rounds=05000$'))).toBe(false);
  });

  it.each(['', '$6$', '$5$saltsaltsaltsalt$x', hash.slice(0, -1), `${hash}x`, hash.replace('$6$', '$6$rounds=$')])(
    'rejects the malformed hash %j',
    (malformed) => {
      expect(verifySha512Crypt('correct horse', malformed)).toBe(false);
    },
  );

  it('rejects a password with a NUL instead of throwing', () => {
    expect(verifySha512Crypt('correct horse\0', hash)).toBe(false);
  });
});

describe('makeCryptSalt', () => {
  it('spells 12 bytes as 16 crypt characters, 6 bits each, most significant first', () => {
    expect(makeCryptSalt(new Uint8Array(12))).toBe('................');
    expect(makeCryptSalt(new Uint8Array(12).fill(0xff))).toBe('zzzzzzzzzzzzzzzz');
    expect(makeCryptSalt(Uint8Array.from([0x04, 0x20, 0xc4, ...new Array<number>(9).fill(0)]))).toBe(
      '/012............',
    );
  });

  it('uses only the first 12 bytes', () => {
    const bytes = Uint8Array.from({ length: 20 }, (_, index) => index * 13);
    expect(makeCryptSalt(bytes)).toBe(makeCryptSalt(bytes.subarray(0, 12)));
  });

  it('refuses fewer than 12 bytes', () => {
    expect(() => makeCryptSalt(new Uint8Array(11))).toThrow(expect.objectContaining({ code: 'INTERNAL' }));
  });

  it('gives a different valid salt for different bytes', () => {
    const twelveBytes = fc.uint8Array({ minLength: 12, maxLength: 12 });
    fc.assert(
      fc.property(twelveBytes, twelveBytes, (first, second) => {
        const salt = makeCryptSalt(first);
        expect(salt).toMatch(/^[./0-9A-Za-z]{16}$/);
        expect(salt === makeCryptSalt(second)).toBe(Buffer.from(first).equals(second));
        expect(sha512Crypt('x', salt, 1000).startsWith(`$6$rounds=1000$${salt}$`)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});

// Passwords hit the characters that break shells, YAML and chpasswd lines, plus any Unicode code point.
// `excluded` holds what a given tool cannot take on stdin (a newline ends its line).
function passwordArbitrary(options: { excluded: string; minLength: number; maxLength: number }): fc.Arbitrary<string> {
  const character = fc
    .oneof(
      fc.constantFrom(':', '#', "'", '"', '\\', '`', '$', ' ', '\t', '\r', '\n'),
      fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }),
      fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
    )
    .filter((text) => text !== '\0' && !options.excluded.includes(text));
  return fc.string({ unit: character, minLength: options.minLength, maxLength: options.maxLength });
}

function saltArbitrary(minLength: number, maxLength: number): fc.Arbitrary<string> {
  return fc.string({ unit: fc.constantFrom(...cryptAlphabet), minLength, maxLength });
}

/** Mostly short runs to keep the suite fast; the default 5000 (no rounds= written) one time in four. */
function roundsArbitrary(minimum: number): fc.Arbitrary<number> {
  return fc.oneof(
    { arbitrary: fc.constant(5000), weight: 1 },
    { arbitrary: fc.integer({ min: minimum, max: 1100 }), weight: 3 },
  );
}

function cryptSetting(salt: string, rounds: number): string {
  return rounds === 5000 ? `$6$${salt}` : `$6$rounds=${rounds}$${salt}`;
}

describe.skipIf(missingTools('openssl').length > 0)('against openssl passwd -6', () => {
  // openssl reads one password per line, refuses an empty one and cuts a line at 256 bytes;
  // it clamps rounds below 1000 like glibc (libxcrypt refuses them).
  function opensslPasswd(password: string, salt: string, rounds: number): string {
    const saltArgument = cryptSetting(salt, rounds).slice('$6$'.length);
    return execFileSync('openssl', ['passwd', '-6', '-stdin', '-salt', saltArgument], {
      input: `${password}\n`,
      encoding: 'utf8',
    }).trimEnd();
  }

  it('agrees on the specification vectors', () => {
    for (const { password, salt, rounds, expected } of specVectors.filter((vector) => vector.rounds < 20000)) {
      expect(opensslPasswd(password, salt, rounds)).toBe(withoutDefaultRounds(expected));
    }
  });

  it('agrees on 200 random passwords, salts and round counts', () => {
    const password = passwordArbitrary({ excluded: '\n', minLength: 1, maxLength: 40 });
    fc.assert(
      fc.property(password, saltArbitrary(1, 20), roundsArbitrary(0), (password, salt, rounds) => {
        expect(sha512Crypt(password, salt, rounds)).toBe(opensslPasswd(password, salt, rounds));
      }),
      { numRuns: 200 },
    );
  });
});

describe.skipIf(missingTools('python3').length > 0)("against the system's libcrypt (python3 ctypes)", () => {
  // ctypes rather than python's crypt module, which Python 3.13 removed; this is the library the guests'
  // PAM uses to check a login. It refuses 512 bytes and more, and rounds below 1000.
  const libcryptScript = `
import ctypes, ctypes.util, json, sys
libcrypt = ctypes.CDLL(ctypes.util.find_library('crypt') or 'libcrypt.so.1')
libcrypt.crypt.restype = ctypes.c_char_p
libcrypt.crypt.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
for line in sys.stdin.buffer:
    case = json.loads(line)
    result = libcrypt.crypt(case['password'].encode('utf-8'), case['setting'].encode('ascii'))
    sys.stdout.write((result or b'*crypt returned NULL').decode('ascii') + '\\n')
`;

  interface LibcryptCase {
    password: string;
    salt: string;
    rounds: number;
  }

  /** One python process for a whole batch: a process per case would take most of the test's time. */
  function libcrypt(cases: readonly LibcryptCase[]): string[] {
    const lines = cases.map(({ password, salt, rounds }) =>
      JSON.stringify({ password, setting: cryptSetting(salt, rounds) }),
    );
    const input = `${lines.join('\n')}\n`;
    return execFileSync('python3', ['-c', libcryptScript], { input, encoding: 'utf8' }).trimEnd().split('\n');
  }

  function hashAll(cases: readonly LibcryptCase[]): string[] {
    return cases.map(({ password, salt, rounds }) => sha512Crypt(password, salt, rounds));
  }

  it('agrees on the empty password, a 511-byte one and newlines', () => {
    const cases: LibcryptCase[] = [
      { password: '', salt: 'saltstring', rounds: 5000 },
      { password: '', salt: '', rounds: 1000 },
      { password: 'é'.repeat(255) + 'x', salt: 'long', rounds: 1000 },
      { password: 'line one\nline two\r\n', salt: 'nl', rounds: 5000 },
    ];
    expect(hashAll(cases)).toEqual(libcrypt(cases));
  });

  it('agrees on 300 random passwords (up to 480 bytes), salts and round counts', () => {
    const libcryptCase = fc.record({
      password: passwordArbitrary({ excluded: '', minLength: 0, maxLength: 120 }),
      salt: saltArbitrary(0, 20),
      rounds: roundsArbitrary(1000),
    });
    // Shrinking a batch would rerun python hundreds of times; the mismatching cases say enough.
    fc.assert(
      fc.property(fc.array(libcryptCase, { minLength: 50, maxLength: 50 }), (cases) => {
        const expected = libcrypt(cases);
        const ours = hashAll(cases);
        const mismatches = cases
          .map((testCase, index) => ({ ...testCase, ours: ours[index], libcrypt: expected[index] }))
          .filter((mismatch) => mismatch.ours !== mismatch.libcrypt);
        expect(mismatches.slice(0, 3)).toEqual([]);
      }),
      { numRuns: 6, endOnFailure: true },
    );
  });
});

// Optional: mkpasswd (Debian's whois package) is one more libcrypt front end, not required in CI.
describe.skipIf(!hasTool('mkpasswd'))('against mkpasswd -m sha-512', () => {
  // mkpasswd wants 8 to 16 salt characters, cuts its stdin line at \r or \n and writes rounds= whenever -R is given.
  function mkpasswd(password: string, salt: string, rounds: number): string {
    const roundsArguments = rounds === 5000 ? [] : ['-R', String(rounds)];
    return execFileSync('mkpasswd', ['-m', 'sha-512', '-S', salt, ...roundsArguments, '-s'], {
      input: `${password}\n`,
      encoding: 'utf8',
    }).trimEnd();
  }

  it('agrees on 50 random passwords, salts and round counts', () => {
    const password = passwordArbitrary({ excluded: '\r\n', minLength: 0, maxLength: 40 });
    fc.assert(
      fc.property(password, saltArbitrary(8, 16), roundsArbitrary(1000), (password, salt, rounds) => {
        expect(sha512Crypt(password, salt, rounds)).toBe(mkpasswd(password, salt, rounds));
      }),
      { numRuns: 50 },
    );
  });
});
