// iproute2's `ip`, the one program host/ changes links with, and the links as it reports them in JSON.
// The command is a prefix the caller chooses: `['ip']` here, `['ip', '-n', 'ns']` in a network namespace.
import { CloudseedError } from '../errors.js';

/** The `ip` command and its leading arguments. */
export type IpCommand = readonly string[];

export const defaultIpCommand: IpCommand = ['ip'];

/** One link as host/ looks at it. */
export interface LinkState {
  name: string;
  /** `bridge`, `macvlan`, `macvtap`, `veth`, …; null for a plain device (a NIC, loopback). */
  kind: string | null;
  alias: string | null;
  /** The device a macvlan or macvtap sits on. */
  lower: string | null;
  /** The bridge it is a port of. */
  master: string | null;
  macvlanMode: string | null;
  up: boolean;
  /** IPv4 addresses in CIDR form. */
  addresses: string[];
}

/** The fields of `ip -j -d address show` host/ reads. */
interface IpLinkJson {
  ifname: string;
  flags?: string[];
  link?: string;
  master?: string;
  ifalias?: string;
  linkinfo?: { info_kind?: string; info_data?: { mode?: string } };
  addr_info?: { family?: string; local?: string; prefixlen?: number }[];
}

/** Runs `ip` with `args`; a failure is TOOL_FAILED quoting ip's own message. */
export async function runIp(ip: IpCommand, args: readonly string[]): Promise<string> {
  const { execa } = await import('execa');
  const [program, ...prefix] = ip;
  const result = await execa(program ?? 'ip', [...prefix, ...args], { reject: false, env: { LC_ALL: 'C' }, stdin: 'ignore' });
  if (result.code === 'ENOENT') {
    throw new CloudseedError('TOOL_MISSING', `${program} is not installed (it comes with the Debian package iproute2)`, { hint: 'apt-get install -y iproute2' });
  }
  if (result.exitCode !== 0) {
    const message = result.stderr.trim() || (result.shortMessage ?? 'no message');
    // Creating links needs CAP_NET_ADMIN; the kernel only says "Operation not permitted".
    const permission = /Operation not permitted/.test(message) ? { hint: 'creating and removing host links needs root (CAP_NET_ADMIN)' } : {};
    throw new CloudseedError('TOOL_FAILED', `${result.escapedCommand} failed with exit code ${result.exitCode}: ${message}`, permission);
  }
  return result.stdout;
}

function linkState(link: IpLinkJson): LinkState {
  return {
    name: link.ifname,
    kind: link.linkinfo?.info_kind ?? null,
    alias: link.ifalias ?? null,
    lower: link.link ?? null,
    master: link.master ?? null,
    macvlanMode: link.linkinfo?.info_data?.mode ?? null,
    up: (link.flags ?? []).includes('UP'),
    addresses: (link.addr_info ?? []).filter((address) => address.family === 'inet').map((address) => `${address.local}/${address.prefixlen}`),
  };
}

/** Every link with its kind, mark and IPv4 addresses, by name: one `ip -j -d address show`. */
export async function readLinks(ip: IpCommand): Promise<Map<string, LinkState>> {
  const links = JSON.parse(await runIp(ip, ['-j', '-d', 'address', 'show'])) as IpLinkJson[];
  return new Map(links.map((link) => [link.ifname, linkState(link)]));
}
