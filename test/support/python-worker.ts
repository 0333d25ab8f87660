// Python as an independent reader in tests: one long-lived process per batch, fed one JSON request per
// line on stdin and answering one JSON line per request, so a property test of hundreds of runs pays
// Python's start-up once. The interpreter is cloud-init's own, so YAML is read by the PyYAML it uses.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { missingTools } from './tools.js';

/** The python3 that runs cloud-init (its shebang), else the first python3 on PATH. */
export function cloudInitPython(): string {
  const launcher = ['/usr/bin/cloud-init', '/usr/local/bin/cloud-init'].find((file) => existsSync(file));
  const shebang = launcher === undefined ? '' : (readFileSync(launcher, 'utf8').split('\n')[0] ?? '');
  const interpreter = /^#!\s*(\/\S*python3[\d.]*)\s*$/.exec(shebang)?.[1];
  return interpreter !== undefined && existsSync(interpreter) ? interpreter : 'python3';
}

/** Whether Python is here; like missingTools, a skip with a warning locally and a failure in CI. */
export function hasPython(): boolean {
  const python = cloudInitPython();
  return python.startsWith('/') || missingTools(python).length === 0;
}

/**
 * Python code that defines `handle(request)`. The worker loop around it reads a request per line and
 * writes `{"ok": result}` or `{"error": "..."}`; an exception answers one request, not the batch.
 */
const workerLoop = `
import json, sys, traceback
for line in sys.stdin:
    try:
        answer = {"ok": handle(json.loads(line))}
    except Exception as error:
        answer = {"error": "%s: %s" % (type(error).__name__, error)}
    sys.stdout.write(json.dumps(answer, default=repr) + "\\n")
    sys.stdout.flush()
`;

export interface PythonWorker {
  call<T>(request: unknown): Promise<T>;
  close(): Promise<void>;
}

type Pending = { resolve: (value: unknown) => void; reject: (reason: Error) => void };

export function startPythonWorker(handlerSource: string): PythonWorker {
  const child: ChildProcessWithoutNullStreams = spawn(cloudInitPython(), ['-W', 'ignore', '-c', `${handlerSource}\n${workerLoop}`], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const pending: Pending[] = [];
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const failAll = (reason: string) => {
    for (const waiter of pending.splice(0)) waiter.reject(new Error(`python worker ${reason}; stderr: ${stderr.slice(-2000)}`));
  };
  child.on('error', (error) => failAll(`could not start: ${error.message}`));
  child.on('exit', (code) => failAll(`exited with code ${code}`));
  createInterface({ input: child.stdout }).on('line', (line) => {
    const waiter = pending.shift();
    if (!waiter) return;
    const answer = JSON.parse(line) as { ok?: unknown; error?: string };
    if (answer.error !== undefined) waiter.reject(new Error(`python: ${answer.error}`));
    else waiter.resolve(answer.ok);
  });
  return {
    call<T>(request: unknown): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        pending.push({ resolve: resolve as (value: unknown) => void, reject });
        child.stdin.write(`${JSON.stringify(request)}\n`);
      });
    },
    close() {
      if (child.exitCode !== null) return Promise.resolve();
      return new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.stdin.end();
      });
    },
  };
}

/**
 * `handle(texts)` for PyYAML: what `yaml.safe_load` (cloud-init's loader is a SafeLoader) makes of each
 * document, as `{value}` or `{error}`. Values JSON has no word for (dates, bytes, sets, floats) come back
 * as tagged objects, so they never compare equal to the string or integer that was meant.
 */
export const pyyamlHandler = `
import datetime, yaml

def plain(value):
    if isinstance(value, dict):
        return {"__mapping__": [[plain(k), plain(v)] for k, v in value.items()]} if any(not isinstance(k, str) for k in value) else {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return {"__float__": repr(value)}
    return {"__" + type(value).__name__ + "__": repr(value)}

def load(text):
    try:
        return {"value": plain(yaml.safe_load(text))}
    except yaml.YAMLError as error:
        return {"error": str(error)}

def handle(texts):
    return [load(text) for text in texts]
`;

export type PyYamlResult = { value: unknown; error?: undefined } | { error: string; value?: undefined };

/** Reads each text with PyYAML in one short-lived worker: for a handful of documents. */
export async function loadWithPyYaml(texts: readonly string[]): Promise<PyYamlResult[]> {
  const worker = startPythonWorker(pyyamlHandler);
  try {
    return await worker.call<PyYamlResult[]>(texts);
  } finally {
    await worker.close();
  }
}
