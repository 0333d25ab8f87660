// The host's end of the status channel (see render/status-responder.ts): the guest writes cloud-init's
// result to its second serial port every 2 s once cloud-init is done; we read that port with `virsh
// console --devname serial1`, which works the same on a local and on a remote (qemu+ssh) connection.
// virsh refuses a console without a terminal, so it runs under script(1), which gives it a pty.
import type { ResultPromise } from 'execa';
import { statusFrame, statusSerialPort } from '../render/status-responder.js';
import type { Connection } from '../host/virsh.js';

export interface CloudInitResult {
  /** cloud-init's own word: `done`, `error`, `degraded done`, …; `timeout` when no report came in time. */
  status: string;
  /** cloud-init's error lines (result.json's errors and recoverable errors), empty when it reports none. */
  errors: string[];
}

/** One shell word for script's -c: the URI is the user's and may hold anything the shell reads. */
function shellWord(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

function recoverableErrors(v1: Record<string, unknown>): string[] {
  const recoverable = v1.recoverable_errors;
  if (recoverable === null || typeof recoverable !== 'object') return [];
  return Object.entries(recoverable as Record<string, unknown>).flatMap(([level, messages]) =>
    Array.isArray(messages) ? messages.map((message) => `${level}: ${String(message)}`) : []);
}

/** The report between a begin and an end line, or null while none is complete. */
export function parseStatusReport(text: string): CloudInitResult | null {
  const lines = text.replace(/\r/g, '').split('\n');
  const end = lines.lastIndexOf(statusFrame.end);
  const begin = lines.lastIndexOf(statusFrame.begin, end);
  const result = lines.indexOf(statusFrame.result, begin);
  if (end < 0 || begin < 0 || result < 0 || result > end) return null;
  const statusLine = lines.slice(begin + 1, result).find((line) => line.startsWith('status:'));
  const status = statusLine?.slice('status:'.length).trim() ?? 'unknown';
  let errors: string[] = [];
  try {
    const v1 = (JSON.parse(lines.slice(result + 1, end).join('\n')) as { v1?: Record<string, unknown> }).v1 ?? {};
    errors = [...(Array.isArray(v1.errors) ? v1.errors.map(String) : []), ...recoverableErrors(v1)];
  } catch {
    // cat said why result.json is missing: the status line still tells done from error.
  }
  return { status, errors };
}

/** Status ports read at once: each reader is a virsh and a script process. */
export const readerParallelism = 16;

/** The serial port the status responder writes, by its alias in the live domain (port 1). */
export const statusDevice = `serial${statusSerialPort}`;

/**
 * Reads the guest's report, trying again while the domain is still starting or cloud-init still runs,
 * until `deadline` (ms since the epoch). A guest that never reports gives `timeout`.
 */
export async function readCloudInitResult(connection: Connection, name: string, deadline: number): Promise<CloudInitResult> {
  const { execa } = await import('execa');
  const command = ['virsh', '-c', connection.uri, 'console', '--force', '--devname', statusDevice, '--domain', name].map(shellWord).join(' ');
  while (Date.now() < deadline) {
    const reader: ResultPromise = execa('script', ['-qec', command, '/dev/null'], { reject: false, env: { LC_ALL: 'C' }, stdin: 'pipe' });
    let text = '';
    const report = await new Promise<CloudInitResult | null>((resolve) => {
      const timer = setTimeout(() => resolve(null), Math.max(0, deadline - Date.now()));
      reader.stdout?.on('data', (chunk: Buffer) => {
        text += chunk.toString('utf8');
        const parsed = parseStatusReport(text);
        if (parsed !== null) {
          clearTimeout(timer);
          resolve(parsed);
        }
      });
      void reader.then(() => {
        clearTimeout(timer);
        resolve(null);
      });
    });
    // script hangs up its pty as it ends, and virsh's console ends with it.
    reader.kill('SIGTERM');
    const killer = setTimeout(() => reader.kill('SIGKILL'), 2000);
    await reader;
    clearTimeout(killer);
    if (report !== null) return report;
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
  return { status: 'timeout', errors: [] };
}
