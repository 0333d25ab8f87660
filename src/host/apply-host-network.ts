// `up` and `down`/`destroy` on the host side: the fleet's bridges, then the shims that may sit on them,
// then its libvirt networks; removed in the opposite order. Each step reads the state first, so a run
// repeated, or run after one that was killed, does only what is missing.
import type { HostNetworkPlan } from '../plan/index.js';
import { checkHostNetwork } from './check-host-network.js';
import { desiredBridge, desiredShim } from './desired-links.js';
import type { HostAction } from './host-action.js';
import { applyLink, removeLink } from './host-links.js';
import { hostReach, type HostNetworkOptions } from './host-options.js';
import { applyNetwork, removeNetwork } from './libvirt-networks.js';

/** Creates what is missing, after checking everything the NICs need (HOST_UNREADY, nothing changed). */
export async function applyHostNetwork(plan: HostNetworkPlan, options: HostNetworkOptions = {}): Promise<HostAction[]> {
  await checkHostNetwork(plan, options);
  const { ip, connection } = hostReach(options);
  const context = { ip, mark: plan.linkMark };
  const actions: HostAction[] = [];
  for (const bridge of plan.bridges) actions.push(await applyLink(context, desiredBridge(bridge)));
  for (const shim of plan.shims) actions.push(await applyLink(context, desiredShim(shim)));
  for (const network of plan.networks) actions.push(await applyNetwork(connection, network, plan.fleet));
  return actions;
}

/** Removes what this fleet made and nothing uses any more; leaves everything else as it is. */
export async function removeHostNetwork(plan: HostNetworkPlan, options: HostNetworkOptions = {}): Promise<HostAction[]> {
  const { ip, connection } = hostReach(options);
  const context = { ip, mark: plan.linkMark };
  const actions: HostAction[] = [];
  for (const shim of plan.shims) actions.push(await removeLink(context, desiredShim(shim)));
  for (const bridge of plan.bridges) actions.push(await removeLink(context, desiredBridge(bridge)));
  for (const network of plan.networks) actions.push(await removeNetwork(connection, network, plan.fleet));
  return actions;
}
