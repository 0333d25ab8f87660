// The progress line for people at a terminal: one line on stderr, redrawn in place as the build moves
// on, erased before anything else is printed there and when the run ends. Never drawn into a pipe.
import type { BuildProgress } from '../output/index.js';
import { durationText } from './duration-text.js';

/** Where the line is drawn: process.stderr, or a recorder in tests. */
export interface ProgressTerminal {
  write(text: string): void;
  /** The terminal's width; 0 or undefined when it does not say. */
  readonly columns: number | undefined;
}

export interface ProgressLineOptions {
  terminal: ProgressTerminal;
  /** A monotonic clock in milliseconds (performance.now); a fake one in tests. */
  now: () => number;
  /** When the run started, on that clock: the elapsed time counts from here. */
  startedAt: number;
  /** What the build stage is called for this command: building, rendering. */
  buildVerb: string;
}

export interface ProgressLine {
  update(progress: BuildProgress): void;
  /** Clears the line so that something else can be printed; it comes back with the next redraw. */
  erase(): void;
  /** Clears the line for good. */
  stop(): void;
}

/** What one frame shows. `remainingMs` is null until there is a rate to estimate it from. */
export interface ProgressFrame {
  progress: BuildProgress;
  elapsedMs: number;
  remainingMs: number | null;
}

// A 1000-VM build reports 1000 times: redrawing on each would flicker and cost the build its time.
export const redrawIntervalMs = 100;
const eraseLine = '\r\x1b[K';
const separator = ' · ';

function stageText({ stage, done, total }: BuildProgress, buildVerb: string): string {
  if (stage === 'plan') return 'planning';
  if (stage === 'build') return `${buildVerb} ${done}/${total} VMs`;
  return `committing ${total} VMs`;
}

/**
 * One frame's text, at most `columns - 1` wide: writing into a terminal's last column wraps the cursor
 * on some terminals, and the next `\r` would then redraw on a new line. What does not fit is left off
 * from the end (the estimate first).
 */
export function progressText(frame: ProgressFrame, buildVerb: string, columns: number | undefined): string {
  const width = Math.max(1, (columns || 80) - 1);
  const parts = [stageText(frame.progress, buildVerb), durationText(frame.elapsedMs)];
  if (frame.remainingMs !== null) parts.push(`about ${durationText(frame.remainingMs)} left`);
  while (parts.length > 1 && parts.join(separator).length > width) parts.pop();
  return parts.join(separator).slice(0, width);
}

export function startProgressLine(options: ProgressLineOptions): ProgressLine {
  const { terminal, now, startedAt, buildVerb } = options;
  let latest: BuildProgress = { stage: 'plan', done: 0, total: 0 };
  // The rate is measured from the first VM built: planning and rendering took time no VM shows.
  let rateFrom: { at: number; done: number } | null = null;
  // The first frame waits one interval: a run shorter than that leaves no trace on the terminal.
  let drawnAt = startedAt;
  let drawn = false;
  let stopped = false;

  const remainingMs = (at: number): number | null => {
    if (latest.stage !== 'build' || rateFrom === null || latest.done <= rateFrom.done || latest.done >= latest.total) return null;
    return ((latest.total - latest.done) * (at - rateFrom.at)) / (latest.done - rateFrom.done);
  };
  const redrawIfDue = () => {
    const at = now();
    if (stopped || at - drawnAt < redrawIntervalMs) return;
    const frame = { progress: latest, elapsedMs: at - startedAt, remainingMs: remainingMs(at) };
    terminal.write(`${eraseLine}${progressText(frame, buildVerb, terminal.columns)}`);
    drawnAt = at;
    drawn = true;
  };
  // Planning a large fleet reports nothing for a while; the clock on the line should still move.
  // Half the interval, so that a due redraw is never more than that late.
  const ticker = setInterval(redrawIfDue, redrawIntervalMs / 2);
  ticker.unref();

  const erase = () => {
    if (drawn) terminal.write(eraseLine);
    drawn = false;
  };
  return {
    update(progress) {
      if (progress.stage === 'build' && rateFrom === null) rateFrom = { at: now(), done: progress.done };
      latest = progress;
      redrawIfDue();
    },
    erase,
    stop() {
      stopped = true;
      clearInterval(ticker);
      erase();
    },
  };
}
