// Reads the guest's report out of a serial console log. Serial consoles drop and interleave lines, so
// the guest frames it (image/cloudseed-report): a BEGIN line with the payload's size, line count and
// sha256, numbered base64 lines tagged with the checksum's first 12 digits, an END line, the whole
// written three times. Any complete set of lines whose bytes match the checksum is the report.
import { createHash } from 'node:crypto';

export type ReportScan =
  | { state: 'complete'; payload: Buffer }
  | { state: 'partial'; expectedLines: number; receivedLines: number }
  | { state: 'absent' };

interface Frame {
  bytes: number;
  lines: number;
  sha256: string;
}

const beginPattern = /CLOUDSEED-REPORT-BEGIN v1 bytes=(\d+) lines=(\d+) sha256=([0-9a-f]{64})$/;
// Only the end of a line is anchored: text the console put in front of a line does not spoil it.
const chunkPattern = /CLOUDSEED-REPORT ([0-9a-f]{12}) (\d+) ([A-Za-z0-9+/=]+)$/;

/** Each numbered line's variants, most often seen first: a garbled copy loses to two clean ones. */
function collectChunks(lines: string[], tag: string, count: number): string[][] {
  const seen: Map<string, number>[] = Array.from({ length: count }, () => new Map());
  for (const line of lines) {
    const match = chunkPattern.exec(line);
    if (!match || match[1] !== tag) continue;
    const variants = seen[Number(match[2])];
    if (variants) variants.set(match[3]!, (variants.get(match[3]!) ?? 0) + 1);
  }
  return seen.map((variants) => [...variants.entries()].sort((a, b) => b[1] - a[1]).map(([text]) => text));
}

function matches(frame: Frame, chunks: string[]): Buffer | null {
  const payload = Buffer.from(chunks.join(''), 'base64');
  if (payload.length !== frame.bytes) return null;
  return createHash('sha256').update(payload).digest('hex') === frame.sha256 ? payload : null;
}

/** The favourite variant of every line, then each other variant of one line at a time. */
function assemble(frame: Frame, variants: string[][]): Buffer | null {
  const favourites = variants.map((options) => options[0]!);
  const payload = matches(frame, favourites);
  if (payload) return payload;
  for (const [index, options] of variants.entries()) {
    for (const option of options.slice(1)) {
      const attempt = matches(frame, favourites.map((chunk, position) => (position === index ? option : chunk)));
      if (attempt) return attempt;
    }
  }
  return null;
}

export function scanSerialReport(consoleText: string): ReportScan {
  const lines = consoleText.replace(/\r/g, '').split('\n');
  const frames = new Map<string, Frame>();
  for (const line of lines) {
    const match = beginPattern.exec(line);
    if (match) frames.set(match[3]!, { bytes: Number(match[1]), lines: Number(match[2]), sha256: match[3]! });
  }
  let best: ReportScan = { state: 'absent' };
  for (const frame of frames.values()) {
    const variants = collectChunks(lines, frame.sha256.slice(0, 12), frame.lines);
    const received = variants.filter((options) => options.length > 0).length;
    const payload = received === frame.lines ? assemble(frame, variants) : null;
    if (payload) return { state: 'complete', payload };
    if (best.state === 'absent' || (best.state === 'partial' && received > best.receivedLines)) {
      best = { state: 'partial', expectedLines: frame.lines, receivedLines: received };
    }
  }
  return best;
}

export function describeScan(scan: ReportScan): string {
  if (scan.state === 'complete') return `complete report (${scan.payload.length} bytes)`;
  if (scan.state === 'partial') return `cut report: ${scan.receivedLines} of ${scan.expectedLines} lines arrived intact`;
  return 'no report on the console';
}
