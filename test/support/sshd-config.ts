// What sshd makes of a configuration file: `sshd -T` (the extended test mode, which prints every
// effective setting) when openssh-server is here, and a plain reading of the "first value wins" rule
// as the fallback and second opinion.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { hasTool, missingTools } from './tools.js';
import { describeRun, runCommand } from './run-command.js';

/** sshd, also where /usr/sbin is not on PATH; null (after missingTools' skip or CI failure) when absent. */
export function findSshd(): string | null {
  if (hasTool('sshd')) return 'sshd';
  if (existsSync('/usr/sbin/sshd')) return '/usr/sbin/sshd';
  missingTools('sshd', 'ssh-keygen');
  return null;
}

/** `sshd -T` spells prohibit-password by its old name. */
export function normalizeSshdValue(keyword: string, value: string): string {
  return keyword.toLowerCase() === 'permitrootlogin' && value === 'prohibit-password' ? 'without-password' : value;
}

/** A throwaway host key in `folder`: sshd will not start, even in test mode, without one. */
export async function createHostKey(folder: string): Promise<string> {
  const file = path.join(folder, 'host_ed25519_key');
  const keygen = await runCommand('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', file]);
  if (keygen.exitCode !== 0) throw new Error(describeRun(keygen));
  return file;
}

export interface SshdTestOptions {
  hostKey: string;
  /** `user=anoncvs,host=h,addr=192.0.2.1`: the settings for this connection, Match blocks applied. */
  connection?: string;
}

/**
 * The effective settings (lower-case keyword → value) of `configFile`. sshd also wants its privilege
 * separation directory /run/sshd, which only exists where the ssh service has run: without it sshd runs
 * in a private mount namespace with a fresh /run, so the test leaves no trace on the machine.
 */
export async function effectiveSshdConfig(sshd: string, configFile: string, options: SshdTestOptions): Promise<Map<string, string>> {
  const args = ['-T', '-f', configFile, '-h', options.hostKey, ...(options.connection ? ['-C', options.connection] : [])];
  const result = existsSync('/run/sshd')
    ? await runCommand(sshd, args)
    : await runCommand('unshare', ['--mount', '--', 'sh', '-c', 'mount -t tmpfs tmpfs /run && mkdir /run/sshd && exec "$@"', 'sh', sshd, ...args]);
  if (result.exitCode !== 0) throw new Error(`sshd -T rejected the configuration:\n${describeRun(result)}`);
  return new Map(
    result.stdout.split('\n').flatMap((line) => {
      const match = /^(\S+) (.*)$/.exec(line);
      return match ? [[match[1]!.toLowerCase(), match[2]!] as [string, string]] : [];
    }),
  );
}

/** The first value of `keyword` before any Match block: what sshd uses for everyone. No Include. */
export function firstGlobalValue(configText: string, keyword: string): string | null {
  for (const line of configText.split('\n')) {
    const match = /^\s*(\S+)\s+(.*?)\s*$/.exec(line);
    if (!match || match[1]!.startsWith('#')) continue;
    if (match[1]!.toLowerCase() === 'match') return null;
    if (match[1]!.toLowerCase() === keyword.toLowerCase()) return match[2]!;
  }
  return null;
}
