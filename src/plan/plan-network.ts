// Each NIC of one VM, checked and resolved except for what needs the whole fleet (pool addresses and
// derived MACs), which plan-fleet allocates afterwards.
import type { NicSpec, PoolSpec } from '../spec/schema.js';
import type { FieldPath } from '../spec/source-map.js';
import { formatIpv4, hostRange, parseIpv4, parseIpv4Cidr, subnetContains, type Subnet } from '../spec/ipv4.js';
import { normalizeMac } from '../spec/formats.js';
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

type Report = (fieldPath: FieldPath, message: string) => void;

/**
 * The network and broadcast addresses of a subnet (none for /31 and /32, RFC 3021): no NIC can hold
 * one, and a gateway there is never answered.
 */
function isReservedAddress(subnet: Subnet, address: number): boolean {
  const { first, last } = hostRange(subnet);
  return subnetContains(subnet, address) && (address < first || address > last);
}

function describeSubnet(subnet: Subnet): string {
  return `${subnet.network}/${subnet.prefix}`;
}

function hostAddresses(subnet: Subnet): string {
  const { first, last } = hostRange(subnet);
  return `${formatIpv4(first)}-${formatIpv4(last)}`;
}

export function planPool(name: string, pool: PoolSpec, report: Report): PoolPlan {
  const subnet = parseIpv4Cidr(pool.cidr)!.subnet;
  let { first, last } = hostRange(subnet);
  if (pool.range !== undefined) {
    [first, last] = pool.range.split('-').map((part) => parseIpv4(part.trim())!) as [number, number];
    if (!subnetContains(subnet, first) || !subnetContains(subnet, last)) {
      report(['range'], `range ${pool.range} is outside the pool's subnet ${pool.cidr}`);
    } else if (isReservedAddress(subnet, first) || isReservedAddress(subnet, last)) {
      report(['range'], `range ${pool.range} includes the network or broadcast address of ${describeSubnet(subnet)}; expected a range within ${hostAddresses(subnet)}`);
    }
  }
  const gateway = pool.gateway ?? null;
  if (gateway !== null && !subnetContains(subnet, parseIpv4(gateway)!)) {
    report(['gateway'], `gateway ${gateway} is outside the pool's subnet ${subnet.network}/${subnet.prefix}`);
  } else if (gateway !== null && isReservedAddress(subnet, parseIpv4(gateway)!)) {
    report(['gateway'], `gateway ${gateway} is the network or broadcast address of ${describeSubnet(subnet)}; expected a host address in ${hostAddresses(subnet)}`);
  }
  return { name, subnet, first, last, gateway, dnsServers: pool.dns?.servers ?? [], dnsSearch: pool.dns?.search ?? [] };
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
    report([...fieldPath, 'address'], `"${nic.address}" needs its prefix length, e.g. ${nic.address}/24 (or name a pool)`);
    return null;
  }
  const { subnet, address } = cidr;
  if (isReservedAddress(subnet, address)) {
    report([...fieldPath, 'address'], `${nic.address} is the network or broadcast address of its subnet; expected a host address in ${hostAddresses(subnet)}`);
  }
  return { kind: 'static', address: formatIpv4(address), ...subnet };
}

/** `pool: lan` with `address: 10.0.0.50` pins one address of the pool's subnet. */
function pinPoolAddress(text: string, pool: PoolPlan, fieldPath: FieldPath, report: Report): Addressing | null {
  const address = parseIpv4(text.replace(/\/\d+$/, ''))!;
  if (!subnetContains(pool.subnet, address)) {
    report(fieldPath, `address ${text} is outside its subnet ${pool.subnet.network}/${pool.subnet.prefix} (pool ${pool.name})`);
    return null;
  }
  if (isReservedAddress(pool.subnet, address)) {
    report(fieldPath, `address ${text} is the network or broadcast address of pool ${pool.name}'s subnet; expected a host address in ${hostAddresses(pool.subnet)}`);
    return null;
  }
  return { kind: 'static', address: formatIpv4(address), ...pool.subnet };
}

function subnetOf(addressing: NicDraft['addressing']): Subnet | null {
  if (addressing.kind === 'static') return addressing;
  if (addressing.kind === 'pool') return addressing.pool.subnet;
  return null;
}

/**
 * Each route is rendered on its own NIC (v2 `routes`, v1 subnet routes, `route-<dev>`), so the kernel
 * adds it with `dev <nic>` and refuses a next hop outside that NIC's subnet ("Nexthop has invalid
 * gateway"). A DHCP NIC's subnet is not known until boot, so its routes are taken on trust.
 */
