// The progress line on a real pseudo-terminal: util-linux `script` runs the bundled cloudseed with a
// pty as its stdout and stderr, 40 columns wide (`stty cols 40`: narrower than a whole frame, so the
// line must be cut to fit), and the test reads the raw bytes the terminal got: frames redrawn in place
// with `\r` and clear-to-end-of-line, counts that go up, no frame as wide as the terminal, the line
// erased before the warning, and the summary last.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fleetSpec } from '../output/support/output-state.js';
import { missingTools } from '../support/tools.js';
import { cliCommand, repositoryRoot } from './support/run-cloudseed.js';

const columns = 40;
// Enough VMs that even a fast machine spends several redraw intervals (100 ms) building them.
const vmCount = 600;
const eraseLine = '\r\x1b[K';

let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'cloudseed-pty-'));
});

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** What a terminal `columns` wide receives from `words` run in it, raw: the pty turns \n into \r\n. */
async function onTerminal(words: string[]): Promise<string> {
  const command = `stty cols ${columns} && exec ${words.map(shellQuote).join(' ')}`;
  const { stdout } = await promisify(execFile)('script', ['-qfec', command, '/dev/null'], { cwd: repositoryRoot, maxBuffer: 64 << 20 });
  return stdout;
}

describe.skipIf(missingTools('script').length > 0)('on a terminal', () => {
  it('the child really has a terminal of the width set', async () => {
    const seen = await onTerminal([process.execPath, '-e', 'process.stdout.write(`${process.stderr.isTTY} ${process.stderr.columns}`)']);
    expect(seen).toBe(`true ${columns}`);
  });

  it('a build draws a progress line redrawn in place, then erases it and prints the summary', async () => {
    const spec = path.join(scratch, 'fleet.yaml');
    const out = path.join(scratch, 'out');
    await writeFile(spec, fleetSpec(Array.from({ length: vmCount }, (_, index) => `vm-${String(index + 1).padStart(4, '0')}`)));
    const raw = await onTerminal([process.execPath, ...cliCommand, 'build', spec, '-o', out]);

    // Every frame starts by going back to the start of the line and clearing it.
    const [before, ...pieces] = raw.split(eraseLine);
    expect(before).toBe('');
    const frames = pieces.slice(0, -1);
    const afterLast = pieces.at(-1)!;
    const counts = frames.map((frame) => /^building (\d+)\/600 VMs · \d+\.\d s/.exec(frame)?.[1]).filter((count) => count !== undefined).map(Number);
    expect(new Set(counts).size, raw).toBeGreaterThanOrEqual(3);
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    for (const frame of frames) {
      expect(frame, 'a frame holds one line and nothing after it').not.toMatch(/[\r\n]/);
      expect(frame.length, frame).toBeLessThan(columns);
    }
    // The line is erased before the warning is printed, and the summary comes last, alone on its line.
    expect(afterLast).toMatch(new RegExp(`^warning: 600 VMs \\(vm-0001 … vm-0600\\): base image .*\\r\\nbuilt 600 VMs into ${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/ in \\d+(\\.\\d)? s\\r\\n$`));
  });

  it('--quiet and --json draw no progress line', async () => {
    const spec = path.join(scratch, 'small.yaml');
    await writeFile(spec, fleetSpec(Array.from({ length: 200 }, (_, index) => `vm-${index}`)));
    const quiet = await onTerminal([process.execPath, ...cliCommand, 'build', spec, '-o', path.join(scratch, 'quiet'), '--quiet']);
    expect(quiet).toBe('');
    const json = await onTerminal([process.execPath, ...cliCommand, 'build', spec, '-o', path.join(scratch, 'json'), '--json']);
    expect(json).not.toContain('\x1b[K');
    expect(json).not.toContain('building');
  });
});
