// passwordHash takes only complete crypt(3) hashes, and its messages never echo the hash.
import { describe, expect, it } from 'vitest';
import { cryptHashProblem } from '../../src/spec/formats.js';
import { sha512Crypt } from '../../src/plan/sha512-crypt.js';

const chars = (count: number, character = 'a') => character.repeat(count);

describe('cryptHashProblem', () => {
  it.each([
    ['SHA-512', sha512Crypt('pw', 'saltsalt')],
    ['SHA-512 with rounds', sha512Crypt('pw', 'saltsalt', 4096)],
    ['SHA-512, empty salt', `$6$$${chars(86)}`],
    ['SHA-256', `$5$saltsalt$${chars(43)}`],
    ['SHA-256 with rounds', `$5$rounds=10000$saltsalt$${chars(43)}`],
    ['MD5', `$1$saltsalt$${chars(22)}`],
    ['bcrypt', `$2b$12$${chars(53)}`],
    ['bcrypt 2y', `$2y$10$${chars(53)}`],
    ['yescrypt (mkpasswd -m yescrypt)', '$y$j9T$F5Jx5fExrKuPp53xLKQ..1$X3DX6M94c7o.9agCG9G317fhZg9SqC.5i5rd.RhAtQ7'],
    ['scrypt', `$7$CU..../....${chars(20)}$${chars(43)}`],
  ])('accepts %s', (_name, hash) => {
    expect(cryptHashProblem(hash)).toBeNull();
  });

  it.each([
    ['an empty SHA-512 hash', '$6$salt$', 'SHA-512'],
    ['a short SHA-512 hash', `$6$salt$${chars(85)}`, 'SHA-512'],
    ['a long SHA-512 hash', `$6$salt$${chars(87)}`, 'SHA-512'],
    ['a SHA-512 hash outside the alphabet', `$6$salt$${chars(85)}!`, 'SHA-512'],
    ['a SHA-512 salt longer than 16', `$6$${chars(17)}$${chars(86)}`, 'SHA-512'],
    ['rounds that are not a number', `$6$rounds=lots$salt$${chars(86)}`, 'SHA-512'],
    ['a SHA-256 hash of SHA-512 length', `$5$salt$${chars(86)}`, 'SHA-256'],
    ['a short MD5 hash', `$1$salt$${chars(21)}`, 'MD5'],
    ['an MD5 salt longer than 8', `$1$${chars(9)}$${chars(22)}`, 'MD5'],
    ['bcrypt without a cost', `$2b$${chars(53)}`, 'bcrypt'],
    ['bcrypt with cost 99', `$2b$99$${chars(53)}`, 'bcrypt'],
    ['a short bcrypt hash', `$2b$12$${chars(52)}`, 'bcrypt'],
    ['a yescrypt hash without a salt', `$y$j9T$${chars(43)}`, 'yescrypt'],
    ['a hash with a colon', `$6$salt$${chars(84)}:a`, 'SHA-512'],
    ['an unknown scheme', `$9$salt$${chars(86)}`, 'expected a crypt(3) hash'],
    ['plain text', 'hunter2', 'expected a crypt(3) hash'],
    ['a locked marker', '!', 'lockPassword'],
    ['a locked hash', `!$6$salt$${chars(86)}`, 'lockPassword'],
    ['a star', '*', 'lockPassword'],
  ])('refuses %s, without echoing it', (_name, hash, reason) => {
    const problem = cryptHashProblem(hash);
    expect(problem).toContain(reason);
    if (hash.length > 3) expect(problem).not.toContain(hash.slice(3));
  });
});
