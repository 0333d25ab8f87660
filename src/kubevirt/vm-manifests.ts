// One VM as KubeVirt objects: a VirtualMachine that boots a DataVolume imported by CDI, with the
// cloud-init documents cloudseed rendered for it as its cloudInitNoCloud volume, and a Secret holding
// those documents when they carry password hashes or are too long to be inline.
import type { KubevirtDiskSource, NicPlan, VmPlan } from '../plan/types.js';
import type { CloudInitDocuments } from '../render/index.js';
import { cloudInitSecretName, clusterNetworkOf, rootVolumeName, vmLabels } from './kubevirt-names.js';
import { manifestYaml } from './manifest-yaml.js';

/**
 * KubeVirt refuses inline userData or networkData longer than this: cloudInitUserMaxLen and
 * cloudInitNetworkMaxLen in pkg/virt-api/webhooks/validating-webhook/admitters/vmi-create-admitter.go
 * (kubevirt/kubevirt v1.9.0). Longer documents must come from a Secret.
 */
export const inlineCloudInitLimit = 2048;

/** What a KubeVirt build writes for one VM. */
export interface VmManifests {
  /** The VirtualMachine, and its Secret when it has one, as one YAML stream. */
  text: string;
  /** Bytes of the Secret's data, which Kubernetes limits to 1 MiB; 0 without a Secret. */
  secretDataBytes: number;
}

export interface VmManifestOptions {
  /** The fleet's namespace, for a PVC to clone named without one; null when there is none. */
  namespace: string | null;
}

/** KubeVirt's architecture names for the ones libvirt and QEMU call otherwise. */
export const kubevirtArchitectures: Record<string, string> = { x86_64: 'amd64', aarch64: 'arm64', s390x: 's390x' };

function usesSecret(vm: VmPlan, documents: CloudInitDocuments): boolean {
  const hasPassword = vm.users.some((user) => user.password !== null) || (vm.chpasswd?.entries.length ?? 0) > 0;
  const byteLength = (text: string) => Buffer.byteLength(text);
  return hasPassword || byteLength(documents.userData) > inlineCloudInitLimit || byteLength(documents.networkConfig) > inlineCloudInitLimit;
}

function diskSource(source: KubevirtDiskSource, namespace: string | null): object {
  switch (source.kind) {
    case 'http':
      return { http: { url: source.url } };
    case 'registry':
      return { registry: { url: source.url } };
    case 'pvc':
      return { pvc: { namespace: source.namespace ?? namespace, name: source.name } };
  }
}

/** A quantity Kubernetes reads exactly: the largest binary unit that divides the size. */
export function storageQuantity(bytes: number): string {
  for (const [unit, size] of [['Ti', 2 ** 40], ['Gi', 2 ** 30], ['Mi', 2 ** 20], ['Ki', 2 ** 10]] as const) {
    if (bytes % size === 0) return `${bytes / size}${unit}`;
  }
  return String(bytes);
}

function interfaceOf(nic: NicPlan): object {
  const network = clusterNetworkOf(nic.host);
  const binding = network.kind === 'pod' ? { masquerade: {} } : network.kind === 'bridge' ? { bridge: {} } : { binding: { name: 'macvtap' } };
  return { name: nic.device, macAddress: nic.macAddress, model: nic.model, ...binding };
}

function networkOf(nic: NicPlan): object {
  const network = clusterNetworkOf(nic.host);
  if (network.kind === 'pod') return { name: nic.device, pod: {} };
  if (network.kind === 'none') throw new Error(`NIC ${nic.device} has no KubeVirt network; check-kubevirt refuses it`);
  return { name: nic.device, multus: { networkName: network.attachment } };
}

export function vmManifests(vm: VmPlan, documents: CloudInitDocuments, options: VmManifestOptions): VmManifests {
  const labels = vmLabels(vm);
  const rootDisk = vm.kubevirt.rootDisk;
  if (rootDisk === null || rootDisk.sizeBytes === null) throw new Error(`VM ${vm.name} has no KubeVirt root disk; check-kubevirt refuses it`);
  const secret = usesSecret(vm, documents);
  const secretName = cloudInitSecretName(vm.name);
  const cloudInit = secret
    ? { secretRef: { name: secretName }, networkDataSecretRef: { name: secretName } }
    : { userData: documents.userData, networkData: documents.networkConfig };
  const seedDisk = vm.domain.seedAttach?.device === 'cdrom' ? { cdrom: { bus: 'sata' } } : { disk: { bus: 'virtio' } };
  const architecture = kubevirtArchitectures[vm.domain.arch];
  const virtualMachine = {
    apiVersion: 'kubevirt.io/v1',
    kind: 'VirtualMachine',
    metadata: { name: vm.name, labels },
    spec: {
      runStrategy: vm.kubevirt.runStrategy,
      dataVolumeTemplates: [{
        metadata: { name: rootVolumeName(vm.name), labels },
        spec: {
          source: diskSource(rootDisk.source, options.namespace),
          storage: {
            resources: { requests: { storage: storageQuantity(rootDisk.sizeBytes) } },
            ...(rootDisk.storageClass === null ? {} : { storageClassName: rootDisk.storageClass }),
          },
        },
      }],
      template: {
        metadata: { labels },
        spec: {
          ...(architecture === 'amd64' ? {} : { architecture }),
          ...(vm.hostname === vm.name ? {} : { hostname: vm.hostname }),
          domain: {
            cpu: { sockets: vm.domain.vcpus, cores: 1, threads: 1 },
            memory: { guest: `${vm.domain.memoryMiB}Mi` },
            ...(vm.domain.machine === null ? {} : { machine: { type: vm.domain.machine } }),
            // KubeVirt makes the seed's meta-data itself, with the firmware UUID as instance-id: the
            // libvirt domain's UUID, so the VM keeps one identity on both platforms.
            firmware: { uuid: vm.uuid },
            devices: {
              disks: [{ name: 'rootdisk', disk: { bus: 'virtio' } }, { name: 'cloudinitdisk', ...seedDisk }],
              interfaces: vm.network.nics.map(interfaceOf),
              // Without NICs in the spec the guest gets none, as on libvirt, rather than KubeVirt's default pod NIC.
              ...(vm.network.nics.length === 0 ? { autoattachPodInterface: false } : {}),
            },
          },
          networks: vm.network.nics.map(networkOf),
          volumes: [
            { name: 'rootdisk', dataVolume: { name: rootVolumeName(vm.name) } },
            { name: 'cloudinitdisk', cloudInitNoCloud: cloudInit },
          ],
        },
      },
    },
  };
  if (!secret) return { text: manifestYaml([virtualMachine]), secretDataBytes: 0 };
  const data = { userdata: documents.userData, networkdata: documents.networkConfig };
  const secretObject = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: secretName, labels },
    type: 'Opaque',
    // Base64, not stringData: the documents reach the guest byte for byte, whatever YAML would make of them.
    data: Object.fromEntries(Object.entries(data).map(([key, text]) => [key, Buffer.from(text).toString('base64')])),
  };
  const secretDataBytes = Object.values(data).reduce((sum, text) => sum + Buffer.byteLength(text), 0);
  return { text: manifestYaml([secretObject, virtualMachine]), secretDataBytes };
}
