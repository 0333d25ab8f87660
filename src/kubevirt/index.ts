export { checkKubevirtFleet, kubevirtVmPlan, type KubevirtCheck } from './check-kubevirt.js';
export { kubevirtFleetFiles, kubevirtVmFiles, maxSecretBytes, vmManifestName } from './kubevirt-files.js';
export { vmManifestFileName, kustomizationFileName, networksFileName } from './fleet-manifests.js';
export { fleetLabel, vmLabel, kubevirtFolderName } from './kubevirt-names.js';
export { inlineCloudInitLimit, vmManifests } from './vm-manifests.js';
