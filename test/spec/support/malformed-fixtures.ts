// The bad-input corpus: every spec in fixtures/malformed/ with the problems expected.json says it must
// report (line and field path, counted by hand from the fixture), and the secrets no output may show.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ExpectedProblem {
  line: number;
  /** Must occur in the reported field path, e.g. `vms[0].network.nics[0].address`. */
  field: string;
}

export interface MalformedFixture {
  name: string;
  /** Absolute path. */
  file: string;
  text: string;
  expected: ExpectedProblem[];
}

export const malformedDirectory = fileURLToPath(new URL('../fixtures/malformed/', import.meta.url));

export function malformedFixtures(): MalformedFixture[] {
  const table = JSON.parse(readFileSync(path.join(malformedDirectory, 'expected.json'), 'utf8')) as Record<string, unknown>;
  const names = readdirSync(malformedDirectory).filter((name) => name.endsWith('.yaml')).sort();
  const missing = names.filter((name) => !(name in table));
  const stale = Object.keys(table).filter((name) => !name.startsWith('$') && !names.includes(name));
  if (missing.length > 0 || stale.length > 0) {
    throw new Error(`expected.json is out of step with the fixtures: no entry for ${missing.join(', ') || '-'}; no fixture for ${stale.join(', ') || '-'}`);
  }
  return names.map((name) => {
    const file = path.join(malformedDirectory, name);
    return { name, file, text: readFileSync(file, 'utf8'), expected: table[name] as ExpectedProblem[] };
  });
}

/**
 * Passwords and hashes written in the fixtures, each with the fixture that holds it. Every one is in a
 * spec that fails for some reason, and none may ever appear in what cloudseed prints.
 */
export const fixtureSecrets: readonly { fixture: string; secret: string }[] = [
  { fixture: '27-password-and-hash.yaml', secret: 'Zebra-Quartz-Lantern-4417' },
  { fixture: '27-password-and-hash.yaml', secret: '$6$q2Wb7Ttx$Zx0dGx1s1ZJ9hPzS7rT3' },
  { fixture: '28-malformed-password-hash.yaml', secret: 'md5-Plum-Harbor-2281' },
  { fixture: '29-plaintext-storage-current.yaml', secret: 'Violet-Anchor-Meadow-5520' },
  { fixture: '36-nul-in-password.yaml', secret: 'Amber-Falcon' },
  { fixture: '37-yaml-syntax-on-password-line.yaml', secret: 'Willow-7781' },
  { fixture: '39-unknown-key-with-secret.yaml', secret: 'Saffron-Glacier-Otter-3391' },
  { fixture: '39-unknown-key-with-secret.yaml', secret: 'Indigo-Thistle-Beacon-8842' },
  { fixture: '40-several-schema-problems.yaml', secret: 'Marigold-Canyon-Raven-1208' },
  { fixture: '146-pattern-override-key-secret.yaml', secret: 'Cobalt Harbor Lantern 7714' },
];
