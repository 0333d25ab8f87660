// A generated domain.xml booted through libvirt, as a user would: virsh define, start, read the serial
// console, destroy, undefine. libvirtd is used if it answers, else started here (with virtlogd, which
// it needs for QEMU's log) and stopped again by the process ids it wrote.
import { existsSync, openSync, statSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ReadStream } from 'node:tty';
import { execa } from 'execa';
import type { RunningGuest } from './boot-runner.js';

export const libvirtUri = 'qemu:///system';

export interface Libvirtd {
  startedHere: boolean;
  stop(): Promise<void>;
}

/**
 * Long enough for libvirt's first calls, which probe QEMU: where /dev/kvm opens but a KVM guest hangs,
 * one `virsh define` took 80 s, and a 60 s limit failed the boot that would then have run under TCG.
 */
const virshTimeoutMs = 300_000;
/** A call slower than this is said, so that a slow machine is told from a stuck one. */
const virshSlowMs = 30_000;

export async function virsh(...args: string[]): Promise<string> {
  const started = Date.now();
  const result = await execa('virsh', ['-c', libvirtUri, ...args], { reject: false, all: true, timeout: virshTimeoutMs });
  const seconds = Math.round((Date.now() - started) / 1000);
  if (Date.now() - started > virshSlowMs) {
    console.warn(`[libvirt] virsh ${args[0]} took ${seconds} s: libvirt probes QEMU on its first calls, which is slow where /dev/kvm opens but KVM cannot run a guest`);
  }
  if (result.timedOut) throw new Error(`virsh ${args.join(' ')} did not answer within ${virshTimeoutMs / 1000} s`);
  if (result.exitCode !== 0) throw new Error(`virsh ${args.join(' ')} failed (exit ${result.exitCode}): ${(result.all ?? '').trim()}`);
  return result.stdout;
}

async function libvirtdAnswers(): Promise<boolean> {
  return virsh('version', '--daemon').then(() => true, () => false);
}

/**
 * Starts a daemon; `qemuAsRoot` runs it in a mount namespace of its own where qemu.conf has QEMU run as
 * root. libvirt probes QEMU's capabilities as root but asks whether its QEMU user may open /dev/kvm: on
 * a host whose /dev/kvm is root's alone (no udev to give it to the kvm group) the two disagree, and
 * libvirt throws its capabilities away and probes again on every call, so that one `virsh define`
 * takes minutes. With QEMU as root both agree.
 */
async function startDaemon(program: string, pidFile: string, qemuAsRoot: boolean): Promise<number> {
  if (qemuAsRoot) {
    const qemuConf = path.join(path.dirname(pidFile), 'qemu.conf');
    await writeFile(qemuConf, `${await readFile('/etc/libvirt/qemu.conf', 'utf8')}\nuser = "root"\ngroup = "root"\n`);
    const script = 'mount --make-rprivate / && mount --bind "$1" /etc/libvirt/qemu.conf && exec "$2" --daemon --pid-file "$3"';
    await execa('unshare', ['--mount', 'sh', '-c', script, 'sh', qemuConf, program, pidFile]);
  } else {
    await execa(program, ['--daemon', '--pid-file', pidFile]);
  }
  for (let waited = 0; waited < 100; waited++) {
    const pid = Number((await readFile(pidFile, 'utf8').catch(() => '')).trim());
    if (pid > 0) return pid;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${program} started but wrote no pid to ${pidFile}`);
}

/** /dev/kvm that only root may open, as on a host without udev's rule for the kvm group. */
function kvmIsRootOnly(): boolean {
  return existsSync('/dev/kvm') && (statSync('/dev/kvm').mode & 0o066) === 0;
}

/** A libvirtd that answers: the machine's, or one started here. */
export async function ensureLibvirtd(): Promise<Libvirtd> {
  if (await libvirtdAnswers()) return { startedHere: false, stop: async () => {} };
  const pidDirectory = await mkdtemp(path.join(tmpdir(), 'cloudseed-libvirtd-'));
  const pids = [
    await startDaemon('virtlogd', `${pidDirectory}/virtlogd.pid`, false),
    await startDaemon('libvirtd', `${pidDirectory}/libvirtd.pid`, kvmIsRootOnly()),
  ];
  for (let waited = 0; !(await libvirtdAnswers()); waited++) {
    if (waited > 60) throw new Error(`libvirtd (pid ${pids[1]}) started but ${libvirtUri} did not answer within 30 s`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return {
    startedHere: true,
    stop: async () => {
      for (const pid of pids.reverse()) {
        try {
          process.kill(pid, 'SIGTERM');
        } catch {
          // already gone
        }
      }
      await rm(pidDirectory, { recursive: true, force: true });
    },
  };
}

async function removeDomain(name: string): Promise<void> {
  await virsh('destroy', name).catch(() => undefined);
  await virsh('undefine', name).catch(() => undefined);
}

/** The pty of the domain's serial console, read raw (no echo back into the guest). */
function readConsole(pty: string): { text(): string; close(): void } {
  const stream = new ReadStream(openSync(pty, 'r+'));
  stream.setRawMode(true);
  let text = '';
  stream.on('data', (chunk: Buffer) => { text += chunk.toString('utf8'); });
  stream.on('error', () => undefined); // EIO once the domain is destroyed and the pty closes
  return { text: () => text, close: () => stream.destroy() };
}

/** Defines and starts the domain paused, attaches to its console, then lets it run. */
export async function startLibvirtGuest(domainXml: string, name: string): Promise<RunningGuest> {
  await removeDomain(name);
  await virsh('define', domainXml);
  await virsh('start', '--paused', name);
  const console = readConsole((await virsh('ttyconsole', name)).trim());
  await virsh('resume', name);
  let polling = true;
  const ended = new Promise<string>((resolve) => {
    const poll = async () => {
      while (polling) {
        const state = await virsh('domstate', '--reason', name).catch((error: Error) => error.message);
        if (!/running|paused/.test(state)) return resolve(`domain ${name}: ${state.trim()}`);
        await new Promise((wait) => setTimeout(wait, 2000));
      }
    };
    void poll();
  });
  return {
    consoleText: async () => console.text(),
    ended,
    stop: async () => {
      polling = false;
      await removeDomain(name);
      console.close();
    },
  };
}
