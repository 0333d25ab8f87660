// The quoting helpers against the readers that matter: PyYAML (what cloud-init parses user-data
// with), Python's expat-based ElementTree for XML, and dash/bash for KEY=value files. Properties, not
// examples: whatever string a user can write must come back from the reader exactly as it went in.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commentText, shellValue, shellWord, xmlValue, yamlValue } from '../../src/render/template-helpers.js';
import { hasPython, pyyamlHandler, startPythonWorker, type PythonWorker, type PyYamlResult } from '../support/python-worker.js';
import { missingTools } from '../support/tools.js';

const run = promisify(execFile);

/** Words YAML 1.1 (PyYAML) reads as something other than a string, and characters YAML gives meaning. */
const yamlSpecials = [
  'yes', 'no', 'on', 'off', 'y', 'n', 'Y', 'N', 'Yes', 'NO', 'On', 'OFF', 'true', 'False', 'TRUE',
  '~', 'null', 'Null', 'NULL', '', ' ', '0644', '0o644', '0x1F', '0b101', '1:20', '190:20:30', '1_000',
  '+1', '-1', '1e3', '6.02e+23', '.5', '.inf', '-.Inf', '.NaN', '52:54:00:12:34:56', '=', '<<',
  '2001-12-14', '2001-12-14t21:59:43.10-05:00', '- a', '-', '? x', '?', ':', 'a: b', 'a:b', '# c',
  'a #b', 'a# b', '[a]', '{a: b}', '&anchor', '*alias', '!tag', '!!str', '%YAML 1.1', '@x', '`x', '|',
  '>', '|-', "'", '"', '\\', '---', '...', '--- a', ',', 'a,b', 'ALL=(ALL) NOPASSWD:ALL',
];

const trickyCharacter = fc.constantFrom(
  ' ', '\t', '\n', '\r', ':', '#', "'", '"', '\\', '-', '?', '|', '>', '!', '&', '*', '%', '@', '`',
  '{', '}', '[', ']', ',', '=', '<', '~', '.', '0', '1', 'a', 'y', 'e', 'é', '€', '😀',
  '\u0085', '\u00a0', '\u2028', '\u2029', '\ufeff', '\ufffe', '\uffff', '\x7f', '\x9b', '\x00', '\x07', '\x1b',
);

const whitespace = fc.string({ unit: fc.constantFrom(' ', '\t', '\n'), maxLength: 3 });

/** Any string: arbitrary code points, strings of YAML's own characters, and padded YAML 1.1 specials. */
const anyString = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.string({ unit: trickyCharacter, maxLength: 12 }),
  fc.constantFrom(...yamlSpecials),
  fc.tuple(whitespace, fc.constantFrom(...yamlSpecials), whitespace).map((parts) => parts.join('')),
  // Long enough for the library's multi-line styles (it folds double-quoted strings from 40 characters).
  fc.array(fc.oneof(fc.constantFrom(...yamlSpecials), fc.string({ unit: trickyCharacter, maxLength: 16 })), { maxLength: 8 })
    .map((parts) => parts.join('\n')),
);

interface Placement {
  name: string;
  /** The document with the value as the right-hand side of key `k`, then a sibling key `z: end`. */
  document(value: unknown): string;
  /** What the document must read as. */
  expected(value: unknown): unknown;
}

function nested(levels: number): Placement {
  const pad = (level: number) => ' '.repeat(level * 2);
  const keys = ['a', 'b', 'c'].slice(0, levels);
  return {
    name: `key at column ${levels * 2}`,
    document: (value) =>
      keys.map((key, level) => `${pad(level)}${key}:\n`).join('') +
      `${pad(levels)}k: ${yamlValue(value, levels * 2)}\n${pad(levels)}z: end\n`,
    expected: (value) => keys.reduceRight<unknown>((inner, key) => ({ [key]: inner }), { k: value, z: 'end' }),
  };
}

const placements: Placement[] = [
  nested(0),
  nested(1),
  nested(2),
  nested(3),
  {
    // `  - path: {{yaml path indent=4}}` in user-data.hbs: a mapping that starts inside a list item.
    name: 'key of a mapping inside an indented list item',
    document: (value) => `items:\n  - k: ${yamlValue(value, 4)}\n    z: end\n  - last\n`,
    expected: (value) => ({ items: [{ k: value, z: 'end' }, 'last'] }),
  },
  {
    name: 'key of a mapping inside a list item at column 0',
    document: (value) => `- k: ${yamlValue(value, 2)}\n  z: end\n- last\n`,
    expected: (value) => [{ k: value, z: 'end' }, 'last'],
  },
];

