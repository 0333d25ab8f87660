// --force, --prune and --frozen reach the library as the options they name, on the commands they apply
// to; flags that contradict each other, or that a command cannot honour, are usage errors (exit 2).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { fleetSpec } from '../output/support/output-state.js';
import { runInProcess } from './support/run-cloudseed.js';

// The command line imports the library lazily; the mock wraps the real functions to record their options.
const received = vi.hoisted(() => ({ build: [] as Record<string, unknown>[], validate: [] as Record<string, unknown>[] }));
vi.mock('../../src/output/index.js', async (importOriginal) => {
  const library = await importOriginal<typeof import('../../src/output/index.js')>();
  return {
    ...library,
    buildFleet: (specFile: string, options: Parameters<typeof library.buildFleet>[1]) => {
      received.build.push({ ...options });
      return library.buildFleet(specFile, options);
    },
    validateSpec: (specFile: string, options: Parameters<typeof library.validateSpec>[1]) => {
      received.validate.push({ ...options });
      return library.validateSpec(specFile, options);
    },
  };
});

let scratch: string;
let spec: string;

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'cloudseed-flags-'));
  spec = path.join(scratch, 'fleet.yaml');
  await writeFile(spec, fleetSpec(['web1']));
});

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

beforeEach(() => {
  received.build.length = 0;
  received.validate.length = 0;
});

describe('build and render flags', () => {
  it.each(['build', 'render'])('%s passes --force, --prune and --frozen on, and off when not given', async (command) => {
    const out = path.join(scratch, command);
    expect((await runInProcess([command, spec, '-o', out, '-q'])).code).toBe(0);
    expect((await runInProcess([command, spec, '-o', out, '-q', '--force', '--prune', '--frozen'])).code).toBe(0);
    expect(received.build).toMatchObject([
      { renderOnly: command === 'render', force: false, prune: false, frozen: false },
      { renderOnly: command === 'render', force: true, prune: true, frozen: true },
    ]);
    // Each flag on its own sets only itself.
    for (const flag of ['force', 'prune', 'frozen']) {
      received.build.length = 0;
      expect((await runInProcess([command, spec, '-o', out, '-q', `--${flag}`])).code).toBe(0);
      expect(received.build).toMatchObject([{ force: flag === 'force', prune: flag === 'prune', frozen: flag === 'frozen' }]);
    }
  });

  it('validate passes --frozen, and refuses --force and --prune: it writes nothing', async () => {
    expect((await runInProcess(['validate', spec, '--frozen', '-q'])).code).toBe(0);
    expect((await runInProcess(['validate', spec, '-q'])).code).toBe(0);
    expect(received.validate).toMatchObject([{ frozen: true }, { frozen: false }]);
    for (const flag of ['--force', '--prune']) {
      const run = await runInProcess(['validate', spec, flag]);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(`error: validate writes nothing, so ${flag} has nothing to do`);
    }
    expect(received.validate).toHaveLength(2);
  });

  it('--verbose with --quiet or --json is a usage error', async () => {
    for (const other of ['--quiet', '--json']) {
      const run = await runInProcess(['build', spec, '-o', path.join(scratch, 'never'), '--verbose', other]);
      expect({ code: run.code, stdout: run.stdout }).toEqual({ code: 2, stdout: '' });
      expect(run.stderr).toContain(`error: --verbose and ${other} ask for different output`);
    }
    expect(received.build).toEqual([]);
  });

  it('--help gives each of them one line, and -v is still the version', async () => {
    const help = await runInProcess(['--help']);
    for (const flag of ['--force', '--prune', '--frozen', '--verbose', '--quiet']) {
      expect(help.stdout.split('\n').filter((line) => line.includes(flag) && /^\s+(-\w, )?--/.test(line)), flag).toHaveLength(1);
    }
    expect((await runInProcess(['-v'])).stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });
});
