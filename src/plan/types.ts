// VmPlan: one VM fully resolved. No defaults are left to apply and nothing is optional that a later
// stage would have to guess; `null` always means "not wanted", never "not decided".
import type { DiskFormat, PackerChoice, SeedFilesystem, SeedFormat } from '../pack/seed-file.js';
import type { GroupSpec } from '../spec/schema.js';
import type { AllocationLock } from './allocation-lock.js';
import type { HostNetworkPlan, VmHostNetwork } from './host-network-types.js';

export type * from './host-network-types.js';

export type CloudInitTarget = 'el7' | 'current';

/** A password as it will be written: a crypt(3) hash, or plaintext when the spec asked for it. */
export type PlannedPassword = { kind: 'hash'; value: string } | { kind: 'text'; value: string };

export interface UserPlan {
  name: string;
  gecos: string | null;
  groups: string[];
  sudo: string | null;
  shell: string | null;
  sshAuthorizedKeys: string[];
  lockPassword: boolean;
  password: PlannedPassword | null;
}

export interface ChpasswdPlan {
  expire: boolean;
  entries: { name: string; password: PlannedPassword }[];
}

export interface SshPlan {
  passwordAuthentication: boolean | null;
  permitRootLogin: string | null;
  pubkeyAuthentication: boolean | null;
}

export interface WriteFilePlan {
  path: string;
  /** The text to write, or with encoding b64 the bytes in base64 (cloud-init's names for both). */
  content: string;
  encoding: 'text' | 'b64';
  permissions: string | null;
  owner: string | null;
  append: boolean;
  /** Written once users and groups exist (cloud-init 21.4's `defer`; emulated for el7). */
  defer: boolean;
}

export type Addressing =
  | { kind: 'dhcp' }
  | { kind: 'static'; address: string; prefix: number; netmask: string; network: string };

export interface RoutePlan {
  /** Destination network address and prefix, e.g. 10.1.0.0 and 16. */
  network: string;
  prefix: number;
  netmask: string;
  via: string;
  metric: number | null;
}

export type HostLink =
  | { type: 'direct'; dev: string; mode: 'bridge' | 'vepa' | 'private' | 'passthru' }
  | { type: 'bridge'; bridge: string }
  | { type: 'network'; network: string }
  | { type: 'user' }
  | { type: 'ethernet'; tap: string };

/** One NIC, the single description that network-config, ifcfg and the domain's <interface> render. */
export interface NicPlan {
  device: string;
  macAddress: string;
  addressing: Addressing;
  gateway: string | null;
  dnsServers: string[];
  dnsSearch: string[];
  routes: RoutePlan[];
  mtu: number | null;
  host: HostLink;
  model: string;
  vhost: boolean;
}

export interface NetworkPlan {
  config: 'v2' | 'v1' | 'disabled';
  ifcfg: boolean;
  nics: NicPlan[];
}

export interface SeedAttachPlan {
  device: 'disk' | 'cdrom';
  bus: 'virtio' | 'sata' | 'ide';
  target: string;
}

export interface DomainPlan {
  type: 'kvm' | 'qemu';
  memoryMiB: number;
  vcpus: number;
  arch: string;
  machine: string | null;
  emulator: string | null;
  rootDisk: RootDiskPlan;
  /** Direct kernel boot, or null to boot from the root disk. */
  kernelBoot: { kernel: string; initrd: string | null; cmdline: string | null } | null;
  /** How the seed disk is attached, or null when the seed is a tar archive (no disk to attach). */
  seedAttach: SeedAttachPlan | null;
  serialConsole: boolean;
  smbiosNoCloud: boolean;
  /** A virtio-serial port `org.cloudseed.status.0` the guest reports cloud-init's result on. */
  statusChannel: boolean;
}

/** The disk the domain boots from. With `overlay`, `path` is the VM's own overlay that `up` creates. */
export interface RootDiskPlan {
  path: string;
  format: DiskFormat;
  overlay: { base: string; baseFormat: DiskFormat; sizeBytes: number | null } | null;
}

export interface SeedPlan {
  filesystem: SeedFilesystem;
  format: SeedFormat;
  packer: PackerChoice;
  label: string;
  fileName: string;
  /** Where the hypervisor will find the seed image (the domain's <source file>). */
  hostPath: string;
}

export type KubevirtDiskSource =
  | { kind: 'http'; url: string }
  | { kind: 'registry'; url: string }
  /** A PVC to clone; a null namespace is the fleet's. */
  | { kind: 'pvc'; namespace: string | null; name: string };

export interface KubevirtVmPlan {
  runStrategy: 'Always' | 'RerunOnFailure' | 'Manual' | 'Halted' | 'Once';
  /** The DataVolume the VM boots from, or null when the spec gives no source for it. */
  rootDisk: { source: KubevirtDiskSource; sizeBytes: number | null; storageClass: string | null } | null;
}

export interface VmPlan {
  name: string;
  /** The fleet's name; the domain carries it so that `up` knows the domains cloudseed made. */
  fleet: string;
  /** The libvirt domain's UUID, derived from the fleet and VM names: the same VM keeps it across builds. */
  uuid: string;
  hostname: string;
  fqdn: string | null;
  /** A pinned instance-id, or null: render derives one from the name and the documents. */
  pinnedInstanceId: string | null;
  target: CloudInitTarget;
  /** Absolute folder of user templates that override the built-in ones, or null. */
  templatesDir: string | null;
  users: UserPlan[];
  chpasswd: ChpasswdPlan | null;
  ssh: SshPlan;
  groups: GroupSpec[];
  writeFiles: WriteFilePlan[];
  runcmd: (string | string[])[];
  packages: string[];
  pinDatasource: boolean;
  network: NetworkPlan;
  domain: DomainPlan;
  seed: SeedPlan;
  /** Where `up`, `down` and `status` run this VM: a libvirt URI, or null for the command's default. */
  connect: string | null;
  /** The storage pool that holds the VM's seed and overlay on a remote host. */
  storagePool: string;
  /** The fleet's host bridges and shims this VM's NICs use, which its qemu.sh creates when missing. */
  hostNetwork: VmHostNetwork;
  /** What a build `--for kubevirt` reads; a libvirt build ignores it. */
  kubevirt: KubevirtVmPlan;
}

export interface FleetPlan {
  fleet: string;
  specFile: string;
  outputDir: string;
  vms: VmPlan[];
  /** Things worth saying that do not stop the build, e.g. a root disk not found on this machine. */
  warnings: PlanWarning[];
  /** The allocation lock this plan implies: every derived MAC and pool address, and the released addresses. */
  allocations: AllocationLock;
  /** Every password hash the plan holds, filed for the next build (see password-cache.ts). */
  passwordCache: Record<string, string>;
  /** The spec's `host:` section and what the NICs need on their host (see host/). */
  host: HostNetworkPlan;
  /** The spec's `kubevirt.namespace`, or null. */
  kubevirtNamespace: string | null;
}

/** One VM's warning; the same message for many VMs is one line for people (see the CLI). */
export interface PlanWarning {
  vm: string;
  message: string;
}
