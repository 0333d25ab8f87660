// The fleet's `host:` section: checked against itself (names, subnets, DHCP ranges) and against the NICs,
// given the names and the mark of what cloudseed creates, and joined with what the NICs expect on their
// host, which host/ checks before it creates anything.
import { createHash } from 'node:crypto';
import type { Problem, SourceLocation } from '../errors.js';
import type { FleetSpec } from '../spec/load-spec.js';
import { hasControlCharacter } from '../spec/formats.js';
import { formatIpv4, hostRange, parseIpv4, parseIpv4Cidr, subnetContains, type Subnet } from '../spec/ipv4.js';
import type { HostNetworkSpec } from '../spec/schema.js';
import type { FieldPath } from '../spec/source-map.js';
import type { HostNeed, HostNetworkPlan, LibvirtNetworkPlan, VmHostNetwork } from './host-network-types.js';
import { collectHostNeeds } from './host-network-needs.js';
import type { VmDraft } from './plan-vm.js';
import type { HostLink } from './types.js';

/** The network libvirt installs and users rely on: cloudseed neither defines nor removes it. */
export const untouchableNetwork = 'default';

/** IFALIASZ is 256 bytes with the NUL; a longer fleet name, or one with control characters, is hashed. */
const maxAliasBytes = 255;
const markPrefix = 'cloudseed fleet=';

/** The ifalias that marks a link as this fleet's: `cloudseed fleet=NAME`, the one proof removal trusts. */
export function hostLinkMark(fleet: string): string {
  const mark = `${markPrefix}${fleet}`;
  if (Buffer.byteLength(mark) <= maxAliasBytes && !hasControlCharacter(fleet)) return mark;
  return `cloudseed fleet-sha256=${createHash('sha256').update(fleet).digest('hex')}`;
}

/**
 * `csshim-` and 8 hex digits of the device's hash: 15 characters, IFNAMSIZ's limit, whatever the
 * device's name. One per device: every fleet's macvtap guests on it are reached through the same shim.
 */
export function shimName(dev: string): string {
  return `csshim-${createHash('sha256').update(`cloudseed shim\0${dev}`).digest('hex').slice(0, 8)}`;
}

interface Sinks {
  fleet: string;
  problems: Problem[];
}

type Report = (fieldPath: FieldPath, message: string) => void;
type Locate = (fieldPath: FieldPath) => SourceLocation;

/** A host interface's address is no network or broadcast address (there are none in /31 and /32). */
function checkHostAddress(cidr: string, fieldPath: FieldPath, report: Report): void {
  const { address, subnet } = parseIpv4Cidr(cidr)!;
  const { first, last } = hostRange(subnet);
  if (address < first || address > last) {
    report(fieldPath, `${cidr} is the network or broadcast address of ${subnet.network}/${subnet.prefix}; expected a host address in ${formatIpv4(first)}-${formatIpv4(last)}`);
  }
}

/** A name given twice: the second is the problem, and names the line of the first. */
function checkUnique(names: string[], what: string, locate: (index: number) => SourceLocation, report: (index: number, message: string) => void): void {
  const first = new Map<string, number>();
  names.forEach((name, index) => {
    const earlier = first.get(name);
    if (earlier === undefined) first.set(name, index);
    else report(index, `${what} ${name} is already in the list at line ${locate(earlier).line}`);
  });
}

function planDhcpRange(range: string, address: { address: number; subnet: Subnet } | null, report: Report): LibvirtNetworkPlan['dhcp'] {
  const [start, end] = range.split('-').map((part) => part.trim()) as [string, string];
  if (address === null) {
    report(['dhcp'], 'a DHCP range needs the network\'s own address: add address, such as 10.40.0.1/24');
    return { start, end };
  }
  const { first, last } = hostRange(address.subnet);
  const [from, to] = [parseIpv4(start)!, parseIpv4(end)!];
  const subnet = `${address.subnet.network}/${address.subnet.prefix}`;
  if (!subnetContains(address.subnet, from) || !subnetContains(address.subnet, to)) {
    report(['dhcp'], `range ${range} is outside the network's subnet ${subnet}`);
  } else if (from < first || to > last) {
    report(['dhcp'], `range ${range} includes the network or broadcast address of ${subnet}; expected a range within ${formatIpv4(first)}-${formatIpv4(last)}`);
  } else if (from <= address.address && address.address <= to) {
    report(['dhcp'], `range ${range} includes the host's own address ${formatIpv4(address.address)}; a guest would be handed it`);
  }
  return { start, end };
}

function planNetworks(spec: HostNetworkSpec, locate: Locate, report: Report): HostNetworkPlan['networks'] {
  const networks = (spec.networks ?? []).map((network, index) => {
    const at: Report = (fieldPath, message) => report(['networks', index, ...fieldPath], message);
    if (network.name === untouchableNetwork) {
      at(['name'], 'the libvirt network default is never touched by cloudseed: give this network another name, or leave it out and let NICs use default as it is');
    }
    const address = network.address === undefined ? null : parseIpv4Cidr(network.address)!;
    if (network.address !== undefined) checkHostAddress(network.address, ['address'], at);
    const forward = network.forward ?? 'none';
    if (forward === 'nat' && address === null) at(['forward'], 'a NAT network needs the host\'s address on it: add address, such as 10.40.0.1/24');
    return {
      name: network.name,
      forward,
      address: address === null ? null : { address: formatIpv4(address.address), prefix: address.subnet.prefix },
      dhcp: network.dhcp === undefined ? null : planDhcpRange(network.dhcp, address, at),
      location: locate(['networks', index, 'name']),
    };
  });
  checkUnique(networks.map((network) => network.name), 'network', (index) => networks[index]!.location, (index, message) => report(['networks', index, 'name'], message));
  return networks;
}

