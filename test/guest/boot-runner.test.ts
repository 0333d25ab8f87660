// The boot runner's retry rules, with fake guests instead of VMs: a boot without a complete report is
// tried once more (on TCG when KVM was what failed), a cut report is named as cut, and every guest
// started is stopped.
import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { missingTools } from '../support/tools.js';
import type { Accelerator } from './support/accelerator.js';
import { bootUntilReport, type RunningGuest } from './support/boot-runner.js';
import { frameWithGuestScript } from './support/guest-script-frame.js';

interface FakeGuest {
  console: string;
  /** What the guest says as it ends, or null for a guest that keeps running. */
  ends: string | null;
}

function runner(guests: FakeGuest[], accelerator: Accelerator = 'tcg') {
  const started: Accelerator[] = [];
  let stopped = 0;
  const boot = bootUntilReport({
    accelerator,
    timeoutMs: 100,
    log: () => undefined,
    start: async (chosen, attempt): Promise<RunningGuest> => {
      started.push(chosen);
      const guest = guests[attempt - 1]!;
      return {
        consoleText: async () => guest.console,
        ended: guest.ends === null ? new Promise(() => undefined) : Promise.resolve(guest.ends),
        stop: async () => { stopped++; },
      };
    },
  });
  return { boot, started, stopped: () => stopped };
}

describe.skipIf(missingTools('python3').length > 0)('booting until the guest reports', () => {
  // Random filler does not compress: the report spans many lines, so it can be cut.
  const report = { hostname: 'guest', filler: randomBytes(2000).toString('base64') };
  const framed = frameWithGuestScript(gzipSync(JSON.stringify(report)));

  it('tries a boot that ended without a report once more', async () => {
    const { boot, started, stopped } = runner([{ console: 'kernel panic', ends: 'QEMU exited 1' }, { console: framed, ends: null }]);
    const result = await boot;
    expect(result.report).toEqual(report);
    expect(result.attempts.map((attempt) => attempt.outcome)).toEqual([expect.stringMatching(/ended without a complete report.*QEMU exited 1/), 'report']);
    expect(started).toEqual(['tcg', 'tcg']);
    expect(stopped()).toBe(2);
  });

  it('retries on TCG when KVM could not run the guest', async () => {
    const { boot, started } = runner([{ console: '', ends: 'QEMU: KVM internal error. Suberror: 1' }, { console: framed, ends: null }], 'kvm');
    expect((await boot).accelerator).toBe('tcg');
    expect(started).toEqual(['kvm', 'tcg']);
  });

  it('fails after the second attempt, naming a cut report as cut', async () => {
    const cut = framed.split('\n').slice(0, 4).join('\n');
    const { boot, stopped } = runner([{ console: cut, ends: null }, { console: '', ends: 'QEMU exited 1' }]);
    await expect(boot).rejects.toThrow(/no report after 2 attempts: tcg \d+ s: no complete report within 0.1 s \(cut report: 2 of \d+ lines.*tcg \d+ s: the guest ended/);
    expect(stopped()).toBe(2);
  });
});
