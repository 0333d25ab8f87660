// Test helper: frames a payload with the guest image's own report script (image/cloudseed-report), so
// the host-side reader is always tested against what the guest really writes.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('../image/cloudseed-report', import.meta.url));

/** One copy of the report as the guest writes it to the serial port. */
export function frameWithGuestScript(payload: Buffer): string {
  const program = [
    'import importlib.util, sys',
    'from importlib.machinery import SourceFileLoader',
    `loader = SourceFileLoader("report", ${JSON.stringify(script)})`,
    'module = importlib.util.module_from_spec(importlib.util.spec_from_loader("report", loader))',
    'loader.exec_module(module)',
    'sys.stdout.write(module.frame(sys.stdin.buffer.read()))',
  ].join('\n');
  return execFileSync('python3', ['-c', program], { input: payload }).toString('utf8');
}
