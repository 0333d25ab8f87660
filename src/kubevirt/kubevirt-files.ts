// The files a KubeVirt build writes: per VM its documents and its manifests, for the fleet a folder
// that `kubectl apply -k` takes whole.
import { CloudseedError } from '../errors.js';
import type { FleetPlan, VmPlan } from '../plan/types.js';
import { renderCloudInit, type CloudInitDocuments } from '../render/index.js';
import type { OutputFile } from '../output/stage-generation.js';
import { seedFilesOf } from '../output/build-vm.js';
import { kubevirtVmPlan } from './check-kubevirt.js';
import { kustomizationFileName, kustomizationManifest, networksFileName, networksManifest } from './fleet-manifests.js';
import { vmManifests } from './vm-manifests.js';

/** The file in each VM's folder that holds its VirtualMachine (and Secret). */
export const vmManifestName = 'kubevirt.yaml';
/** Kubernetes' limit on a Secret's data (MaxSecretSize in k8s.io/kubernetes pkg/apis/core/validation). */
export const maxSecretBytes = 1024 * 1024;

export interface KubevirtVm {
  documents: CloudInitDocuments;
  files: OutputFile[];
}

/**
 * Renders the VM as KubeVirt runs it and makes its files; `where` locates the VM in the spec for the
 * one error left to find here, a Secret too large for Kubernetes.
 */
export function kubevirtVmFiles(vm: VmPlan, namespace: string | null, where: () => CloudseedError['location']): KubevirtVm {
  const clusterVm = kubevirtVmPlan(vm);
  const documents = renderCloudInit(clusterVm);
  const manifests = vmManifests(clusterVm, documents, { namespace });
  if (manifests.secretDataBytes > maxSecretBytes) {
    const location = where();
    throw new CloudseedError('SPEC_INVALID', `VM ${vm.name}'s user-data and network-config make a Secret of ${manifests.secretDataBytes} bytes, and Kubernetes keeps at most ${maxSecretBytes} (1 MiB) in one`, {
      location: location ?? undefined,
      hint: 'move large files out of writeFiles: fetch them at boot, or put them in the image',
    });
  }
  // The seed's files with the seed's modes, less meta-data, which KubeVirt writes itself.
  const cloudInitFiles = seedFilesOf(documents).filter((file) => file.path !== 'meta-data');
  return {
    documents,
    files: [
      ...cloudInitFiles.map((file) => ({ name: file.path, bytes: file.bytes, mode: file.mode })),
      { name: vmManifestName, bytes: manifests.text, mode: manifests.secretDataBytes > 0 ? 0o600 : 0o644 },
    ],
  };
}

/** kustomization.yaml and the NetworkAttachmentDefinitions, for the VMs of the plan. */
export function kubevirtFleetFiles(plan: Pick<FleetPlan, 'fleet' | 'vms'>, namespace: string | null): OutputFile[] {
  const networks = networksManifest(plan.fleet, plan.vms);
  const kustomization = kustomizationManifest(plan, { namespace, vmNames: plan.vms.map((vm) => vm.name), hasNetworks: networks !== null });
  return [
    { name: kustomizationFileName, bytes: kustomization, mode: 0o644 },
    ...(networks === null ? [] : [{ name: networksFileName, bytes: networks, mode: 0o644 }]),
  ];
}
