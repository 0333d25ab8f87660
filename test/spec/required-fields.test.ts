// A field the schema requires and the spec leaves out, and a value of the wrong type, in the words of
// a spec's reader: `host.dev is required: expected a string` at the line of `host:`, not zod's
// "Invalid input: expected string, received undefined".
import { describe, expect, it } from 'vitest';
import { CloudseedError, type Problem } from '../../src/errors.js';
import { parseSpec } from '../../src/spec/load-spec.js';

function problemsOf(text: string): Problem[] {
  try {
    parseSpec(text, 'fleet.yaml');
  } catch (error) {
    if (error instanceof CloudseedError) return error.problems;
    throw error;
  }
  throw new Error('the spec was accepted');
}

const macvtapWithoutDev = `vms:
  - name: vm1
    network:
      nics:
        - device: eth0
          host:
            type: direct
            mode: bridge
`;

describe('a missing required field', () => {
  it('is named with its parent, at the line of the parent key, with what it expects', () => {
    const [problem, ...others] = problemsOf(macvtapWithoutDev);
    expect(others).toEqual([]);
    expect(problem!.message).toBe('host.dev is required: expected a string');
    expect(problem!.location).toMatchObject({ file: 'fleet.yaml', line: 6, field: 'vms[0].network.nics[0].host.dev' });
  });

  it('in a list item is named through the list', () => {
    const [problem] = problemsOf('vms:\n  - name: vm1\n    users:\n      - groups: [adm]\n');
    expect(problem!.message).toBe('users[0].name is required: expected a string');
    expect(problem!.location).toMatchObject({ line: 4, field: 'vms[0].users[0].name' });
  });

  it('at the top level is named alone', () => {
    const [problem] = problemsOf('fleet: lab\n');
    expect(problem!.message).toBe('vms is required: expected a list');
  });

  it('never shows zod\'s own words', () => {
    for (const problem of [...problemsOf(macvtapWithoutDev), ...problemsOf('fleet: lab\n')]) {
      expect(problem.message).not.toMatch(/Invalid input|received undefined/);
    }
  });
});

describe('a value of the wrong type', () => {
  it('says what was expected and what was found, at the value', () => {
    const [problem] = problemsOf('vms:\n  - name: vm1\n    domain:\n      memory: lots\n');
    expect(problem!.message).toBe('expected a number, found a string');
    expect(problem!.location).toMatchObject({ line: 4, column: 15, field: 'vms[0].domain.memory' });
  });
});