describe.skipIf(!hasPython())('yamlValue read back by PyYAML', () => {
  let pyyaml: PythonWorker;
  beforeAll(() => {
    pyyaml = startPythonWorker(pyyamlHandler);
  });
  afterAll(() => pyyaml.close());

  /** Every placement of `value`, read in one request; a failure names the placement and the document. */
  async function expectReadBack(value: unknown): Promise<void> {
    const documents = placements.map((placement) => placement.document(value));
    const results = await pyyaml.call<PyYamlResult[]>(documents);
    placements.forEach((placement, index) => {
      const result = results[index]!;
      const context = `${placement.name}, yamlValue(${JSON.stringify(value)}), document:\n${documents[index]}`;
      expect(result.error, context).toBeUndefined();
      expect(result.value, context).toEqual(placement.expected(value));
    });
  }

  it('reads strings back unchanged', async () => {
    await fc.assert(fc.asyncProperty(anyString, expectReadBack), { numRuns: 600 });
  });

  it('reads the YAML 1.1 specials back as strings, bare and padded', async () => {
    for (const special of yamlSpecials) {
      for (const value of [special, ` ${special}`, `${special} `, `\t${special}\n`, `${special}\n${special}`]) await expectReadBack(value);
    }
  });

  it('reads arrays of strings back unchanged', async () => {
    await fc.assert(fc.asyncProperty(fc.array(anyString, { maxLength: 6 }), expectReadBack), { numRuns: 300 });
  });

  it('reads booleans and integers back as booleans and integers', async () => {
    const scalar = fc.oneof(fc.boolean(), fc.integer(), fc.maxSafeInteger(), fc.constantFrom(0, -1, 644, 493, 8, 9, 1000));
    await fc.assert(fc.asyncProperty(fc.oneof(scalar, fc.array(scalar, { maxLength: 5 })), expectReadBack), { numRuns: 300 });
  });

  it('reads the shapes the templates use back unchanged: runcmd and groups lists', async () => {
    const runcmdEntry = fc.oneof(anyString, fc.array(anyString, { minLength: 1, maxLength: 4 }));
    const groupEntry = fc.oneof(anyString, fc.dictionary(anyString, fc.array(anyString, { maxLength: 3 }), { minKeys: 1, maxKeys: 2 }));
    const shaped = fc.oneof(fc.array(runcmdEntry, { minLength: 1, maxLength: 4 }), fc.array(groupEntry, { minLength: 1, maxLength: 4 }));
    await fc.assert(fc.asyncProperty(shaped, expectReadBack), { numRuns: 300 });
  });
});

/** Code points XML 1.0 can carry at all, as text or as a character reference. */
const xmlCharacter = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
  { weight: 2, arbitrary: fc.constantFrom('<', '>', '&', "'", '"', '\t', '\n', '\r', ' ', ']]>', '&amp;', '&#10;', '"\'') },
).filter((text) => /^[\t\n\r\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]*$/u.test(text));
const xmlText = fc.string({ unit: xmlCharacter, maxLength: 24 });

const elementTreeHandler = `
import xml.etree.ElementTree as ElementTree

def read(document):
    try:
        root = ElementTree.fromstring(document)
    except ElementTree.ParseError as error:
        return {"error": str(error)}
    return {"value": [root.get("single"), root.get("double"), root.text or ""]}

def handle(documents):
    return [read(document) for document in documents]
`;

describe.skipIf(!hasPython())('xmlValue read back by an XML parser (expat, through ElementTree)', () => {
  let elementTree: PythonWorker;
  beforeAll(() => {
    elementTree = startPythonWorker(elementTreeHandler);
  });
  afterAll(() => elementTree.close());

  it('reads values back unchanged from single- and double-quoted attributes and from text', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(xmlText, { minLength: 1, maxLength: 8 }), async (values) => {
        const documents = values.map((value) => {
          const quoted = xmlValue(value);
          return `<domain single='${quoted}' double="${quoted}">${quoted}</domain>`;
        });
        const results = await elementTree.call<{ value?: unknown; error?: string }[]>(documents);
        values.forEach((value, index) => {
          const context = `xmlValue(${JSON.stringify(value)}) in ${documents[index]}`;
          expect(results[index]!.error, context).toBeUndefined();
          expect(results[index]!.value, context).toEqual([value, value, value]);
        });
      }),
      { numRuns: 400 },
    );
  });
});

