// The spec's shape, as zod schemas. Everything a VM says may also be said once under `defaults`, so
// the VM settings are one schema with every field optional; plan/ decides what is required after merging.
import { z } from 'zod';
import {
  architectureText, cryptHashText, deviceNameText, diskSizeText, libvirtUriText, domainNameText, groupNameText, guestPathText, hostFilePathText,
  hostInterfaceNameText, hostnameText, instanceIdText, interfaceAddressText, ipRangeText, ipv4CidrText, ipv4Text, kernelCommandLineText,
  libvirtNetworkNameText, machineTypeText, macText, nicAddressText, nicModelText, passwordText, routeTargetText,
  shellPathText, specFilePathText, specFolderPathText, sudoRuleText, userNameText, vmEntryNameText, vmNameText,
  httpUrlText, kubernetesNameText, pvcReferenceText, registryImageText,
} from './formats.js';

const text = z.string().min(1);

export const cloudInitTargets = ['el7', 'current'] as const;
export const networkConfigFormats = ['v2', 'v1', 'disabled'] as const;
export const macvtapModes = ['bridge', 'vepa', 'private', 'passthru'] as const;
export const packerChoices = ['auto', 'native', 'cloud-localds', 'genisoimage', 'mkisofs', 'xorriso', 'mtools'] as const;
export const seedFormats = ['raw', 'qcow2', 'tar', 'tar-seed-local', 'tar-seed-net'] as const;
export const permitRootLoginValues = ['yes', 'no', 'prohibit-password', 'without-password', 'forced-commands-only'] as const;

/** A password is given in the clear (hashed by cloudseed) or already hashed. */
const passwordFields = {
  password: passwordText.optional(),
  passwordHash: cryptHashText.optional(),
};

export const userSchema = z.strictObject({
  name: userNameText,
  gecos: z.string().optional(),
  groups: z.array(groupNameText).optional(),
  /** A sudoers rule such as `ALL=(ALL) NOPASSWD:ALL`, or false for none. */
  sudo: z.union([sudoRuleText, z.literal(false)]).optional(),
  shell: shellPathText.optional(),
  sshAuthorizedKeys: z.array(text).optional(),
  lockPassword: z.boolean().optional(),
  ...passwordFields,
});

export const chpasswdEntrySchema = z.strictObject({ name: userNameText, ...passwordFields });

export const chpasswdSchema = z.strictObject({
  /** Force a password change at first login (cloud-init's default is true; cloudseed's is false). */
  expire: z.boolean().optional(),
  users: z.array(chpasswdEntrySchema).optional(),
});

export const sshSchema = z.strictObject({
  /** sshd PasswordAuthentication, and cloud-init's ssh_pwauth. */
  passwordAuthentication: z.boolean().optional(),
  permitRootLogin: z.enum(permitRootLoginValues).optional(),
  pubkeyAuthentication: z.boolean().optional(),
});

/** cloud-init's `groups` form: a bare group name, or `{group: [members]}`. */
export const groupSchema = z.union([
  groupNameText,
  // The key is checked here rather than by z.record's key schema, whose issue says only "Invalid key".
  z.record(z.string(), z.array(userNameText)).superRefine((groups, context) => {
    for (const name of Object.keys(groups)) {
      const checked = groupNameText.safeParse(name);
      // Reported on the entry, not under the key: a key may hold the very spaces that make it wrong.
      if (!checked.success) context.addIssue({ code: 'custom', message: checked.error.issues[0]?.message ?? 'not a group name' });
    }
  }),
]);

export const writeFileEncodings = ['text', 'base64'] as const;

/** A file for cloud-init's write_files: its text, or bytes given in base64 or read from a file here. */
export const writeFileSchema = z.strictObject({
  path: guestPathText,
  /** The file's text; with `encoding: base64`, its bytes in base64. */
  content: z.string().optional(),
  /** A file on this machine (relative to the spec) whose bytes are written as they are. */
  source: specFilePathText.optional(),
  encoding: z.enum(writeFileEncodings).optional(),
  /** Octal string such as '0644'. */
  permissions: z.string().regex(/^0?[0-7]{3,4}$/, 'an octal mode such as "0644"').optional(),
  owner: text.optional(),
  append: z.boolean().optional(),
  /** Write it after users and groups exist, as cloud-init's write-files-deferred does. */
  defer: z.boolean().optional(),
});

