// Each NIC of one VM, checked and resolved except for what needs the whole fleet (pool addresses and
// derived MACs), which plan-fleet allocates afterwards.
import type { NicSpec, PoolSpec } from '../spec/schema.js';
import type { FieldPath } from '../spec/source-map.js';
import { formatIpv4, hostRange, parseIpv4, parseIpv4Cidr, subnetContains, type Subnet } from './ipv4.js';
import { normalizeMac } from './mac-address.js';
import type { Addressing, HostLink, NicPlan, RoutePlan } from './types.js';
import type { VmContext } from './vm-context.js';

export interface PoolPlan {
  name: string;
  subnet: Subnet;
  first: number;
  last: number;
  gateway: string | null;
  dnsServers: string[];
  dnsSearch: string[];
}

/** A NIC before fleet-wide allocation: its MAC may be missing and its address may come from a pool. */
export interface NicDraft extends Omit<NicPlan, 'macAddress' | 'addressing'> {
  macAddress: string | null;
  addressing: Addressing | { kind: 'pool'; pool: PoolPlan };
  fieldPath: FieldPath;
}

const deviceNamePattern = /^[A-Za-z0-9_.:-]{1,15}$/;
const domainNamePattern = /^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;

type Report = (fieldPath: FieldPath, message: string) => void;

function checkIpList(values: string[], fieldPath: FieldPath, report: Report): string[] {
  values.forEach((value, index) => {
    if (parseIpv4(value) === null) report([...fieldPath, index], `"${value}" is not an IPv4 address`);
  });
  return values;
}

function checkSearchDomains(values: string[], fieldPath: FieldPath, report: Report): string[] {
  values.forEach((value, index) => {
    if (!domainNamePattern.test(value)) report([...fieldPath, index], `"${value}" is not a domain name`);
  });
  return values;
}

export function planPool(name: string, pool: PoolSpec, report: Report): PoolPlan | null {
  const cidr = parseIpv4Cidr(pool.cidr);
  if (!cidr) {
    report(['cidr'], `"${pool.cidr}" is not an IPv4 CIDR such as 10.0.0.0/24`);
    return null;
  }
  const subnet = cidr.subnet;
  let { first, last } = hostRange(subnet);
  if (pool.range !== undefined) {
    const [from, to] = pool.range.split('-').map((part) => parseIpv4(part.trim()));
    if (from == null || to == null || from > to) {
      report(['range'], `"${pool.range}" is not a range such as 10.0.0.10-10.0.0.200`);
      return null;
    }
    if (!subnetContains(subnet, from) || !subnetContains(subnet, to)) {
      report(['range'], `range ${pool.range} is outside the pool's subnet ${pool.cidr}`);
    }
    first = from;
    last = to;
  }
  const gateway = pool.gateway ?? null;
  const gatewayValue = gateway === null ? null : parseIpv4(gateway);
  if (gateway !== null && gatewayValue === null) report(['gateway'], `"${gateway}" is not an IPv4 address`);
  else if (gatewayValue !== null && !subnetContains(subnet, gatewayValue)) {
    report(['gateway'], `gateway ${gateway} is outside the pool's subnet ${subnet.network}/${subnet.prefix}`);
  }
  return {
    name,
    subnet,
    first,
    last,
    gateway,
    dnsServers: checkIpList(pool.dns?.servers ?? [], ['dns', 'servers'], report),
    dnsSearch: checkSearchDomains(pool.dns?.search ?? [], ['dns', 'search'], report),
  };
}

function planAddressing(nic: NicSpec, fieldPath: FieldPath, pools: Map<string, PoolPlan>, report: Report): NicDraft['addressing'] | null {
  if (nic.pool !== undefined) {
    const pool = pools.get(nic.pool);
    if (!pool) {
      const known = [...pools.keys()].join(', ') || 'none defined';
      report([...fieldPath, 'pool'], `unknown pool "${nic.pool}" (pools: ${known})`);
      return null;
    }
    if (nic.address === undefined) return { kind: 'pool', pool };
    return pinPoolAddress(nic.address, pool, [...fieldPath, 'address'], report);
  }
  if (nic.address === undefined || nic.address === 'dhcp') return { kind: 'dhcp' };
  const cidr = parseIpv4Cidr(nic.address);
  if (!cidr) {
    report([...fieldPath, 'address'], `"${nic.address}" is not "dhcp" or an IPv4 address in CIDR form such as 192.168.1.10/24`);
    return null;
  }
  const { subnet, address } = cidr;
  if (subnet.prefix < 31 && (formatIpv4(address) === subnet.network || address === hostRange(subnet).last + 1)) {
    report([...fieldPath, 'address'], `${nic.address} is the network or broadcast address of its subnet`);
  }
  return { kind: 'static', address: formatIpv4(address), ...subnet };
}

