// The names a KubeVirt build gives its objects, and the labels that find them again. Kept in one
// place: the VirtualMachine refers to its Secret, DataVolume and networks by these names.
import { isKubernetesLabelName } from '../spec/formats.js';
import type { HostLink, VmPlan } from '../plan/types.js';

export const fleetLabel = 'cloudseed.io/fleet';
export const vmLabel = 'cloudseed.io/vm';
export { kubevirtFolderName } from '../output/output-layout.js';

/** A label value: at most 63 characters, alphanumerics with `-`, `_` and `.` inside (Kubernetes' rule). */
export function isLabelValue(text: string): boolean {
  return text.length <= 63 && /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/.test(text);
}

export function vmLabels(vm: Pick<VmPlan, 'fleet' | 'name'>): Record<string, string> {
  return { [fleetLabel]: vm.fleet, [vmLabel]: vm.name };
}

export function cloudInitSecretName(vmName: string): string {
  return `${vmName}-cloud-init`;
}

export function rootVolumeName(vmName: string): string {
  return `${vmName}-root`;
}

/** How a NIC reaches the guest on KubeVirt: the pod network, or a Multus network of the fleet's. */
export type ClusterNetwork =
  | { kind: 'pod' }
  | { kind: 'bridge'; attachment: string; bridge: string }
  | { kind: 'macvtap'; attachment: string; dev: string; mode: string; resource: string }
  | { kind: 'none' };

/**
 * The cluster network of a NIC's host link; `none` for a tap device the host makes (`ethernet`),
 * which has no KubeVirt equivalent. Attachment names are made from the host's names, so every VM on
 * bridge br0 shares one NetworkAttachmentDefinition.
 */
export function clusterNetworkOf(host: HostLink): ClusterNetwork {
  switch (host.type) {
    case 'user':
    case 'network':
      return { kind: 'pod' };
    case 'bridge':
      return { kind: 'bridge', attachment: `bridge-${host.bridge}`, bridge: host.bridge };
    case 'direct': {
      // macvtap-cni's device plugin offers each host interface as a resource in bridge mode; another
      // mode is a resource of its own that its configuration (DP_MACVTAP_CONF) must define.
      const resource = host.mode === 'bridge' ? host.dev : `${host.dev}-${host.mode}`;
      return { kind: 'macvtap', attachment: `macvtap-${resource}`, dev: host.dev, mode: host.mode, resource };
    }
    case 'ethernet':
      return { kind: 'none' };
  }
}

/** Whether `name` may name a NetworkAttachmentDefinition that a VM's network refers to. */
export function isAttachmentName(name: string): boolean {
  return isKubernetesLabelName(name);
}