export const routeSchema = z.strictObject({
  to: routeTargetText,
  via: ipv4Text,
  metric: z.number().int().nonnegative().optional(),
});

export const dnsSchema = z.strictObject({
  servers: z.array(ipv4Text).optional(),
  search: z.array(domainNameText).optional(),
});

/** How the NIC reaches the host: the libvirt `<interface type=...>` kinds. */
export const hostLinkSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('direct'), dev: hostInterfaceNameText, mode: z.enum(macvtapModes).optional() }),
  z.strictObject({ type: z.literal('bridge'), bridge: hostInterfaceNameText }),
  z.strictObject({ type: z.literal('network'), network: libvirtNetworkNameText }),
  z.strictObject({ type: z.literal('user') }),
  z.strictObject({ type: z.literal('ethernet'), tap: hostInterfaceNameText }),
]);

export const nicSchema = z.strictObject({
  /** The guest's name for the interface, e.g. eth0. */
  device: deviceNameText.optional(),
  mac: macText.optional(),
  /** `dhcp` or a static address in CIDR form. */
  address: nicAddressText.optional(),
  /** Take the address (and gateway, DNS) from this pool. */
  pool: text.optional(),
  gateway: ipv4Text.optional(),
  dns: dnsSchema.optional(),
  routes: z.array(routeSchema).optional(),
  mtu: z.number().int().min(68).max(65535).optional(),
  host: hostLinkSchema.optional(),
  model: nicModelText.optional(),
  vhost: z.boolean().optional(),
});

export const networkSchema = z.strictObject({
  /** What the seed's network-config holds: cloud-init v2, v1, or `config: disabled`. */
  config: z.enum(networkConfigFormats).optional(),
  /** Also write RHEL /etc/sysconfig/network-scripts/ifcfg-<dev> files with write_files. */
  ifcfg: z.boolean().optional(),
  nics: z.array(nicSchema).optional(),
});

/**
 * The VM's root disk: `path`, an image the VM writes itself (one VM only), or `base`, an image it never
 * writes: `cloudseed up` gives the VM its own copy-on-write overlay over it (plan/plan-root-disk.ts).
 */
export const rootDiskSchema = z.strictObject({
  path: specFilePathText.optional(),
  base: specFilePathText.optional(),
  /** The overlay's virtual size, e.g. `20G` (qemu-img's units, powers of 1024); default: the base's. */
  size: diskSizeText.optional(),
  /** The format of `path` or of `base`; default: from the name, `.img`/`.raw` raw, else qcow2. */
  format: z.enum(['qcow2', 'raw']).optional(),
});

/**
 * 64 TiB: the most physical memory a 4-level-paging x86-64 Linux guest addresses (MAX_PHYSMEM_BITS 46),
 * more than any single host has. libvirt itself only overflows at 2^43 MiB (2^63 bytes, "numerical
 * overflow" at define); anything above 64 TiB is nearly always KiB or bytes written as MiB, which QEMU
 * would fail to allocate when the VM starts.
 */
export const maxMemoryMiB = 64 * 1024 * 1024;
/** The q35 machine of QEMU 9.0 takes 4096 vCPUs, the most of any x86 machine; libvirt's schema stops at 65535. */
export const maxVcpus = 4096;

