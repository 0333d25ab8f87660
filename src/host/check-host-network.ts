// Before anything is created: every bridge, macvtap device and libvirt network a NIC names must exist
// or be one the `host:` section creates, and what is there under a planned name must be of its kind.
// All problems come at once, each at the spec line that asked for the missing thing.
import { CloudseedError, type Problem, type SourceLocation } from '../errors.js';
import type { HostNeed, HostNeedUser, HostNetworkPlan } from '../plan/index.js';
import { connectionOf } from './virsh.js';
import { desiredBridge, desiredShim } from './desired-links.js';
import { readLinks, type LinkState } from './ip-command.js';
import { hostReach, type HostNetworkOptions, type HostReach } from './host-options.js';
import { readNetwork } from './libvirt-networks.js';

/** "web-1 eth0", "web-1 eth0, web-2 eth0", or the first and last of more. */
function usersText(users: readonly HostNeedUser[]): string {
  const names = users.map((user) => `${user.vm} ${user.device}`);
  return names.length <= 2 ? names.join(', ') : `${names[0]} … ${names.at(-1)} (${names.length} NICs)`;
}

/** One problem per spec line: a name pattern's 40 VMs wrote their NIC once. */
function needProblems(need: HostNeed, message: string): Problem[] {
  const byLine = new Map<string, { location: SourceLocation; users: HostNeedUser[] }>();
  for (const user of need.users) {
    const key = JSON.stringify(user.location);
    const entry = byLine.get(key) ?? { location: user.location, users: [] };
    entry.users.push(user);
    byLine.set(key, entry);
  }
  return [...byLine.values()].map(({ location, users }) => ({ location, message: `${message} (used by ${usersText(users)})` }));
}

function linkProblems(plan: HostNetworkPlan, needs: HostNeed[], links: ReadonlyMap<string, LinkState>): Problem[] {
  const problems: Problem[] = [];
  const plannedBridges = new Set(plan.bridges.map((bridge) => bridge.name));
  for (const bridge of plan.bridges) {
    const existing = links.get(bridge.name);
    const shape = existing === undefined ? null : desiredBridge(bridge).shapeProblem(existing);
    if (shape !== null) problems.push({ location: bridge.location, message: `bridge ${bridge.name}: a link of that name exists, but ${shape}` });
  }
  for (const shim of plan.shims) {
    if (!links.has(shim.dev) && !plannedBridges.has(shim.dev)) problems.push({ location: shim.location, message: `device ${shim.dev} does not exist on this machine` });
    const existing = links.get(shim.name);
    const shape = existing === undefined ? null : desiredShim(shim).shapeProblem(existing);
    if (shape !== null) problems.push({ location: shim.location, message: `shim ${shim.name} on ${shim.dev}: a link of that name exists, but ${shape}` });
  }
  for (const need of needs) {
    const existing = links.get(need.name);
    if (need.kind === 'bridge' && existing !== undefined && existing.kind !== 'bridge') {
      problems.push(...needProblems(need, `${need.name} is a ${existing.kind ?? 'device'} on this machine, not a bridge`));
    } else if (existing === undefined && !plannedBridges.has(need.name)) {
      const what = need.kind === 'bridge' ? `bridge ${need.name} does not exist on this machine and is not in host.bridges` : `device ${need.name} for macvtap does not exist on this machine`;
      problems.push(...needProblems(need, what));
    }
  }
  return problems;
}

async function networkProblems(plan: HostNetworkPlan, needs: HostNeed[], reach: HostReach): Promise<Problem[]> {
  const problems: Problem[] = [];
  const planned = new Set(plan.networks.map((network) => network.name));
  for (const need of needs) {
    if (planned.has(need.name)) continue;
    const state = await readNetwork(reach.connection, need.name);
    const uri = reach.connection.uri;
    if (state === null) problems.push(...needProblems(need, `libvirt network ${need.name} is not defined on ${uri} and is not in host.networks`));
    else if (!state.active) problems.push(...needProblems(need, `libvirt network ${need.name} on ${uri} is not active: start it (virsh net-start ${need.name}); cloudseed starts only networks it defined`));
  }
  return problems;
}

/**
 * What keeps `up` from setting up this host, every problem with its spec line: empty when nothing does.
 * Bridges and macvtap devices are looked for on this machine for the VMs whose connection is local;
 * libvirt networks on `options.connect` for the VMs that use it.
 */
export async function hostNetworkProblems(plan: HostNetworkPlan, options: HostNetworkOptions = {}): Promise<Problem[]> {
  const reach = hostReach(options);
  const uriOf = (need: HostNeed) => need.connect ?? reach.connection.uri;
  const linkNeeds = plan.needs.filter((need) => need.kind !== 'libvirt-network' && !connectionOf(uriOf(need)).remote);
  const networkNeeds = plan.needs.filter((need) => need.kind === 'libvirt-network' && uriOf(need) === reach.connection.uri);
  const looksAtLinks = linkNeeds.length > 0 || plan.bridges.length > 0 || plan.shims.length > 0;
  const links = looksAtLinks ? await readLinks(reach.ip) : new Map<string, LinkState>();
  return [...linkProblems(plan, linkNeeds, links), ...(await networkProblems(plan, networkNeeds, reach))];
}

/** Throws HOST_UNREADY naming every problem hostNetworkProblems finds. */
export async function checkHostNetwork(plan: HostNetworkPlan, options: HostNetworkOptions = {}): Promise<void> {
  const problems = await hostNetworkProblems(plan, options);
  if (problems.length === 0) return;
  const count = problems.length === 1 ? 'one problem' : `${problems.length} problems`;
  throw new CloudseedError('HOST_UNREADY', `the host is not ready for fleet ${plan.fleet}: ${count}; nothing was changed`, {
    problems,
    hint: 'add a missing bridge to host.bridges for cloudseed to create it, or create it yourself; a macvtap NIC needs an existing host device',
  });
}
