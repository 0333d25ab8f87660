// The progress line's frames, on a recording terminal with a clock the test moves: what a frame says,
// that it never outgrows the terminal, how often it is redrawn, and that it is erased when asked.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { progressText, redrawIntervalMs, startProgressLine, type ProgressLine } from '../../src/cli/progress-line.js';

const eraseLine = '\r\x1b[K';

function recordingTerminal(columns: number | undefined) {
  const writes: string[] = [];
  let clock = 0;
  return {
    writes,
    terminal: { write: (text: string) => void writes.push(text), columns },
    now: () => clock,
    advance: (milliseconds: number) => void (clock += milliseconds),
    /** The text of each frame drawn so far. */
    frames: () => writes.filter((text) => text.length > eraseLine.length).map((text) => text.slice(eraseLine.length)),
  };
}

let line: ProgressLine | null = null;
afterEach(() => {
  line?.stop();
  vi.useRealTimers();
});

describe('the progress line', () => {
  it('says the stage, done/total, the elapsed time and the time left', () => {
    expect(progressText({ progress: { stage: 'plan', done: 0, total: 0 }, elapsedMs: 300, remainingMs: null }, 'building', 80)).toBe('planning · 0.3 s');
    expect(progressText({ progress: { stage: 'build', done: 412, total: 1000 }, elapsedMs: 600, remainingMs: 840 }, 'building', 80))
      .toBe('building 412/1000 VMs · 0.6 s · about 0.8 s left');
    expect(progressText({ progress: { stage: 'build', done: 3, total: 9 }, elapsedMs: 75_000, remainingMs: 12_400 }, 'rendering', 80))
      .toBe('rendering 3/9 VMs · 1 min 15 s · about 12 s left');
    expect(progressText({ progress: { stage: 'commit', done: 9, total: 9 }, elapsedMs: 1000, remainingMs: null }, 'building', 80)).toBe('committing 9 VMs · 1.0 s');
  });

  it('is never as wide as the terminal: the estimate goes first, then the time, then the text is cut', () => {
    const frame = { progress: { stage: 'build' as const, done: 412, total: 1000 }, elapsedMs: 600, remainingMs: 840 };
    for (let columns = 1; columns <= 60; columns++) {
      expect(progressText(frame, 'building', columns).length, `${columns} columns`).toBeLessThan(Math.max(columns, 2));
    }
    expect(progressText(frame, 'building', 40)).toBe('building 412/1000 VMs · 0.6 s');
    expect(progressText(frame, 'building', 20)).toBe('building 412/1000 V');
    // A terminal that does not say its width (columns 0 or undefined) is taken as 80 wide.
    expect(progressText(frame, 'building', 0)).toBe('building 412/1000 VMs · 0.6 s · about 0.8 s left');
    expect(progressText(frame, 'building', undefined)).toBe(progressText(frame, 'building', 0));
  });

  it('is redrawn at most once per interval, however often the build reports', () => {
    const screen = recordingTerminal(80);
    line = startProgressLine({ terminal: screen.terminal, now: screen.now, startedAt: 0, buildVerb: 'building' });
    line.update({ stage: 'plan', done: 0, total: 0 });
    // A run that ends within the first interval draws nothing.
    expect(screen.writes).toEqual([]);
    screen.advance(500);
    for (let done = 1; done <= 1000; done++) {
      screen.advance(1);
      line.update({ stage: 'build', done, total: 1000 });
    }
    const frames = screen.frames();
    expect(frames.length).toBeGreaterThanOrEqual(9);
    expect(frames.length).toBeLessThanOrEqual(1000 / redrawIntervalMs + 1);
    expect(screen.writes.every((text) => text.startsWith(eraseLine))).toBe(true);
    const counts = frames.map((frame) => Number(/^building (\d+)\/1000 VMs/.exec(frame)?.[1]));
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    // 1 ms a VM from the first one on: the estimate is the VMs left at that rate.
    expect(frames.at(-1)).toMatch(/^building 901\/1000 VMs · 1\.4 s · about 0\.1 s left$/);
  });

  it('is erased when something else is printed and at the end, and only if it is on the screen', () => {
    const screen = recordingTerminal(80);
    line = startProgressLine({ terminal: screen.terminal, now: screen.now, startedAt: 0, buildVerb: 'building' });
    line.erase();
    expect(screen.writes).toEqual([]);
    screen.advance(160);
    line.update({ stage: 'build', done: 1, total: 2 });
    line.erase();
    line.erase();
    expect(screen.writes).toEqual([`${eraseLine}building 1/2 VMs · 0.2 s`, eraseLine]);
    screen.advance(150);
    line.update({ stage: 'build', done: 2, total: 2 });
    line.stop();
    // After stop, nothing more is drawn.
    screen.advance(150);
    line.update({ stage: 'commit', done: 2, total: 2 });
    expect(screen.writes.slice(2)).toEqual([`${eraseLine}building 2/2 VMs · 0.3 s`, eraseLine]);
  });

  it('keeps its clock moving while the build reports nothing (planning a large fleet)', () => {
    vi.useFakeTimers();
    const writes: string[] = [];
    line = startProgressLine({ terminal: { write: (text) => void writes.push(text), columns: 80 }, now: () => Date.now(), startedAt: Date.now(), buildVerb: 'building' });
    line.update({ stage: 'plan', done: 0, total: 0 });
    vi.advanceTimersByTime(350);
    expect(writes).toEqual([`${eraseLine}planning · 0.1 s`, `${eraseLine}planning · 0.2 s`, `${eraseLine}planning · 0.3 s`]);
  });
});
