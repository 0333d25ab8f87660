// What a KubeVirt build writes once for the fleet: the NetworkAttachmentDefinitions its bridge and
// macvtap NICs use, and the kustomization.yaml that `kubectl apply -k` reads.
import type { FleetPlan, VmPlan } from '../plan/types.js';
import { clusterNetworkOf, fleetLabel, type ClusterNetwork } from './kubevirt-names.js';
import { manifestYaml } from './manifest-yaml.js';

export const networksFileName = 'networks.yaml';
export const kustomizationFileName = 'kustomization.yaml';

export function vmManifestFileName(vmName: string): string {
  return `${vmName}.yaml`;
}

/**
 * A CNI configuration without IPAM: the guest keeps the addresses cloudseed's network-config gives
 * it, exactly as on libvirt, instead of the cluster handing out others.
 */
function cniConfig(network: Exclude<ClusterNetwork, { kind: 'pod' | 'none' }>): string {
  const config = network.kind === 'bridge'
    ? { cniVersion: '0.3.1', name: network.attachment, type: 'bridge', bridge: network.bridge, ipam: {} }
    : { cniVersion: '0.3.1', name: network.attachment, type: 'macvtap' };
  return JSON.stringify(config);
}

function attachmentOf(fleet: string, network: Exclude<ClusterNetwork, { kind: 'pod' | 'none' }>): object {
  // macvtap-cni's device plugin hands out the host interface; Multus asks for it by this resource name.
  const annotations = network.kind === 'macvtap' ? { annotations: { 'k8s.v1.cni.cncf.io/resourceName': `macvtap.network.kubevirt.io/${network.resource}` } } : {};
  return {
    apiVersion: 'k8s.cni.cncf.io/v1',
    kind: 'NetworkAttachmentDefinition',
    metadata: { name: network.attachment, labels: { [fleetLabel]: fleet }, ...annotations },
    spec: { config: cniConfig(network) },
  };
}

/** The fleet's NetworkAttachmentDefinitions, one per bridge and macvtap resource, by name; null when no NIC needs one. */
export function networksManifest(fleet: string, vms: readonly VmPlan[]): string | null {
  const byName = new Map<string, object>();
  for (const nic of vms.flatMap((vm) => vm.network.nics)) {
    const network = clusterNetworkOf(nic.host);
    if (network.kind === 'pod' || network.kind === 'none' || byName.has(network.attachment)) continue;
    byName.set(network.attachment, attachmentOf(fleet, network));
  }
  if (byName.size === 0) return null;
  return manifestYaml([...byName].sort(([a], [b]) => a.localeCompare(b)).map(([, object]) => object));
}

export function kustomizationManifest(plan: Pick<FleetPlan, 'fleet'>, options: { namespace: string | null; vmNames: readonly string[]; hasNetworks: boolean }): string {
  const resources = [...(options.hasNetworks ? [networksFileName] : []), ...[...options.vmNames].sort().map(vmManifestFileName)];
  const header = [
    `# The KubeVirt fleet ${plan.fleet}, written by cloudseed build --for kubevirt. Apply with`,
    '#   kubectl apply -k DIR',
    `# and find it again with kubectl get vm -l ${fleetLabel}=${plan.fleet}. Edit the spec, not these files.`,
    '# KubeVirt writes each VM\'s meta-data itself, with its firmware UUID as instance-id: cloud-init runs',
    '# its once-per-instance modules at the first boot only, so changed user-data reaches a VM that has',
    '# booted when the VM is made anew (kubectl delete vm NAME, then apply again).',
  ];
  const body = manifestYaml([{
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    ...(options.namespace === null ? {} : { namespace: options.namespace }),
    resources,
  }]);
  return `${header.join('\n')}\n${body}`;
}
