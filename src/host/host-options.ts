// How host/ reaches the host: the `ip` command (a prefix, so tests can work inside a network namespace)
// for bridges and shims on this machine, and a libvirt connection for the networks.
import { connectionOf, defaultUri, type Connection } from './virsh.js';
import { defaultIpCommand, type IpCommand } from './ip-command.js';

export interface HostNetworkOptions {
  /** The `ip` command and its leading arguments; default `['ip']`, e.g. `['ip', '-n', 'ns']` in a namespace. */
  ip?: IpCommand;
  /** The libvirt URI host.networks are defined on, and that of VMs whose spec names none; default qemu:///system. */
  connect?: string;
}

export interface HostReach {
  ip: IpCommand;
  connection: Connection;
}

export function hostReach(options: HostNetworkOptions): HostReach {
  return { ip: options.ip ?? defaultIpCommand, connection: connectionOf(options.connect ?? defaultUri) };
}
