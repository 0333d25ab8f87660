// A VM's QEMU command line, for running it without libvirt: one more rendering of the VmPlan, the
// machine domain.xml describes (same disks in the same slots, same MACs, the SMBIOS serial). The words
// come out quoted for the shell; templates/qemu.sh.hbs puts them around the host side of the NICs.
// Every spec value is quoted twice over: for QEMU's option syntax where QEMU parses it, then for the shell.
import type { NicPlan, VmPlan } from '../plan/types.js';
import { shellWord } from './template-helpers.js';

/** A macvtap device qemu.sh creates on the NIC's host interface and hands to QEMU as a file descriptor. */
export interface MacvtapSetup {
  name: string;
  parent: string;
  mode: string;
  macAddress: string;
  fd: number;
}

/**
 * A bridge or macvlan shim of the fleet's `host:` section that a NIC rests on: qemu.sh makes it when
 * missing, marked as the fleet's, and removes it when QEMU ends if this run made it.
 */
export interface HostLinkSetup {
  name: string;
  /** `ip link add name NAME` is followed by these. */
  addArguments: string[];
  /** The host's address on it in CIDR form, or '' for none. */
  address: string;
}

/** A libvirt network's bridge, looked up with virsh when qemu.sh runs. */
export interface NetworkBridgeLookup {
  network: string;
  variable: string;
}

export interface QemuCommand {
  /** The QEMU binary, quoted: the domain's emulator, else qemu-system-<arch>. */
  emulator: string;
  /**
   * Every argument after the binary, quoted for the shell (some expand a lookup's variable), grouped in
   * lines of an option and its values.
   */
  lines: string[];
  macvtaps: MacvtapSetup[];
  bridgeLookups: NetworkBridgeLookup[];
  /** Pre-made tap devices the NICs use, which must exist before QEMU starts. */
  taps: string[];
  /** Bridges first, then the shims that may sit on them. */
  hostLinks: HostLinkSetup[];
  /** The ifalias that marks the host links as the fleet's, as `cloudseed up` marks them. */
  linkMark: string;
  /** What the EXIT trap runs to undo what the run set up, or null when it sets up nothing. */
  exitTrap: string | null;
  /**
   * Whether a NIC asks for vhost-net. qemu.sh adds `vhost=on` only where /dev/vhost-net exists, as
   * libvirt does: QEMU given vhost=on without it aborts.
   */
  usesVhost: boolean;
}

/** A Map, so that a model named `toString` or `__proto__` is not found among an object's own keys. */
const nicDevices = new Map([['virtio', 'virtio-net-pci'], ['e1000', 'e1000'], ['rtl8139', 'rtl8139']]);

/**
 * QEMU splits an option's value (`-drive`, `-netdev`, `-device`, `-machine`, `-name`) at commas; a comma
 * inside a value is written twice. Only after `key=`: QEMU reads the first, key-less part of
 * `-machine pc,,x` as `pc` and then fails, and reads `-machine accel=kvm` as a key, so every value
 * here gets its key. `-kernel`, `-initrd` and `-append` are not option lists: QEMU takes them whole.
 */
export function optionValue(text: string): string {
  return text.replace(/,/g, ',,');
}

/**
 * A `-drive file=` name for the block layer, which reads `fat:rw:/dir`, `nbd:host:port` or `json:{...}`
 * in a name as a protocol (a host folder or a remote disk instead of an image). A name starting with `/`
 * or `./` is always a plain file, and `./` keeps a relative path what it was.
 */
function driveFile(file: string): string {
  return optionValue(file.startsWith('/') ? file : `./${file}`);
}

/**
 * Always quoted, which also keeps shellcheck from reading `qemu-system-x86_64` as arithmetic; as
 * shellWord writes it when it holds control characters.
 */