/** `pool: lan` with `address: 10.0.0.50` pins one address of the pool's subnet. */
function pinPoolAddress(text: string, pool: PoolPlan, fieldPath: FieldPath, report: Report): Addressing | null {
  const address = parseIpv4(text.replace(/\/\d+$/, ''));
  if (address === null) {
    report(fieldPath, `"${text}" is not an IPv4 address`);
    return null;
  }
  if (!subnetContains(pool.subnet, address)) {
    report(fieldPath, `address ${text} is outside its subnet ${pool.subnet.network}/${pool.subnet.prefix} (pool ${pool.name})`);
    return null;
  }
  return { kind: 'static', address: formatIpv4(address), ...pool.subnet };
}

function subnetOf(addressing: NicDraft['addressing']): Subnet | null {
  if (addressing.kind === 'static') return addressing;
  if (addressing.kind === 'pool') return addressing.pool.subnet;
  return null;
}

function planRoutes(nic: NicSpec, fieldPath: FieldPath, report: Report): RoutePlan[] {
  return (nic.routes ?? []).flatMap((route, index) => {
    const routePath = [...fieldPath, 'routes', index];
    const destination = route.to === 'default' ? parseIpv4Cidr('0.0.0.0/0') : parseIpv4Cidr(route.to);
    if (!destination) report([...routePath, 'to'], `"${route.to}" is not an IPv4 CIDR or "default"`);
    if (parseIpv4(route.via) === null) report([...routePath, 'via'], `"${route.via}" is not an IPv4 address`);
    if (!destination || parseIpv4(route.via) === null) return [];
    return [{ ...destination.subnet, via: route.via, metric: route.metric ?? null }];
  });
}

function planHostLink(nic: NicSpec): HostLink {
  const host = nic.host ?? { type: 'network', network: 'default' };
  // Bridge, not libvirt's vepa default: vepa cuts guests on one host off from each other unless the
  // switch port hairpins, which few do.
  if (host.type === 'direct') return { type: 'direct', dev: host.dev, mode: host.mode ?? 'bridge' };
  return host;
}

function planGateway(nic: NicSpec, addressing: NicDraft['addressing'], pool: PoolPlan | null, fieldPath: FieldPath, report: Report): string | null {
  const gateway = nic.gateway ?? pool?.gateway ?? null;
  if (gateway === null) return null;
  const value = parseIpv4(gateway);
  const subnet = subnetOf(addressing);
  if (value === null) report([...fieldPath, 'gateway'], `"${gateway}" is not an IPv4 address`);
  else if (subnet && !subnetContains(subnet, value)) {
    report([...fieldPath, 'gateway'], `gateway ${gateway} is outside the NIC's subnet ${subnet.network}/${subnet.prefix}`);
  } else if (addressing.kind === 'dhcp') {
    report([...fieldPath, 'gateway'], 'a gateway is only for static addresses; DHCP supplies its own');
  }
  return gateway;
}

function planNic(context: VmContext, nic: NicSpec, index: number, pools: Map<string, PoolPlan>): NicDraft | null {
  const fieldPath: FieldPath = ['network', 'nics', index];
  const report = context.report;
  const device = nic.device ?? `eth${index}`;
  if (!deviceNamePattern.test(device)) report([...fieldPath, 'device'], `"${device}" is not an interface name (1-15 of A-Z a-z 0-9 _ . : -)`);
  let macAddress: string | null = null;
  if (nic.mac !== undefined) {
    macAddress = normalizeMac(nic.mac);
    if (macAddress === null) report([...fieldPath, 'mac'], `"${nic.mac}" is not a unicast MAC address such as 52:54:00:12:34:56`);
  }
  const addressing = planAddressing(nic, fieldPath, pools, report);
  if (!addressing) return null;
  const pool = nic.pool === undefined ? null : (pools.get(nic.pool) ?? null);
  const model = nic.model ?? 'virtio';
  const host = planHostLink(nic);
  return {
    device,
    macAddress,
    addressing,
    gateway: planGateway(nic, addressing, pool, fieldPath, report),
    dnsServers: checkIpList(nic.dns?.servers ?? pool?.dnsServers ?? [], [...fieldPath, 'dns', 'servers'], report),
    dnsSearch: checkSearchDomains(nic.dns?.search ?? pool?.dnsSearch ?? [], [...fieldPath, 'dns', 'search'], report),
    routes: planRoutes(nic, fieldPath, report),
    mtu: nic.mtu ?? null,
    host,
    model,
    vhost: nic.vhost ?? (model === 'virtio' && host.type !== 'user'),
    fieldPath,
  };
}

export function planNicDrafts(context: VmContext, pools: Map<string, PoolPlan>): NicDraft[] {
  const nics = context.vm.network?.nics ?? [];
  const drafts = nics.map((nic, index) => planNic(context, nic, index, pools));
  const devices = new Set<string>();
  drafts.forEach((draft, index) => {
    if (!draft) return;
    if (devices.has(draft.device)) context.report(['network', 'nics', index, 'device'], `device ${draft.device} is used by two NICs`);
    devices.add(draft.device);
  });
  return drafts.filter((draft): draft is NicDraft => draft !== null);
}
