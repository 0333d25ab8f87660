// HostNetworkPlan: the fleet's `host:` section resolved — which bridges, macvlan shims and libvirt
// networks cloudseed creates, under which names and mark — and what the VMs' NICs expect to find on
// their host, so that host/ can check all of it before creating anything.
import type { Problem, SourceLocation } from '../errors.js';

export interface HostBridgePlan {
  name: string;
  /** The host's address on it in CIDR form (10.40.0.1/24), or null for none. */
  address: string | null;
}

/** A macvlan in bridge mode on `dev`, through which the host reaches its macvtap guests on `dev`. */
export interface MacvlanShimPlan {
  /** Derived from `dev`, within IFNAMSIZ: one shim per device, whichever fleet made it. */
  name: string;
  dev: string;
  /** The host's address on it in CIDR form, or null for none. */
  address: string | null;
}

export interface LibvirtNetworkPlan {
  name: string;
  /** `none`: isolated, the network XML has no `<forward>` at all. */
  forward: 'none' | 'nat';
  /** The host's address on the network's bridge, or null for a network without IP. */
  address: { address: string; prefix: number } | null;
  /** The range libvirt's dnsmasq hands out, or null for no DHCP. */
  dhcp: { start: string; end: string } | null;
}

/** One NIC that needs something on its host, and the line of the spec that says so. */
export interface HostNeedUser {
  vm: string;
  device: string;
  location: SourceLocation;
}

/** A bridge, a macvtap lower device or a libvirt network that some NICs use on one connection. */
export interface HostNeed {
  kind: 'bridge' | 'lower-device' | 'libvirt-network';
  name: string;
  /** The VMs' libvirt connection, or null for the command's default. */
  connect: string | null;
  users: HostNeedUser[];
}

export interface HostNetworkPlan {
  fleet: string;
  /** The kernel ifalias of every link this fleet creates (`cloudseed fleet=NAME`); removal checks it. */
  linkMark: string;
  bridges: (HostBridgePlan & { location: SourceLocation })[];
  shims: (MacvlanShimPlan & { location: SourceLocation })[];
  networks: (LibvirtNetworkPlan & { location: SourceLocation })[];
  needs: HostNeed[];
  /** Worth saying, stopping nothing (a shim on a device no macvtap NIC uses); not in FleetPlan.warnings, which are per VM. */
  warnings: Problem[];
}

/**
 * The part of the host network one VM's qemu.sh sets up: the `host.bridges` its NICs name (or put
 * macvtap devices on) and the shims on its macvtap devices. Kept in the VM's plan, so that a change
 * to them is a change to the VM and its qemu.sh is written again.
 */
export interface VmHostNetwork {
  linkMark: string;
  bridges: HostBridgePlan[];
  shims: MacvlanShimPlan[];
}