function singleQuoted(text: string): string {
  const word = shellWord(text);
  return word.startsWith('$') ? word : `'${text.replace(/'/g, `'\\''`)}'`;
}

/**
 * A word with `${variable}` at its end, double-quoted so that only the variable expands; a literal with
 * control characters is written as shellWord writes it, joined to the quoted variable.
 */
function expandingWord(literal: string, variable: string): string {
  const word = shellWord(literal);
  if (word.startsWith('$')) return `${word}"\${${variable}}"`;
  return `"${literal.replace(/[$`"\\]/g, (character) => `\\${character}`)}\${${variable}}"`;
}

/** Up to 15 characters (IFNAMSIZ), unique per NIC: the planner keeps MACs unique within a fleet. */
export function macvtapName(macAddress: string): string {
  return `mvt${macAddress.split(':').slice(3).join('')}`;
}

/** Where libvirt's target name puts the seed: hdc is the second IDE bus, sdN the Nth AHCI port. */
function seedSlot(vm: VmPlan): string[] {
  const attach = vm.domain.seedAttach;
  if (attach === null) return [];
  const file = `file=${driveFile(vm.seed.hostPath)},format=${vm.seed.format}`;
  if (attach.bus === 'virtio') return ['-drive', `${file},if=virtio,id=seed${attach.device === 'cdrom' ? ',media=cdrom,readonly=on' : ''}`];
  const letter = attach.target.charCodeAt(2) - 'a'.charCodeAt(0);
  const bus = attach.bus === 'ide' ? `ide.${letter >> 1},unit=${letter & 1}` : `ide.${letter}`;
  const device = attach.device === 'cdrom' ? 'ide-cd' : 'ide-hd';
  const media = attach.device === 'cdrom' ? ',media=cdrom,readonly=on' : '';
  return ['-drive', `${file},if=none,id=seed${media}`, '-device', `${device},drive=seed,bus=${bus}`];
}

/** The shell variable qemu.sh sets to `,vhost=on` or to nothing. */
const vhostVariable = 'vhost_option';

interface NicWords {
  netdev: string[] | { literal: string; variable: string };
  setup: Partial<Pick<QemuCommand, 'macvtaps' | 'bridgeLookups' | 'taps'>>;
}

function nicBackend(nic: NicPlan, index: number): NicWords {
  const id = `id=net${index}`;
  const tap = (options: string): NicWords['netdev'] => (nic.vhost ? { literal: options, variable: vhostVariable } : [options]);
  switch (nic.host.type) {
    case 'user':
      return { netdev: [`user,${id}`], setup: {} };
    case 'bridge':
      // Through qemu-bridge-helper, which /etc/qemu/bridge.conf must allow onto this bridge.
      return { netdev: [`bridge,${id},br=${optionValue(nic.host.bridge)}`], setup: {} };
    case 'network': {
      const variable = `bridge_${index}`;
      return { netdev: { literal: `bridge,${id},br=`, variable }, setup: { bridgeLookups: [{ network: nic.host.network, variable }] } };
    }
    case 'ethernet':
      return { netdev: tap(`tap,${id},ifname=${optionValue(nic.host.tap)},script=no,downscript=no`), setup: { taps: [nic.host.tap] } };
    case 'direct': {
      // Descriptors 3 and up, one per macvtap NIC, in NIC order.
      const fd = 3 + index;
      const macvtap = { name: macvtapName(nic.macAddress), parent: nic.host.dev, mode: nic.host.mode, macAddress: nic.macAddress, fd };
      return { netdev: tap(`tap,${id},fd=${fd}`), setup: { macvtaps: [macvtap] } };
    }
  }
}

/**
 * The -device driver of a NIC model. Any other model is passed on as QEMU's device name, as libvirt does,
 * after `driver=`: bare, `romfile=x` would be read as an option and `{` as the start of JSON.
 */
function nicDevice(model: string): string {
  return nicDevices.get(model) ?? `driver=${optionValue(model)}`;
}

