// Errors are printed to a terminal: no control character from a spec reaches it raw.
import { describe, expect, it } from 'vitest';
import { CloudseedError, formatError } from '../src/errors.js';
import { printable } from '../src/printable-text.js';
import { parseSpec } from '../src/spec/index.js';

const unprintable = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

function reportOf(text: string, file = 'fleet.yaml'): string {
  try {
    parseSpec(text, file);
  } catch (error) {
    if (error instanceof CloudseedError) return formatError(error);
    throw error;
  }
  throw new Error('the spec was accepted');
}

describe('printable', () => {
  it.each([
    ['ESC', 'a\u001b[31mb', 'a\\x1b[31mb'],
    ['BEL and NUL', '\u0007\u0000', '\\x07\\x00'],
    ['DEL and C1', '\u007f\u009b', '\\x7f\\x9b'],
    ['line breaks and tabs', 'a\nb\r\tc', 'a\\nb\\r\\tc'],
    ['a bidirectional override', 'abc\u202edef', 'abc\\u202edef'],
    ['printable text, accents and all', 'café ünïcode ✓', 'café ünïcode ✓'],
  ])('%s', (_name, text, escaped) => {
    expect(printable(text)).toBe(escaped);
  });
});

describe('formatError escapes what the spec put in a report', () => {
  const vm = (name: string, extra = '') => `vms:\n  - name: "${name}"\n    domain: { rootDisk: { base: /img/a.qcow2 } }\n${extra}`;

  it.each([
    ['a VM name', vm('web\\e[2J\\e]0;owned\\a')],
    ['a hostname', vm('web1', '    hostname: "h\\e[31mred"\n')],
    ['a field key', vm('web1', '    "k\\e[2Jey\\x9b": 1\n')],
    ['a field key that looks like a field name', vm('web1', '    "key\\e[2J": 1\n')],
    ['a group key', vm('web1', '    groups: [{ "ops\\e[1m": [root] }]\n')],
    ['a field path through a group key', vm('web1', '    groups: [{ "ops\\e[1m": ["r,oot"] }]\n')],
  ])('%s', (_name, text) => {
    const report = reportOf(text);
    expect(report).not.toMatch(unprintable);
  });

  it('a file name', () => {
    const report = reportOf('vms: []\n', 'evil\u001b[2J\u009b.yaml');
    expect(report).not.toMatch(unprintable);
    expect(report).toContain('evil\\x1b[2J\\x9b.yaml');
  });

  it('the message, every problem, and the hint', () => {
    const error = new CloudseedError('SPEC_INVALID', 'bad\u0007', {
      location: { file: 'f\u001b', line: 1, column: 2, field: 'a\u001bb' },
      hint: 'try\nthis\u001b',
      problems: [{ location: { file: 'g\u001b', line: 3, column: 4, field: 'c\u0085' }, message: 'm\u0000' }],
    });
    expect(formatError(error)).toBe('error: f\\x1b:1:2 a\\x1bb: bad\\x07\n  g\\x1b:3:4 c\\x85: m\\x00\nhint: try\\nthis\\x1b');
  });
});
