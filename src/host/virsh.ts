// virsh is the dependable interface to libvirt: the same program, options and messages on every
// distribution, local or over ssh, with no native binding to build. Every call goes through here: an
// argument array (never a shell string), the C locale (messages are matched), a timeout, and failures
// told apart: a connection that cannot be made is the host's problem (exit 4), anything else virsh's.
// It lives in host/, the layer that reaches the host; libvirt/ builds its commands on it.
import { CloudseedError } from '../errors.js';

/** The connection for VMs whose spec names none, when the command line gives none either. */
export const defaultUri = 'qemu:///system';

export interface Connection {
  uri: string;
  /** A URI naming a host (qemu+ssh://host/system): files must be uploaded into a storage pool there. */
  remote: boolean;
}

export function connectionOf(uri: string): Connection {
  const authority = /^[^:]+:\/\/([^/]*)\//.exec(uri)?.[1] ?? '';
  return { uri, remote: authority !== '' };
}

export interface VirshResult {
  ok: boolean;
  stdout: string;
  /** stderr without libvirt's polkit notice, which every root call on a host without polkit prints. */
  stderr: string;
}

const connectFailure = /failed to connect to the hypervisor|Cannot recv data|Connection refused|Permission denied \(publickey|Host key verification failed|No route to host|Could not resolve hostname|cannot connect to|End of file while reading data/i;
const polkitNotice = /^Authorization not available\..*$/gm;

export interface VirshOptions {
  timeoutMs?: number;
  /** Text for virsh's standard input (vol-upload /dev/stdin). */
  input?: string | Uint8Array;
}

/** Runs virsh; a failure of the command itself is returned (ok false), a failed connection thrown. */
export async function tryVirsh(connection: Connection, args: string[], options: VirshOptions = {}): Promise<VirshResult> {
  const { execa } = await import('execa');
  const result = await execa('virsh', ['--quiet', '-c', connection.uri, ...args], {
    reject: false,
    env: { LC_ALL: 'C' },
    timeout: options.timeoutMs ?? 120_000,
    ...(options.input === undefined ? { stdin: 'ignore' as const } : { input: options.input }),
  });
  if (result.failed && (result.code === 'ENOENT' || (result.exitCode === undefined && !result.timedOut))) {
    throw new CloudseedError('HOST_UNREACHABLE', `cannot run virsh: ${result.shortMessage}`, { hint: 'install it: apt-get install libvirt-clients' });
  }
  const stderr = result.stderr.replace(polkitNotice, '').trim();
  if (result.timedOut) {
    throw new CloudseedError('HOST_UNREACHABLE', `virsh ${args[0]} on ${connection.uri} did not answer within ${Math.round((options.timeoutMs ?? 120_000) / 1000)} s`);
  }
  if (result.exitCode !== 0 && connectFailure.test(stderr)) {
    throw new CloudseedError('HOST_UNREACHABLE', `cannot connect to libvirt at ${connection.uri}: ${firstError(stderr)}`, {
      hint: connection.remote ? 'check that the host answers ssh as that user with a key, and that libvirtd runs there' : 'is libvirtd running? (systemctl start libvirtd)',
    });
  }
  return { ok: result.exitCode === 0, stdout: result.stdout, stderr };
}

/** Runs virsh and returns its output; a failure is a TOOL_FAILED error that quotes virsh. */
export async function virsh(connection: Connection, args: string[], what: string, options: VirshOptions = {}): Promise<string> {
  const result = await tryVirsh(connection, args, options);
  if (!result.ok) throw new CloudseedError('TOOL_FAILED', `${what}: virsh ${args[0]} on ${connection.uri} failed: ${firstError(result.stderr)}`);
  return result.stdout;
}

/** virsh's own sentence, without its `error: ` prefixes. */
export function firstError(stderr: string): string {
  const lines = stderr.split('\n').map((line) => line.replace(/^error:\s*/, '').trim()).filter((line) => line !== '');
  return lines.join('; ') || 'no message';
}
