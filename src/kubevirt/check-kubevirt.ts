// Whether a fleet can be built for KubeVirt, field by field: what has no equivalent there is an error
// when the VM could not run as the spec means it, and a warning when KubeVirt just does it its own
// way. Nothing of the spec is dropped without one or the other. Also the one change the platform
// forces on the documents: a NIC on the pod network takes its address by DHCP.
import { problemsError, type Problem } from '../errors.js';
import { originOf, mergeVmSettings } from '../plan/merge-defaults.js';
import type { FleetPlan, NicPlan, PlanWarning, VmPlan } from '../plan/types.js';
import { isKubernetesLabelName } from '../spec/formats.js';
import type { FleetSpec } from '../spec/load-spec.js';
import { hasFieldPath } from '../spec/merge-settings.js';
import type { FieldPath } from '../spec/source-map.js';
import { kubevirtFolderName } from '../output/output-layout.js';
import { clusterNetworkOf, isAttachmentName, isLabelValue } from './kubevirt-names.js';
import { kubevirtArchitectures } from './vm-manifests.js';

/** KubeVirt's NIC models (kubevirt.io/v1 Interface.model). */
const kubevirtNicModels = new Set(['e1000', 'e1000e', 'igb', 'ne2k_pci', 'pcnet', 'rtl8139', 'virtio']);
/** KubeVirt's rule for interface and network names (pkg/network/admitter/netiface.go). */
const interfaceNamePattern = /^[A-Za-z0-9_-]+$/;

/** Settings only a libvirt host reads, each with what KubeVirt does instead. */
const libvirtOnlyFields: [FieldPath, string][] = [
  [['connect'], 'KubeVirt places the VM on a node of the cluster `kubectl` reaches'],
  [['storagePool'], 'CDI puts the root disk in a PersistentVolumeClaim'],
  [['domain', 'type'], 'KubeVirt uses KVM, or emulation when its configuration allows it'],
  [['domain', 'emulator'], 'KubeVirt runs its own QEMU'],
  [['domain', 'smbiosNoCloud'], 'KubeVirt attaches the NoCloud disk itself'],
  [['domain', 'statusChannel'], 'a KubeVirt VM has one serial port; read cloud-init\'s result with virtctl console or the guest agent'],
  [['domain', 'serialConsole'], 'a KubeVirt VM always has a serial console (virtctl console)'],
  [['seed'], 'KubeVirt makes the NoCloud disk itself from the same documents'],
];

export interface KubevirtCheck {
  warnings: PlanWarning[];
  /** Fleet-wide warnings. */
  fleetWarnings: string[];
}

/**
 * Refuses (SPEC_INVALID, every problem at its line) what KubeVirt cannot run as the spec means it, and
 * returns the warnings for what it does its own way. `namespace` is the build's (--namespace, or the spec's).
 */
export function checkKubevirtFleet(spec: FleetSpec, plan: FleetPlan, namespace: string | null): KubevirtCheck {
  const problems: Problem[] = [];
  const warnings: PlanWarning[] = [];
  const fleetWarnings: string[] = [];
  const seen = new Set<string>();
  const fleetProblem = (path: FieldPath, message: string) => problems.push({ location: spec.source.locate(path), message });
  if (!isLabelValue(plan.fleet)) {
    const where: FieldPath = spec.input.fleet === undefined ? [] : ['fleet'];
    fleetProblem(where, `the fleet's name ${JSON.stringify(plan.fleet)} labels every object (cloudseed.io/fleet), and a label value is at most 63 letters, digits, -, _ and . (set fleet:)`);
  }
  if (spec.input.host !== undefined) {
    fleetWarnings.push('host: bridges, shims and libvirt networks are made on libvirt hosts only; on KubeVirt the bridge CNI makes a NIC\'s bridge on the node, and macvtap-cni needs its lower device there');
  }
  plan.vms.forEach((vm, index) => {
    const settings = mergeVmSettings(spec, spec.input.vms[index]!);
    const report = (path: FieldPath, message: string) => {
      const location = spec.source.locate(originOf(spec, index, path));
      const key = `${location.line}:${location.column}:${message}`;
      if (seen.has(key)) return;
      seen.add(key);
      problems.push({ location, message });
    };
    const warn = (message: string) => warnings.push({ vm: vm.name, message });
    checkVmName(vm, report);
    checkRootDisk(vm, namespace, report);
    checkAccounts(vm, settings.passwordStorage, report);
    checkDomain(vm, report);
    checkNics(vm, report, warn, (path) => hasFieldPath(settings, path));
    for (const [path, instead] of libvirtOnlyFields) {
      if (hasFieldPath(settings, path)) warn(`${path.join('.')} is for libvirt and not used on KubeVirt: ${instead}`);
    }
    if (vm.pinnedInstanceId !== null) {
      warn(`instanceId ${vm.pinnedInstanceId} is not used on KubeVirt, which writes the meta-data itself: its instance-id is the VM's firmware UUID ${vm.uuid}, the same for the VM's whole life`);
    }
  });
  if (problems.length > 0) throw problemsError(problems, `${spec.source.file} cannot be built for KubeVirt: it`);
  return { warnings, fleetWarnings };
}

type Report = (path: FieldPath, message: string) => void;