/** Anything a shell word can hold: every code point but NUL, which no argv or environment can carry. */
const shellText = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.string({ unit: fc.constantFrom("'", '"', '\\', '$', '`', ' ', '\t', '\n', '!', '*', '?', '~', '#', '=', ';', '&', '|', '(', ')', '{', '}', '<', '>', '-', 'a', '%', 'é'), maxLength: 12 }),
  fc.constantFrom('', '-n', '-e', '~', '~root', 'a=b', '$HOME', '$(id)', '`id`', "''", "'\\''", '*', '[a]', 'a:~/x'),
).filter((text) => !text.includes('\0'));

describe.skipIf(missingTools('sh', 'bash').length > 0)('shellValue read back by the shell', () => {
  let folder: string;
  beforeAll(async () => {
    folder = await mkdtemp(path.join(tmpdir(), 'cloudseed-shell-'));
  });
  afterAll(() => rm(folder, { recursive: true, force: true }));

  const splitNul = (output: string) => output.split('\0').slice(0, -1);

  it("reads values back unchanged as arguments of sh -c 'printf %s ...'", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(shellText, { minLength: 1, maxLength: 8 }), async (values) => {
        const script = `printf '%s\\0' ${values.map(shellValue).join(' ')}`;
        const { stdout } = await run('sh', ['-c', script], { encoding: 'utf8' });
        expect(splitNul(stdout), script).toEqual(values);
      }),
      { numRuns: 300 },
    );
  });

  it('reads values back unchanged from a sourced KEY=value file, as initscripts read ifcfg', async () => {
    let batch = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(shellText, { minLength: 1, maxLength: 8 }), async (values) => {
        const file = path.join(folder, `ifcfg-${batch++}`);
        const text = `# KEY=value, as ifcfg.hbs writes\n${values.map((value, index) => `VALUE${index}=${shellValue(value)}\n`).join('')}`;
        await writeFile(file, text);
        const names = values.map((_, index) => `"$VALUE${index}"`).join(' ');
        const { stdout } = await run('bash', ['-c', `set -e; . "$1"; printf '%s\\0' ${names}`, 'bash', file], { encoding: 'utf8' });
        expect(splitNul(stdout), text).toEqual(values);
      }),
      { numRuns: 300 },
    );
  });
});

/** Text with the characters that end a comment line, drive a terminal or reorder what it shows. */
const hostileText = fc.string({
  unit: fc.constantFrom("'", '"', '\\', '$', '`', ' ', '\n', '\r', '\t', '\x1b', '\x07', '\x7f', '\x9b', '\u202e', '\u2066', '\u2028', '#', ';', 'a', 'é', '🙂'),
  maxLength: 12,
});

describe.skipIf(missingTools('bash').length > 0)('shellWord and commentText, as qemu.sh uses them', () => {
  it('shellWord: bash reads every value back unchanged, and the script holds no control character raw', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(hostileText, { minLength: 1, maxLength: 8 }), async (values) => {
        const script = `printf '%s\\0' ${values.map(shellWord).join(' ')}`;
        expect(script).not.toMatch(/[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/);
        const { stdout } = await run('bash', ['-c', script], { encoding: 'utf8' });
        expect(stdout.split('\0').slice(0, -1), script).toEqual(values);
      }),
      { numRuns: 200 },
    );
  });

  it('commentText: one line, no control characters, and bash runs nothing of it', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(hostileText, { minLength: 1, maxLength: 8 }), async (values) => {
        const comments = values.map((value) => `# ${commentText(value)}`);
        for (const comment of comments) expect(comment).not.toMatch(/[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/);
        const { stdout } = await run('bash', ['-c', `${comments.join('\n')}\necho done`], { encoding: 'utf8' });
        expect(stdout).toBe('done\n');
      }),
      { numRuns: 100 },
    );
  });

  it('refuse what no argument or XML document can hold', () => {
    expect(() => shellWord('a\0b')).toThrow(/NUL/);
    expect(() => xmlValue('a\x1bb')).toThrow(/U\+001B/);
    expect(() => xmlValue('\ud800')).toThrow(/U\+D800/);
    expect(xmlValue('\u{1F642}')).toBe('\u{1F642}');
  });
});
