// One cloudseed at a time per output folder. The lock is a Unix socket bound in Linux's abstract
// namespace under a name derived from the folder's device and inode: binding is atomic, and the kernel
// frees the name when the process ends, kill -9 included, so a crashed run never leaves a stale lock.
// Elsewhere a lock file created exclusively stands in, judged stale when its process is gone.
import { createHash } from 'node:crypto';
import { openSync, readFileSync, rmSync, writeFileSync, closeSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { hostname } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CloudseedError } from '../errors.js';
import { lockFileName } from './output-layout.js';

export interface OutputLock {
  release(): void;
}

export interface LockOptions {
  /** How long to wait for another run to finish before giving up; default 120 s. */
  timeoutMs?: number;
  /** Told once when the folder is busy and this run starts to wait. */
  onWait?: (holder: string) => void;
}

const pollMs = 100;

export interface LockedFolder {
  outputDir: string;
  /** The folder's device and inode when the lock was asked for: the lock is this folder's, not its name's. */
  identity: { dev: number; ino: number };
  /** Where the lock file people can read goes. */
  stateDir: string;
}

export async function lockOutput({ outputDir, identity: { dev, ino }, stateDir }: LockedFolder, options: LockOptions = {}): Promise<OutputLock> {
  const key = createHash('sha256').update(`${dev}:${ino}`).digest('hex').slice(0, 32);
  const lockFile = path.join(stateDir, lockFileName);
  const take = process.platform === 'linux' ? () => bindAbstract(key) : () => createLockFile(lockFile);
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  let told = false;
  for (;;) {
    const held = await take();
    if (held !== null) {
      if (process.platform === 'linux') writeHolder(lockFile);
      return { release: () => held.release() };
    }
    const holder = describeHolder(lockFile);
    if (Date.now() >= deadline) {
      throw new CloudseedError('IO_FAILED', `${outputDir} is in use by another cloudseed run (${holder})`, {
        hint: 'wait for it to finish; two builds into one folder would mix their files',
      });
    }
    if (!told) options.onWait?.(holder);
    told = true;
    await sleep(pollMs);
  }
}

/** For people and for waiting runs' messages only: the socket is the lock. */
function writeHolder(lockFile: string): void {
  try {
    writeFileSync(lockFile, holderText(), { mode: 0o644 });
  } catch {
    // The state folder was just removed by a failed first run; the next check makes it again.
  }
}

function holderText(): string {
  return `${JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString() })}\n`;
}

function describeHolder(lockFile: string): string {
  try {
    const holder = JSON.parse(readFileSync(lockFile, 'utf8')) as { pid?: number; host?: string; since?: string };
    return `process ${holder.pid} on ${holder.host}, since ${holder.since}`;
  } catch {
    return 'a process that is starting';
  }
}

function bindAbstract(key: string): Promise<OutputLock | null> {
  return new Promise((resolve, reject) => {
    const server: Server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') resolve(null);
      else reject(error);
    });
    server.listen({ path: `\0cloudseed-output-${key}` }, () => {
      // The socket must not keep the process alive, and nothing ever connects to it.
      server.unref();
      resolve({ release: () => server.close() });
    });
  });
}

async function createLockFile(lockFile: string): Promise<OutputLock | null> {
  try {
    const fd = openSync(lockFile, 'wx', 0o644);
    writeFileSync(fd, holderText());
    closeSync(fd);
    return { release: () => rmSync(lockFile, { force: true }) };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  if (holderIsGone(lockFile)) rmSync(lockFile, { force: true });
  return null;
}

function holderIsGone(lockFile: string): boolean {
  try {
    const holder = JSON.parse(readFileSync(lockFile, 'utf8')) as { pid: number; host: string };
    if (holder.host !== hostname()) return false;
    process.kill(holder.pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
