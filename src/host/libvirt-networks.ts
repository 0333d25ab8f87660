// The fleet's libvirt networks on one connection: defined from the template, started, never autostarted
// (the bridges and shims cloudseed makes do not outlive a reboot either; `up` makes all of them again).
// A network counts as cloudseed's only by the metadata mark it was defined with, and `default` is never
// touched whatever it carries.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CloudseedError } from '../errors.js';
import type { LibvirtNetworkPlan } from '../plan/index.js';
import { untouchableNetwork } from '../plan/plan-host-network.js';
import { firstError, tryVirsh, virsh, type Connection } from './virsh.js';
import { notCloudseeds, otherFleets, type HostAction, type Ownership } from './host-action.js';
import { networkDifferences, networkMarkFleet, parseNetworkXml, renderLibvirtNetworkXml } from './libvirt-network-xml.js';

interface NetworkState {
  network: ReturnType<typeof parseNetworkXml>;
  active: boolean;
}

/** The network as libvirt has it defined, or null when there is none of that name. */
export async function readNetwork(connection: Connection, name: string): Promise<NetworkState | null> {
  const dump = await tryVirsh(connection, ['net-dumpxml', '--inactive', '--network', name]);
  if (!dump.ok) {
    if (/Network not found/i.test(dump.stderr)) return null;
    throw new CloudseedError('TOOL_FAILED', `reading libvirt network ${name}: virsh net-dumpxml on ${connection.uri} failed: ${firstError(dump.stderr)}`);
  }
  const info = await virsh(connection, ['net-info', '--network', name], `reading libvirt network ${name}`);
  return { network: parseNetworkXml(dump.stdout), active: /^Active:\s*yes$/m.test(info) };
}

function networkOwnership(state: NetworkState, fleet: string): Ownership {
  const markedFleet = networkMarkFleet(state.network);
  if (markedFleet === null) return notCloudseeds;
  return markedFleet === fleet ? { owner: 'this-fleet' } : otherFleets(markedFleet);
}

function describePlan(plan: LibvirtNetworkPlan): string {
  const address = plan.address === null ? 'no address' : `${plan.address.address}/${plan.address.prefix}`;
  return [plan.forward === 'nat' ? 'NAT' : 'isolated', address, ...(plan.dhcp === null ? [] : [`DHCP ${plan.dhcp.start}-${plan.dhcp.end}`])].join(', ');
}

/** From a file: Node hands a child its standard input as a socket, which virsh cannot open as /dev/stdin. */
async function defineNetwork(connection: Connection, plan: LibvirtNetworkPlan, fleet: string): Promise<void> {
  const folder = await mkdtemp(path.join(tmpdir(), 'cloudseed-network-'));
  try {
    const file = path.join(folder, 'network.xml');
    await writeFile(file, renderLibvirtNetworkXml(plan, fleet));
    await virsh(connection, ['net-define', '--file', file], `defining libvirt network ${plan.name}`);
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

export async function applyNetwork(connection: Connection, plan: LibvirtNetworkPlan, fleet: string): Promise<HostAction> {
  const action = (outcome: HostAction['outcome'], detail: string | null): HostAction => ({ object: 'libvirt-network', name: plan.name, outcome, detail });
  const what = `libvirt network ${plan.name}`;
  if (plan.name === untouchableNetwork) return action('kept', 'the default network is never touched');
  const state = await readNetwork(connection, plan.name);
  if (state === null) {
    await defineNetwork(connection, plan, fleet);
    await virsh(connection, ['net-autostart', '--disable', '--network', plan.name], `defining ${what}`);
    await virsh(connection, ['net-start', '--network', plan.name], `starting ${what}`);
    return action('created', describePlan(plan));
  }
  const ownership = networkOwnership(state, fleet);
  if (ownership.owner !== 'this-fleet') return action('kept', `${ownership.detail}: used as it is${state.active ? '' : ' (not active)'}`);
  const differences = networkDifferences(plan, state.network);
  const drift = differences.length === 0 ? null : `differs from the spec (${differences.join('; ')}); down and up define it anew`;
  if (state.active) return action('kept', drift);
  // Defined but not started: an `up` killed in between, or a reboot (it is never autostarted).
  await virsh(connection, ['net-start', '--network', plan.name], `starting ${what}`);
  return action('updated', ['started it', ...(drift === null ? [] : [drift])].join('; '));
}

/** Guest NICs on a running network: net-port-list knows them, whichever domain and connection made them. */
async function networkPorts(connection: Connection, name: string): Promise<number> {
  const ports = await virsh(connection, ['net-port-list', '--uuid', '--network', name], `listing the ports of libvirt network ${name}`);
  return ports.split('\n').filter((line) => line.trim() !== '').length;
}

export async function removeNetwork(connection: Connection, plan: LibvirtNetworkPlan, fleet: string): Promise<HostAction> {
  const action = (outcome: HostAction['outcome'], detail: string | null): HostAction => ({ object: 'libvirt-network', name: plan.name, outcome, detail });
  if (plan.name === untouchableNetwork) return action('left-alone', 'the default network is never touched');
  const state = await readNetwork(connection, plan.name);
  if (state === null) return action('absent', null);
  const ownership = networkOwnership(state, fleet);
  if (ownership.owner !== 'this-fleet') return action('left-alone', ownership.detail);
  if (state.active) {
    const ports = await networkPorts(connection, plan.name);
    if (ports > 0) return action('left-alone', `still used by ${ports} guest NIC${ports === 1 ? '' : 's'}`);
    await virsh(connection, ['net-destroy', '--network', plan.name], `stopping libvirt network ${plan.name}`);
  }
  await virsh(connection, ['net-undefine', '--network', plan.name], `removing libvirt network ${plan.name}`);
  return action('removed', null);
}
