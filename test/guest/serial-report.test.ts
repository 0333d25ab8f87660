// The framing of the guest's report, read back the way the boot tests read it, from lines written by
// the guest image's own script (image/cloudseed-report): a cut report must never pass for a whole one,
// and lines lost or garbled in one copy must be made good by another.
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { missingTools } from '../support/tools.js';
import { frameWithGuestScript } from './support/guest-script-frame.js';
import { describeScan, scanSerialReport } from './support/serial-report.js';

const kernelNoise = '[   12.345678] systemd-journald[183]: Received SIGTERM from PID 1 (systemd-shutdow).';

describe.skipIf(missingTools('python3').length > 0)('the serial report framing', () => {
  const payload = randomBytes(3000);
  const copy = frameWithGuestScript(payload);
  const lines = copy.split('\n');

  it('reads a complete copy, with CRLF line ends as a tty writes them', () => {
    const scan = scanSerialReport(`boot noise\r\n${copy.replace(/\n/g, '\r\n')}login: `);
    expect(scan).toEqual({ state: 'complete', payload });
  });

  it('tells a cut report from a complete one', () => {
    const cut = lines.slice(0, Math.floor(lines.length / 2)).join('\n');
    const scan = scanSerialReport(cut);
    expect(scan.state).toBe('partial');
    expect(describeScan(scan)).toMatch(/^cut report: \d+ of \d+ lines/);
    expect(scanSerialReport('no report here').state).toBe('absent');
  });

  it('takes lines lost or garbled in one copy from the next', () => {
    const firstCopyDamaged = lines.map((line, index) => {
      if (index === 5) return `${line.slice(0, 30)}${kernelNoise}`; // cut by a kernel message
      if (index === 9) return '';                                   // lost
      if (index === 12) return line.replace(/[A-Za-z](?=[A-Za-z0-9+/=]*$)/, (c) => (c === 'A' ? 'B' : 'A')); // one bit off, still base64
      return line;
    });
    const scan = scanSerialReport([...firstCopyDamaged, kernelNoise, copy].join('\n'));
    expect(scan).toEqual({ state: 'complete', payload });
  });

  it('never returns bytes that do not match the checksum', () => {
    const everyCopyDamaged = lines.map((line, index) => (index === 3 ? line.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')) : line));
    const text = [everyCopyDamaged, everyCopyDamaged, everyCopyDamaged].map((copyLines) => copyLines.join('\n')).join('\n');
    expect(scanSerialReport(text).state).toBe('partial');
  });

  it('reassembles any interleaving of copies in which every line survives once', () => {
    fc.assert(fc.property(
      fc.array(fc.integer({ min: 0, max: 2 }), { minLength: lines.length, maxLength: lines.length }),
      fc.array(fc.nat({ max: lines.length }), { maxLength: 20 }),
      (survivor, noiseAt) => {
        const copies = [0, 1, 2].map((number) => lines.filter((_, index) => survivor[index] === number || index < 2));
        const text = copies.flat().flatMap((line, index) => (noiseAt.includes(index) ? [kernelNoise, line] : [line])).join('\n');
        const scan = scanSerialReport(text);
        return scan.state === 'complete' && scan.payload.equals(payload);
      },
    ), { numRuns: 50 });
  });
});