function planRoutes(nic: NicSpec, subnet: Subnet | null, fieldPath: FieldPath, report: Report): RoutePlan[] {
  return (nic.routes ?? []).map((route, index) => {
    const destination = parseIpv4Cidr(route.to === 'default' ? '0.0.0.0/0' : route.to)!;
    if (subnet !== null && !subnetContains(subnet, parseIpv4(route.via)!)) {
      report([...fieldPath, 'routes', index, 'via'], `gateway ${route.via} is unreachable: expected an address on this NIC's subnet ${describeSubnet(subnet)}`);
    }
    return { ...destination.subnet, via: route.via, metric: route.metric ?? null };
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
  // A pool's own gateway was checked against the pool's subnet once, in planPool.
  if (gateway === null || nic.gateway === undefined) return gateway;
  const subnet = subnetOf(addressing);
  const value = parseIpv4(gateway)!;
  if (subnet && !subnetContains(subnet, value)) {
    report([...fieldPath, 'gateway'], `gateway ${gateway} is outside the NIC's subnet ${subnet.network}/${subnet.prefix}`);
  } else if (subnet && isReservedAddress(subnet, value)) {
    report([...fieldPath, 'gateway'], `gateway ${gateway} is the network or broadcast address of ${describeSubnet(subnet)}; expected another host in ${hostAddresses(subnet)}`);
  } else if (addressing.kind === 'static' && addressing.address === gateway) {
    report([...fieldPath, 'gateway'], `gateway ${gateway} is the NIC's own address; expected another host on ${describeSubnet(addressing)}, such as the router`);
  } else if (addressing.kind === 'dhcp') {
    report([...fieldPath, 'gateway'], 'a gateway is only for static addresses; DHCP supplies its own');
  }
  return gateway;
}

function planNic(context: VmContext, nic: NicSpec, index: number, pools: Map<string, PoolPlan>): NicDraft | null {
  const fieldPath: FieldPath = ['network', 'nics', index];
  const report = context.report;
  const device = nic.device ?? `eth${index}`;
  const macAddress = nic.mac === undefined ? null : normalizeMac(nic.mac);
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
    dnsServers: nic.dns?.servers ?? pool?.dnsServers ?? [],
    dnsSearch: nic.dns?.search ?? pool?.dnsSearch ?? [],
    routes: planRoutes(nic, subnetOf(addressing), fieldPath, report),
    mtu: nic.mtu ?? null,
    host,
    model,
    vhost: nic.vhost ?? (model === 'virtio' && host.type !== 'user'),
    fieldPath,
  };
}

/** Where a NIC's default routes were set, by metric (a gateway has none): `gateway`, its pool's, or a route. */
function defaultRoutes(nic: NicSpec, draft: NicDraft, fieldPath: FieldPath): Map<number | null, FieldPath> {
  const found = new Map<number | null, FieldPath>();
  if (draft.gateway !== null) found.set(null, [...fieldPath, nic.gateway === undefined ? 'pool' : 'gateway']);
  draft.routes.forEach((route, index) => {
    if (route.prefix === 0 && !found.has(route.metric)) found.set(route.metric, [...fieldPath, 'routes', index, 'to']);
  });
  return found;
}

/**
 * Two default routes with one metric on two NICs: the kernel keeps one and refuses the other (netplan
 * warns of "conflicting default route declarations"), so which NIC carries traffic is left to chance.
 */
function checkDefaultRoutes(context: VmContext, nics: NicSpec[], drafts: (NicDraft | null)[]): void {
  const holders = new Map<number | null, string>();
  drafts.forEach((draft, index) => {
    if (!draft) return;
    for (const [metric, fieldPath] of defaultRoutes(nics[index]!, draft, ['network', 'nics', index])) {
      const holder = holders.get(metric);
      const which = metric === null ? 'a default gateway' : `a default route with metric ${metric}`;
      if (holder !== undefined) {
        context.report(fieldPath, `${draft.device} and ${holder} both carry ${which}; expected one default per metric (drop one, or give it a route to default with another metric)`);
      } else holders.set(metric, draft.device);
    }
  });
}

/**
 * cloud-init before 23.3 reads a v2 route's `to` and `via` but not its `metric`, so every renderer but
 * netplan (which gets the v2 document as it is) adds the route without one; v1 subnet routes have
 * carried their metric to every renderer since 18.5. The seed is right either way: only the guest
 * can lose it, and only the user knows which guest runs the seed.
 */
function warnOfV2Metrics(context: VmContext, drafts: (NicDraft | null)[]): void {
  if ((context.vm.network?.config ?? 'v2') !== 'v2') return;
  for (const draft of drafts) {
    if (draft?.routes.some((route) => route.metric !== null)) {
      context.warn(`${draft.device}: cloud-init before 23.3 drops the metric of a network-config v2 route unless netplan renders it (Ubuntu, Debian 12 and later); network.config v1 keeps metrics on every release`);
    }
  }
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
  checkDefaultRoutes(context, nics, drafts);
  warnOfV2Metrics(context, drafts);
  return drafts.filter((draft): draft is NicDraft => draft !== null);
}
