// The two kinds of link cloudseed makes on its host, as applyLink and removeLink take them: how each is
// added, how an existing one is recognised, and what counts as still using it.
import type { HostBridgePlan, MacvlanShimPlan } from '../plan/index.js';
import type { DesiredLink } from './host-links.js';
import type { LinkState } from './ip-command.js';

function kindOf(link: LinkState): string {
  return link.kind === null ? 'a device' : `a ${link.kind}`;
}

export function desiredBridge(bridge: HostBridgePlan): DesiredLink {
  return {
    object: 'bridge',
    name: bridge.name,
    address: bridge.address,
    addArguments: ['type', 'bridge'],
    shapeProblem: (link) => (link.kind === 'bridge' ? null : `it is ${kindOf(link)}, not a bridge`),
    // Its ports (libvirt's vnetN, qemu-bridge-helper's taps) and macvlans or macvtaps on it.
    usersOf: (link, links) => [...links.values()].filter((other) => other.master === link.name || other.lower === link.name).map((other) => other.name),
  };
}

export function desiredShim(shim: MacvlanShimPlan): DesiredLink {
  return {
    object: 'shim',
    name: shim.name,
    address: shim.address,
    addArguments: ['link', shim.dev, 'type', 'macvlan', 'mode', 'bridge'],
    shapeProblem: (link) => {
      if (link.kind !== 'macvlan') return `it is ${kindOf(link)}, not a macvlan`;
      if (link.lower !== shim.dev) return `it sits on ${link.lower ?? 'no device'}, not on ${shim.dev}`;
      return link.macvlanMode === 'bridge' ? null : `its mode is ${link.macvlanMode ?? 'unknown'}, not bridge`;
    },
    // The guests the host reaches through it: macvtap devices on the same lower device.
    usersOf: (_link, links) => [...links.values()].filter((other) => other.kind === 'macvtap' && other.lower === shim.dev).map((other) => other.name),
  };
}