export const domainSchema = z.strictObject({
  type: z.enum(['kvm', 'qemu', 'auto']).optional(),
  /** MiB */
  memory: z.number().int().min(64, 'expected at least 64 (MiB)').max(maxMemoryMiB, `expected at most ${maxMemoryMiB} (MiB, 64 TiB); is it in KiB or bytes?`).optional(),
  vcpus: z.number().int().min(1, 'expected at least 1 vCPU').max(maxVcpus, `expected at most ${maxVcpus} vCPUs (QEMU's largest x86 machine)`).optional(),
  arch: architectureText.optional(),
  machine: machineTypeText.optional(),
  emulator: hostFilePathText.optional(),
  rootDisk: rootDiskSchema.optional(),
  /** Boot a kernel directly instead of the root disk's boot loader (libvirt <kernel>, <initrd>, <cmdline>). */
  kernelBoot: z
    .strictObject({ kernel: specFilePathText, initrd: specFilePathText.optional(), cmdline: kernelCommandLineText.optional() })
    .optional(),
  /** Attach the seed as a virtio disk (vdb, seen at once) or as a cdrom. */
  seedAttach: z.enum(['disk', 'cdrom']).optional(),
  serialConsole: z.boolean().optional(),
  /** SMBIOS system serial `ds=nocloud`: cloud-init picks NoCloud without probing the network. */
  smbiosNoCloud: z.boolean().optional(),
  /** A virtio-serial port the guest reports cloud-init's result on, for `up --wait` and `status`. */
  statusChannel: z.boolean().optional(),
});

export const seedSchema = z.strictObject({
  filesystem: z.enum(['iso9660', 'vfat']).optional(),
  /** raw or qcow2 disk images, or cloud-localds's tar forms to unpack into a root filesystem. */
  format: z.enum(seedFormats).optional(),
  packer: z.enum(packerChoices).optional(),
  /** Where the hypervisor finds the seed; default: the absolute path of the built image. */
  hostPath: hostFilePathText.optional(),
});

/** KubeVirt's run strategies (kubevirt.io/v1 VirtualMachineSpec.runStrategy). */
export const kubevirtRunStrategies = ['Always', 'RerunOnFailure', 'Manual', 'Halted', 'Once'] as const;

/**
 * The root disk of a VM built `--for kubevirt`: a CDI DataVolume imported from one source (an image URL,
 * a registry image, or a clone of a PVC), since the libvirt host's base image is not on the cluster.
 */
export const kubevirtRootDiskSchema = z.strictObject({
  http: httpUrlText.optional(),
  registry: registryImageText.optional(),
  pvc: pvcReferenceText.optional(),
  /** Default: `domain.rootDisk.size`. */
  size: diskSizeText.optional(),
  storageClass: kubernetesNameText.optional(),
});

/** What only a KubeVirt build reads; a libvirt build ignores it, so one spec serves both. */
export const kubevirtVmSchema = z.strictObject({
  rootDisk: kubevirtRootDiskSchema.optional(),
  /** Default `Always`. */
  runStrategy: z.enum(kubevirtRunStrategies).optional(),
});

export const vmSettingsSchema = z.strictObject({
  hostname: hostnameText.optional(),
  fqdn: domainNameText.optional(),
  instanceId: instanceIdText.optional(),
  target: z.enum(cloudInitTargets).optional(),
  /** `hashed` (default) or `plaintext`, for old guests that cannot take hashes. */
  passwordStorage: z.enum(['hashed', 'plaintext']).optional(),
  /** A folder of templates that replace the built-in ones, relative to the spec file. */
  templates: specFolderPathText.optional(),
  users: z.array(userSchema).optional(),
  rootPassword: passwordText.optional(),
  chpasswd: chpasswdSchema.optional(),
  ssh: sshSchema.optional(),
  groups: z.array(groupSchema).optional(),
  writeFiles: z.array(writeFileSchema).optional(),
  runcmd: z.array(z.union([text, z.array(z.string()).min(1)])).optional(),
  packages: z.array(text).optional(),
  /** The libvirt connection URI `up`, `down` and `status` use for this VM; default `--connect`, else qemu:///system. */
  connect: libvirtUriText.optional(),
  /** The libvirt storage pool a remote host keeps this VM's seed and overlay in (default `default`). */
  storagePool: libvirtNetworkNameText.optional(),
  /** Keep later boots off network datasources too (written to /etc/cloud/cloud.cfg.d). */
  pinDatasource: z.boolean().optional(),
  network: networkSchema.optional(),
  domain: domainSchema.optional(),
  seed: seedSchema.optional(),
  kubevirt: kubevirtVmSchema.optional(),
});

export const vmSpecSchema = z.strictObject({ name: vmNameText, ...vmSettingsSchema.shape });

/**
 * One entry of `vms` as written: a VM, or with a range in its name (`web-{01..20}`) one VM per number,
 * each of which `overrides` may change by name. expand-patterns.ts turns entries into VMs.
 */