/**
 * Two links of the host with one subnet make its routes ambiguous, and libvirt refuses to start a
 * network whose subnet a link already has ("network is already in use by interface").
 */
function checkSubnetOverlaps(spec: HostNetworkSpec, locate: Locate, report: Report): void {
  const owners: { subnet: Subnet; what: string; fieldPath: FieldPath }[] = [];
  const add = (cidr: string | undefined, what: string, fieldPath: FieldPath) => {
    if (cidr === undefined) return;
    const { subnet } = parseIpv4Cidr(cidr)!;
    const clash = owners.find((owner) => owner.subnet.prefix <= subnet.prefix ? subnetContains(owner.subnet, parseIpv4(subnet.network)!) : subnetContains(subnet, parseIpv4(owner.subnet.network)!));
    if (clash !== undefined) report(fieldPath, `${cidr} overlaps ${clash.what}'s subnet ${clash.subnet.network}/${clash.subnet.prefix} (line ${locate(clash.fieldPath).line}); expected one subnet per host link`);
    else owners.push({ subnet, what, fieldPath });
  };
  (spec.bridges ?? []).forEach((bridge, index) => add(bridge.address, `bridge ${bridge.name}`, ['bridges', index, 'address']));
  (spec.networks ?? []).forEach((network, index) => add(network.address, `network ${network.name}`, ['networks', index, 'address']));
}

function planBridges(spec: HostNetworkSpec, locate: Locate, report: Report): HostNetworkPlan['bridges'] {
  const bridges = (spec.bridges ?? []).map((bridge, index) => {
    if (bridge.address !== undefined) checkHostAddress(bridge.address, ['bridges', index, 'address'], report);
    return { name: bridge.name, address: bridge.address ?? null, location: locate(['bridges', index, 'name']) };
  });
  checkUnique(bridges.map((bridge) => bridge.name), 'bridge', (index) => bridges[index]!.location, (index, message) => report(['bridges', index, 'name'], message));
  return bridges;
}

function planShims(spec: HostNetworkSpec, locate: Locate, report: Report): HostNetworkPlan['shims'] {
  const shims = (spec.shims ?? []).map((shim, index) => {
    if (shim.address !== undefined) checkHostAddress(shim.address, ['shims', index, 'address'], report);
    return { name: shimName(shim.dev), dev: shim.dev, address: shim.address ?? null, location: locate(['shims', index, 'dev']) };
  });
  const again = (index: number, message: string) => report(['shims', index, 'dev'], `${message}; one shim per device reaches every macvtap guest on it`);
  checkUnique(shims.map((shim) => shim.dev), 'a shim on', (index) => shims[index]!.location, again);
  return shims;
}

/** A shim on a device no macvtap NIC sits on gives the host an address there and reaches no guest. */
function unusedShimWarnings(shims: HostNetworkPlan['shims'], needs: HostNeed[]): Problem[] {
  const macvtapDevices = new Set(needs.filter((need) => need.kind === 'lower-device').map((need) => need.name));
  return shims
    .filter((shim) => !macvtapDevices.has(shim.dev))
    .map((shim) => ({ location: shim.location, message: `no NIC is a macvtap (host.type direct) on ${shim.dev}; the shim ${shim.name} on it reaches no guest` }));
}

export function planHostNetwork(spec: FleetSpec, drafts: readonly VmDraft[], sinks: Sinks): HostNetworkPlan {
  const host = spec.input.host ?? {};
  const locate: Locate = (fieldPath) => spec.source.locate(['host', ...fieldPath]);
  const report: Report = (fieldPath, message) => sinks.problems.push({ location: locate(fieldPath), message });
  const bridges = planBridges(host, locate, report);
  const shims = planShims(host, locate, report);
  const networks = planNetworks(host, locate, report);
  checkSubnetOverlaps(host, locate, report);
  const needs = collectHostNeeds(spec, drafts);
  return { fleet: sinks.fleet, linkMark: hostLinkMark(sinks.fleet), bridges, shims, networks, needs, warnings: unusedShimWarnings(shims, needs) };
}

/** What of the host network one VM's qemu.sh sets up: the bridges and shims its own NICs rest on. */
export function vmHostNetwork(host: HostNetworkPlan, links: readonly HostLink[]): VmHostNetwork {
  const macvtapDevices = new Set(links.flatMap((link) => (link.type === 'direct' ? [link.dev] : [])));
  const shims = host.shims.filter((shim) => macvtapDevices.has(shim.dev)).map(({ name, dev, address }) => ({ name, dev, address }));
  // A bridge can also be the device under a macvtap NIC or under a shim.
  const bridgeNames = new Set([...links.flatMap((link) => (link.type === 'bridge' ? [link.bridge] : [])), ...macvtapDevices]);
  const bridges = host.bridges.filter((bridge) => bridgeNames.has(bridge.name)).map(({ name, address }) => ({ name, address }));
  return { linkMark: host.linkMark, bridges, shims };
}
