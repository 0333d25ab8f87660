// A network namespace of the test's own, so that bridges and shims are made, checked and removed with
// the real `ip` and kernel without touching the machine's links. Needs root; without it (or without
// ip) the tests that use one are skipped, and with CI=true they fail.
import { randomBytes } from 'node:crypto';
import { execa } from 'execa';
import { inCI, missingTools } from '../../support/tools.js';

export interface TestNamespace {
  name: string;
  /** The prefix host/ takes: `ip -n NAME`. */
  ip: string[];
  /** Runs `ip -n NAME ...args` and returns its output. */
  run(...args: string[]): Promise<string>;
  /** `ip -j -d link` and `ip -j -d address`, less what the kernel changes by itself as time passes. */
  snapshot(): Promise<unknown>;
  remove(): Promise<void>;
}

/** Why namespace tests cannot run here, or null when they can. Throws in CI instead of skipping. */
export function namespaceTestsBlocked(...moreTools: string[]): string | null {
  const missing = missingTools('ip', ...moreTools);
  if (missing.length > 0) return `missing tools: ${missing.join(', ')}`;
  if (process.getuid?.() !== 0) {
    const reason = 'host network tests need root (ip netns add, links in a namespace)';
    if (inCI) throw new Error(`CI=true and ${reason}`);
    console.warn(`skipping: ${reason}`);
    return reason;
  }
  return null;
}

/** Bridge timers tick and address lifetimes count down; neither is something host/ did. */
const volatileKey = /_timer$|_life_time$/;

function stable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stable);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).filter(([key]) => !volatileKey.test(key)).map(([key, item]) => [key, stable(item)]));
}

export async function createNamespace(): Promise<TestNamespace> {
  const name = `cs-test-${randomBytes(4).toString('hex')}`;
  await execa('ip', ['netns', 'add', name]);
  const ip = ['ip', '-n', name];
  const run = async (...args: string[]) => (await execa('ip', ['-n', name, ...args])).stdout;
  return {
    name,
    ip,
    run,
    snapshot: async () => stable({ links: JSON.parse(await run('-j', '-d', 'link', 'show')), addresses: JSON.parse(await run('-j', '-d', 'address', 'show')) }),
    remove: async () => {
      await execa('ip', ['netns', 'delete', name], { reject: false });
    },
  };
}

/**
 * A namespace with the host NIC that macvtap guests and the shim sit on, `lan0` (up), whose veth peer
 * stands for the wire: this kernel has no dummy driver.
 */
export async function createNamespaceWithLan(): Promise<TestNamespace> {
  const namespace = await createNamespace();
  await namespace.run('link', 'add', 'lan0', 'type', 'veth', 'peer', 'name', 'lan0-wire');
  await namespace.run('link', 'set', 'lan0', 'up');
  return namespace;
}

/** One link of the namespace as `ip -j -d address show` reports it. */
export interface ReportedLink {
  ifname: string;
  flags: string[];
  link?: string;
  ifalias?: string;
  linkinfo?: { info_kind?: string; info_data?: { mode?: string } };
  addr_info: { family: string; local: string; prefixlen: number }[];
}

export async function reportedLinks(namespace: TestNamespace): Promise<Map<string, ReportedLink>> {
  const links = JSON.parse(await namespace.run('-j', '-d', 'address', 'show')) as ReportedLink[];
  return new Map(links.map((link) => [link.ifname, link]));
}

export function ipv4Addresses(link: ReportedLink | undefined): string[] {
  return (link?.addr_info ?? []).filter((address) => address.family === 'inet').map((address) => `${address.local}/${address.prefixlen}`);
}