function checkVmName(vm: VmPlan, report: Report): void {
  if (!isKubernetesLabelName(vm.name)) {
    report(['name'], `"${vm.name}" cannot name a KubeVirt VirtualMachine: expected at most 63 lower-case letters, digits and inner hyphens (RFC 1123), as its pod's hostname needs`);
  } else if (vm.name === kubevirtFolderName) {
    report(['name'], `a VM named "${kubevirtFolderName}" would share its folder with the fleet's manifests (OUT/${kubevirtFolderName}/); rename it`);
  }
  if (vm.hostname !== vm.name && !isKubernetesLabelName(vm.hostname)) {
    report(['hostname'], `"${vm.hostname}" cannot be a KubeVirt VM's hostname: expected one lower-case DNS label (RFC 1123); put the domain in fqdn`);
  }
}

function checkRootDisk(vm: VmPlan, namespace: string | null, report: Report): void {
  const rootDisk = vm.kubevirt.rootDisk;
  if (rootDisk === null) {
    report(['kubevirt', 'rootDisk'], 'a KubeVirt VM boots a DataVolume, and domain.rootDisk is a file on a libvirt host: give kubevirt.rootDisk one of http: URL, registry: docker://IMAGE or pvc: [NAMESPACE/]NAME to import or clone it from');
    return;
  }
  if (rootDisk.sizeBytes === null) report(['kubevirt', 'rootDisk'], 'the DataVolume needs a size: give kubevirt.rootDisk.size or domain.rootDisk.size (such as 20G)');
  if (rootDisk.source.kind === 'pvc' && rootDisk.source.namespace === null && namespace === null) {
    report(['kubevirt', 'rootDisk', 'pvc'], 'a PVC to clone needs its namespace: write NAMESPACE/NAME, or give the fleet one (kubevirt.namespace or --namespace)');
  }
}

function checkAccounts(vm: VmPlan, passwordStorage: string | undefined, report: Report): void {
  const plaintext = vm.users.some((user) => user.password?.kind === 'text') || (vm.chpasswd?.entries.some((entry) => entry.password.kind === 'text') ?? false);
  if (plaintext || passwordStorage === 'plaintext') {
    report(['passwordStorage'], 'KubeVirt manifests never carry a plaintext password (a Secret is only base64): use passwordStorage: hashed, which cloud-init 0.7.7 and later read');
  }
}

function checkDomain(vm: VmPlan, report: Report): void {
  if (vm.domain.kernelBoot !== null) {
    report(['domain', 'kernelBoot'], 'KubeVirt boots a kernel only from a container image, not from files on a host: boot the root disk instead');
  }
  if (kubevirtArchitectures[vm.domain.arch] === undefined) {
    report(['domain', 'arch'], `KubeVirt runs ${Object.keys(kubevirtArchitectures).join(', ')} guests, not ${vm.domain.arch}`);
  }
}

function checkNics(vm: VmPlan, report: Report, warn: (message: string) => void, isSet: (path: FieldPath) => boolean): void {
  let podNic: string | null = null;
  vm.network.nics.forEach((nic, index) => {
    const at = (...path: FieldPath) => ['network', 'nics', index, ...path];
    const network = clusterNetworkOf(nic.host);
    if (!interfaceNamePattern.test(nic.device)) report(at('device'), `KubeVirt names an interface with letters, digits, - and _ only, not "${nic.device}"`);
    if (!kubevirtNicModels.has(nic.model)) report(at('model'), `KubeVirt has no NIC model ${nic.model}: expected one of ${[...kubevirtNicModels].join(', ')}`);
    if (isSet(at('vhost'))) warn(`${nic.device}: vhost is not set on KubeVirt, which uses vhost-net whenever the node has it`);
    if (network.kind === 'none') {
      report(at('host'), 'a tap device the host makes (type: ethernet) has no KubeVirt equivalent: use a bridge or direct (macvtap) NIC, which become Multus networks');
    } else if (network.kind === 'pod') {
      if (podNic !== null) report(at('host'), `KubeVirt gives a VM one pod network NIC, and ${podNic} is already on it: put this NIC on a bridge (Multus)`);
      podNic = nic.device;
      if (nic.addressing.kind === 'static') {
        warn(`${nic.device} is on the pod network, where KubeVirt (masquerade) hands the guest its address by DHCP: its static address, gateway, routes and DNS are left out of the network-config for KubeVirt`);
      }
    } else {
      if (!isAttachmentName(network.attachment)) {
        report(at('host'), `the NetworkAttachmentDefinition for this NIC would be named "${network.attachment}", which is not a Kubernetes name (lower-case letters, digits and inner hyphens, at most 63)`);
      }
      if (network.kind === 'macvtap' && network.mode !== 'bridge') {
        warn(`${nic.device}: macvtap mode ${network.mode} needs a resource "${network.resource}" (lowerDevice ${network.dev}, mode ${network.mode}) in macvtap-cni's device plugin configuration`);
      }
    }
  });
}

/** The VM as KubeVirt runs it: a NIC on the pod network takes the address KubeVirt's DHCP gives it. */
export function kubevirtVmPlan(vm: VmPlan): VmPlan {
  if (!vm.network.nics.some((nic) => clusterNetworkOf(nic.host).kind === 'pod' && nic.addressing.kind === 'static')) return vm;
  const podNic = (nic: NicPlan): NicPlan => ({ ...nic, addressing: { kind: 'dhcp' }, gateway: null, routes: [], dnsServers: [], dnsSearch: [] });
  const nics = vm.network.nics.map((nic) => (clusterNetworkOf(nic.host).kind === 'pod' && nic.addressing.kind === 'static' ? podNic(nic) : nic));
  return { ...vm, network: { ...vm.network, nics } };
}
