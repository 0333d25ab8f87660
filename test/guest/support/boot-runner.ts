// One guest boot, whichever way it is started (bare QEMU or libvirt): wait until the console carries a
// complete report, the guest dies, or time runs out; then stop it. A boot that yields no report is
// tried once more, on TCG if KVM was what failed, before the test fails with the console's last lines.
import { kvmFailurePattern, type Accelerator } from './accelerator.js';
import { decodeGuestReport, type GuestReport } from './guest-report.js';
import { describeScan, scanSerialReport } from './serial-report.js';

export interface RunningGuest {
  /** Everything the serial console has said so far. */
  consoleText(): Promise<string>;
  /** Resolves, with what it said, when the guest's process or domain has ended. */
  ended: Promise<string>;
  stop(): Promise<void>;
}

export interface BootAttempt {
  accelerator: Accelerator;
  seconds: number;
  outcome: string;
}

export interface BootResult {
  report: GuestReport;
  accelerator: Accelerator;
  /** Seconds from start to a complete report, for the attempt that gave it. */
  seconds: number;
  attempts: BootAttempt[];
}

export interface BootOptions {
  accelerator: Accelerator;
  timeoutMs: number;
  /** Starts attempt `number` (1, 2) on `accelerator`, from a fresh root overlay. */
  start(accelerator: Accelerator, number: number): Promise<RunningGuest>;
  log(line: string): void;
}

type WatchOutcome = { report: GuestReport } | { failure: string; console: string };

const pollMs = 1000;

async function watch(guest: RunningGuest, timeoutMs: number): Promise<WatchOutcome> {
  const deadline = Date.now() + timeoutMs;
  let ended: string | null = null;
  void guest.ended.then((said) => { ended = said; });
  for (;;) {
    const console = await guest.consoleText();
    const scan = scanSerialReport(console);
    if (scan.state === 'complete') return { report: decodeGuestReport(scan.payload) };
    if (ended !== null) return { failure: `the guest ended without a complete report (${describeScan(scan)}): ${ended}`, console };
    if (Date.now() > deadline) return { failure: `no complete report within ${timeoutMs / 1000} s (${describeScan(scan)})`, console };
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

function consoleTail(console: string, lines = 25): string {
  return console.replace(/\r/g, '').split('\n').filter((line) => !line.startsWith('CLOUDSEED-REPORT ')).slice(-lines).join('\n');
}

export async function bootUntilReport(options: BootOptions): Promise<BootResult> {
  const attempts: BootAttempt[] = [];
  let accelerator = options.accelerator;
  for (let number = 1; number <= 2; number++) {
    const started = Date.now();
    const guest = await options.start(accelerator, number);
    let outcome: WatchOutcome;
    try {
      outcome = await watch(guest, options.timeoutMs);
    } finally {
      await guest.stop();
    }
    const seconds = Math.round((Date.now() - started) / 1000);
    if ('report' in outcome) {
      attempts.push({ accelerator, seconds, outcome: 'report' });
      return { report: outcome.report, accelerator, seconds, attempts };
    }
    attempts.push({ accelerator, seconds, outcome: outcome.failure });
    options.log(`attempt ${number} (${accelerator}, ${seconds} s) failed: ${outcome.failure}\n${consoleTail(outcome.console)}`);
    if (accelerator === 'kvm' && kvmFailurePattern.test(outcome.failure)) accelerator = 'tcg';
  }
  throw new Error(`no report after ${attempts.length} attempts: ${attempts.map((attempt) => `${attempt.accelerator} ${attempt.seconds} s: ${attempt.outcome}`).join('; ')}`);
}