/** The same links, made the same way, as host/ makes them for `cloudseed up`. */
function hostLinkSetups(vm: VmPlan): HostLinkSetup[] {
  const { bridges, shims } = vm.hostNetwork;
  return [
    ...bridges.map((bridge) => ({ name: bridge.name, addArguments: ['type', 'bridge'], address: bridge.address ?? '' })),
    ...shims.map((shim) => ({ name: shim.name, addArguments: ['link', shim.dev, 'type', 'macvlan', 'mode', 'bridge'], address: shim.address ?? '' })),
  ];
}

/** Macvtap devices go first: they may sit on a shim's device or on a bridge the run made. */
function exitTrap(setup: Pick<QemuCommand, 'macvtaps' | 'hostLinks'>): string | null {
  const steps = [...(setup.macvtaps.length > 0 ? ['remove_macvtaps'] : []), ...(setup.hostLinks.length > 0 ? ['remove_made_links'] : [])];
  return steps.length === 0 ? null : steps.join('; ');
}

export function qemuCommand(vm: VmPlan): QemuCommand {
  const { domain } = vm;
  const lines: string[] = [];
  const literal = (...args: string[]) => {
    if (args.length > 0) lines.push(args.map((arg) => shellWord(arg)).join(' '));
  };
  literal('-name', `guest=${optionValue(vm.name)}`);
  if (domain.machine !== null) literal('-machine', `type=${optionValue(domain.machine)}`);
  literal(...(domain.type === 'kvm' ? ['-accel', 'kvm', '-cpu', 'host'] : ['-accel', 'tcg']));
  literal('-m', String(domain.memoryMiB), '-smp', String(domain.vcpus));
  literal('-nodefaults', '-display', 'none', ...(domain.serialConsole ? ['-serial', 'mon:stdio'] : ['-monitor', 'stdio']));
  if (domain.smbiosNoCloud) literal('-smbios', 'type=1,serial=ds=nocloud');
  if (domain.kernelBoot !== null) {
    // Taken whole by QEMU, commas included (a multiboot kernel's -initrd list aside, which libvirt does not escape either).
    literal('-kernel', domain.kernelBoot.kernel);
    if (domain.kernelBoot.initrd !== null) literal('-initrd', domain.kernelBoot.initrd);
    if (domain.kernelBoot.cmdline !== null) literal('-append', domain.kernelBoot.cmdline);
  }
  // The root disk first, so it is vda and a virtio seed vdb, as in domain.xml.
  literal('-drive', `file=${driveFile(domain.rootDisk.path)},format=${domain.rootDisk.format},if=virtio`);
  literal(...seedSlot(vm));
  const setup: Pick<QemuCommand, 'macvtaps' | 'bridgeLookups' | 'taps' | 'usesVhost'> = { macvtaps: [], bridgeLookups: [], taps: [], usesVhost: false };
  vm.network.nics.forEach((nic, index) => {
    const backend = nicBackend(nic, index);
    lines.push(`-netdev ${Array.isArray(backend.netdev) ? shellWord(backend.netdev[0]) : expandingWord(backend.netdev.literal, backend.netdev.variable)}`);
    literal('-device', `${nicDevice(nic.model)},netdev=net${index},mac=${nic.macAddress}`);
    setup.macvtaps.push(...(backend.setup.macvtaps ?? []));
    setup.bridgeLookups.push(...(backend.setup.bridgeLookups ?? []));
    setup.taps.push(...(backend.setup.taps ?? []));
    if (!Array.isArray(backend.netdev) && backend.netdev.variable === vhostVariable) setup.usesVhost = true;
  });
  const hostLinks = hostLinkSetups(vm);
  return {
    emulator: singleQuoted(domain.emulator ?? `qemu-system-${domain.arch}`),
    lines,
    ...setup,
    hostLinks,
    linkMark: vm.hostNetwork.linkMark,
    exitTrap: exitTrap({ macvtaps: setup.macvtaps, hostLinks }),
  };
}