export const vmEntrySchema = z.strictObject({
  name: vmEntryNameText,
  ...vmSettingsSchema.shape,
  overrides: z.record(z.string(), vmSettingsSchema).optional(),
});

export const poolSchema = z.strictObject({
  cidr: ipv4CidrText,
  /** `first-last`, e.g. `10.0.0.10-10.0.0.250`; default: the whole subnet less network and broadcast. */
  range: ipRangeText.optional(),
  gateway: ipv4Text.optional(),
  dns: dnsSchema.optional(),
});

/**
 * The host side of the fleet's networking, which `up` creates when missing and `down`/`destroy` remove
 * when cloudseed made them: bridges and macvlan shims on this machine, libvirt networks on a connection.
 */
export const hostBridgeSchema = z.strictObject({
  name: hostInterfaceNameText,
  /** The host's own address on the bridge, e.g. 10.40.0.1/24. */
  address: interfaceAddressText.optional(),
});

/** `none` is isolated (no `<forward>` at all: nothing leaves the host); `nat` routes out through it. */
export const libvirtNetworkForwardModes = ['none', 'nat'] as const;

export const libvirtNetworkSchema = z.strictObject({
  name: libvirtNetworkNameText,
  forward: z.enum(libvirtNetworkForwardModes).optional(),
  /** The host's address on the network's bridge, e.g. 10.40.0.1/24. */
  address: interfaceAddressText.optional(),
  /** Addresses libvirt's dnsmasq hands out, `first-last` inside `address`'s subnet. */
  dhcp: ipRangeText.optional(),
});

/** A macvlan in bridge mode on `dev`: macvtap guests cannot reach their host through `dev` itself. */
export const macvlanShimSchema = z.strictObject({
  dev: hostInterfaceNameText,
  /** The host's address on the shim, e.g. 192.168.1.250/24. */
  address: interfaceAddressText.optional(),
});

export const hostNetworkSchema = z.strictObject({
  bridges: z.array(hostBridgeSchema).optional(),
  networks: z.array(libvirtNetworkSchema).optional(),
  shims: z.array(macvlanShimSchema).optional(),
});

export const fleetSpecSchema = z.strictObject({
  /** Names the fleet; MACs are derived from it. Default: the spec file's name. */
  fleet: text.optional(),
  /** `qemu` (52:54:00:xx:xx:xx) or `local` (a locally administered unicast MAC). */
  macPrefix: z.enum(['qemu', 'local']).optional(),
  pools: z.record(text, poolSchema).optional(),
  /** Bridges, macvlan shims and libvirt networks the fleet's NICs need on their host. */
  host: hostNetworkSchema.optional(),
  /** The fleet's namespace for `build --for kubevirt` (`--namespace` overrides it). */
  kubevirt: z.strictObject({ namespace: kubernetesNameText.optional() }).optional(),
  defaults: vmSettingsSchema.optional(),
  vms: z.array(vmEntrySchema).min(1, 'at least one VM'),
});

/** The spec as its file says it, patterns unexpanded. */
export type FleetSpecDocument = z.infer<typeof fleetSpecSchema>;
/** The spec with every pattern expanded: one item of `vms` per VM. */
export type FleetSpecInput = Omit<FleetSpecDocument, 'vms'> & { vms: VmSpec[] };
export type VmEntry = z.infer<typeof vmEntrySchema>;
export type VmSettings = z.infer<typeof vmSettingsSchema>;
export type VmSpec = z.infer<typeof vmSpecSchema>;
export type UserSpec = z.infer<typeof userSchema>;
export type NicSpec = z.infer<typeof nicSchema>;
export type HostLinkSpec = z.infer<typeof hostLinkSchema>;
export type PoolSpec = z.infer<typeof poolSchema>;
export type HostNetworkSpec = z.infer<typeof hostNetworkSchema>;
export type KubevirtVmSpec = z.infer<typeof kubevirtVmSchema>;
export type WriteFileSpec = z.infer<typeof writeFileSchema>;
export type DnsSpec = z.infer<typeof dnsSchema>;
export type RouteSpec = z.infer<typeof routeSchema>;
export type GroupSpec = z.infer<typeof groupSchema>;
