// host/: the host side of the fleet's networking that `up` creates and `down`/`destroy` remove — bridges
// and macvlan shims on this machine, libvirt networks on a connection — touching only what cloudseed made.
export { applyHostNetwork, removeHostNetwork } from './apply-host-network.js';
export { checkHostNetwork, hostNetworkProblems } from './check-host-network.js';
export type { HostAction, HostObjectKind } from './host-action.js';
export type { HostNetworkOptions } from './host-options.js';
export type { IpCommand } from './ip-command.js';
export { renderLibvirtNetworkXml } from './libvirt-network-xml.js';
