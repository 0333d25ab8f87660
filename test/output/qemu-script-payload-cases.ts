// The (field, payload) cases of qemu-script-payloads.test.ts: every string field a VM or NIC of a spec
// has, each with every payload, and where each field must arrive when the spec's checks let it through.
import { expect } from 'vitest';
import type { VmPlan } from '../../src/plan/types.js';

/** domain.xml as Python's expat reads it back. */
export interface DomainFacts {
  name: string | null;
  arch: string;
  machine: string | null;
  kernel: string | null;
  initrd: string | null;
  cmdline: string | null;
  emulator: string | null;
  disks: string[];
  interfaces: { mac: string; sourceDev: string | null; sourceBridge: string | null; sourceNetwork: string | null; targetDev: string | null; model: string }[];
}

/** What a built case left behind: the argv QEMU got (--print's words when not root), the stubs' calls, the documents. */
export interface Outcome {
  value: string;
  argv: string[];
  domain: DomainFacts;
  ipCalls: string[][];
  virshCalls: string[][];
  documents: unknown[];
  realRun: boolean;
}

export interface Field {
  name: string;
  base: string;
  /** Puts `value` into a VM spec. */
  apply(vm: VmSpecObject, value: string): void;
  /** For a field that reaches the host side: puts `value` into a plan, past the spec's checks. */
  applyPlan?(vm: VmPlan, value: string): void;
  expect(outcome: Outcome): void;
}

/** A VM of the spec as JSON: loosely typed, since the cases put every kind of wrong value into it. */
type VmSpecObject = Record<string, any>;

export interface Payload {
  name: string;
  /** The text appended to a field's base value; CANARY is replaced by a file no case may create. */
  text: string;
}

export const payloads: Payload[] = [
  { name: 'newline + command', text: '\ntouch CANARY\n' },
  { name: 'single quote', text: "';touch CANARY;'" },
  { name: 'double quote', text: '";touch CANARY;"' },
  { name: 'comma + option', text: ',romfile=CANARY,file=CANARY' },
  { name: '$(…)', text: '$(touch CANARY)' },
  { name: 'backticks', text: '`touch CANARY`' },
  { name: ';', text: ';touch CANARY' },
  { name: '&&', text: '&&touch CANARY' },
  { name: '#', text: ' #$(touch CANARY)' },
  { name: 'backslashes', text: "\\';touch CANARY;'\\" },
  { name: 'ESC', text: '\x1b[31m\x1b]0;title\x1b\\' },
  { name: 'BEL', text: '\x07' },
  { name: 'CR', text: '\rtouch CANARY' },
  { name: 'unicode', text: '-é-漢字-🙂' },
  { name: 'bidi override', text: '\u202etouch CANARY' },
];

/** Option values QEMU splits at commas. */
const commasDoubled = (text: string) => text.replaceAll(',', ',,');

/** argv holds `option word` once, and no other argument holds `needle`. */
function expectOption(argv: string[], option: string, word: string, needle: string): void {
  const holding = argv.map((argument, index) => ({ argument, index })).filter(({ argument }) => argument.includes(needle));
  expect(holding.map(({ argument }) => argument), `the value once, in ${option}`).toEqual([word]);
  expect(argv[holding[0]!.index - 1]).toBe(option);
}

/** A field that reaches neither QEMU nor the host: only the guest's documents carry it. */
function expectGuestOnly(outcome: Outcome, text: string | null = outcome.value): void {
  expect(outcome.argv.filter((argument) => argument.includes(outcome.value))).toEqual([]);
  if (text === null) return;
  const strings: string[] = [];
  const collect = (node: unknown): void => {
    if (typeof node === 'string') strings.push(node);
    else if (Array.isArray(node)) node.forEach(collect);
    else if (typeof node === 'object' && node !== null) Object.entries(node).forEach(([key, item]) => { strings.push(key); collect(item); });
  };
  outcome.documents.forEach(collect);
  expect(strings.some((item) => item.includes(text)), 'the value reaches the guest documents intact').toBe(true);
}

const nic = (vm: VmSpecObject) => vm.network.nics[0];

export const fields: Field[] = [
  {
    name: 'name', base: 'n',
    applyPlan: (vm, value) => { vm.name = value; },
    apply: (vm, value) => { vm.name = value; },
    expect: (outcome) => {
      expectOption(outcome.argv, '-name', `guest=${commasDoubled(outcome.value)}`, commasDoubled(outcome.value));
      expect(outcome.domain.name).toBe(outcome.value);
    },
  },
  { name: 'hostname', base: 'h', apply: (vm, value) => { vm.hostname = value; }, expect: (outcome) => expectGuestOnly(outcome) },
  { name: 'fqdn', base: 'f.example', apply: (vm, value) => { vm.fqdn = value; }, expect: (outcome) => expectGuestOnly(outcome) },
  { name: 'instanceId', base: 'iid', apply: (vm, value) => { vm.instanceId = value; }, expect: (outcome) => expectGuestOnly(outcome) },
  {
    name: 'domain.emulator', base: 'EMU/qemu',
    applyPlan: (vm, value) => { vm.domain.emulator = value; },
    apply: (vm, value) => { vm.domain.emulator = value; },
    expect: (outcome) => {
      expect(outcome.argv[0]).toBe(outcome.value);
      expect(outcome.argv.slice(1).filter((argument) => argument.includes(outcome.value))).toEqual([]);
      expect(outcome.domain.emulator).toBe(outcome.value);
    },
  },
  {
    name: 'domain.machine', base: 'pc',
    applyPlan: (vm, value) => { vm.domain.machine = value; },
    apply: (vm, value) => { vm.domain.machine = value; },
    expect: (outcome) => {
      expectOption(outcome.argv, '-machine', `type=${commasDoubled(outcome.value)}`, commasDoubled(outcome.value));
      expect(outcome.domain.machine).toBe(outcome.value);
    },
  },
  {
    name: 'domain.arch', base: 'x86_64',
    applyPlan: (vm, value) => { vm.domain.arch = value; },
    apply: (vm, value) => { vm.domain.arch = value; },
    expect: (outcome) => {
      expect(outcome.argv[0]).toBe(`qemu-system-${outcome.value}`);
      expect(outcome.domain.arch).toBe(outcome.value);
    },
  },
  {
    name: 'domain.rootDisk.path', base: 'WORK/disk',
    applyPlan: (vm, value) => { vm.domain.rootDisk.path = value; },
    apply: (vm, value) => { vm.domain.rootDisk.path = value; },
    expect: (outcome) => {
      const file = commasDoubled(outcome.value);
      expectOption(outcome.argv, '-drive', `file=${file},format=qcow2,if=virtio`, file);
      expect(outcome.domain.disks[0]).toBe(outcome.value);
    },
  },
  {
    name: 'domain.kernelBoot.kernel', base: 'WORK/kernel',
    applyPlan: (vm, value) => { vm.domain.kernelBoot = { kernel: value, initrd: null, cmdline: null }; },
    apply: (vm, value) => { vm.domain.kernelBoot = { kernel: value }; },
    // QEMU takes -kernel whole: no comma doubling.
    expect: (outcome) => {
      expectOption(outcome.argv, '-kernel', outcome.value, outcome.value);
      expect(outcome.domain.kernel).toBe(outcome.value);
    },
  },
  {
    name: 'domain.kernelBoot.initrd', base: 'WORK/initrd',
    applyPlan: (vm, value) => { vm.domain.kernelBoot = { kernel: '/boot/vmlinuz', initrd: value, cmdline: null }; },
    apply: (vm, value) => { vm.domain.kernelBoot = { kernel: 'WORK/vmlinuz', initrd: value }; },
    expect: (outcome) => {
      expectOption(outcome.argv, '-initrd', outcome.value, outcome.value);
      expect(outcome.domain.initrd).toBe(outcome.value);
    },
  },
  {
    name: 'domain.kernelBoot.cmdline', base: 'console=ttyS0 x=',
    applyPlan: (vm, value) => { vm.domain.kernelBoot = { kernel: '/boot/vmlinuz', initrd: null, cmdline: value }; },
    apply: (vm, value) => { vm.domain.kernelBoot = { kernel: 'WORK/vmlinuz', cmdline: value }; },
    expect: (outcome) => {
      expectOption(outcome.argv, '-append', outcome.value, outcome.value);
      expect(outcome.domain.cmdline).toBe(outcome.value);
    },
  },
  {
    name: 'seed.hostPath', base: 'WORK/seed',
    applyPlan: (vm, value) => { vm.seed.hostPath = value; },
    apply: (vm, value) => { vm.seed = { hostPath: value }; },
    expect: (outcome) => {
      const file = commasDoubled(outcome.value);
      expectOption(outcome.argv, '-drive', `file=${file},format=raw,if=virtio,id=seed`, file);
      expect(outcome.domain.disks[1]).toBe(outcome.value);
    },
  },
  { name: 'users.name', base: 'u', apply: (vm, value) => { vm.users = [{ name: value }]; }, expect: (outcome) => expectGuestOnly(outcome) },
  { name: 'users.gecos', base: 'G', apply: (vm, value) => { vm.users = [{ name: 'u', gecos: value }]; }, expect: (outcome) => expectGuestOnly(outcome) },
  { name: 'users.groups', base: 'g', apply: (vm, value) => { vm.users = [{ name: 'u', groups: [value] }]; }, expect: (outcome) => expectGuestOnly(outcome) },
  { name: 'users.sudo', base: 'ALL=(ALL) ALL', apply: (vm, value) => { vm.users = [{ name: 'u', sudo: value }]; }, expect: (outcome) => expectGuestOnly(outcome) },
  { name: 'users.shell', base: '/bin/sh', apply: (vm, value) => { vm.users = [{ name: 'u', shell: value }]; }, expect: (outcome) => expectGuestOnly(outcome) },
  {
    name: 'users.sshAuthorizedKeys', base: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGhv k',
    apply: (vm, value) => { vm.users = [{ name: 'u', sshAuthorizedKeys: [value] }]; },
    expect: (outcome) => expectGuestOnly(outcome),
  },
  // Hashed on the way: only its absence from the host side is checked.
  { name: 'users.password', base: 'pw', apply: (vm, value) => { vm.users = [{ name: 'u', password: value }]; }, expect: (outcome) => expectGuestOnly(outcome, null) },
  { name: 'rootPassword', base: 'pw', apply: (vm, value) => { vm.rootPassword = value; }, expect: (outcome) => expectGuestOnly(outcome, null) },
  { name: 'groups', base: 'g', apply: (vm, value) => { vm.groups = [value]; }, expect: (outcome) => expectGuestOnly(outcome) },
  { name: 'writeFiles.path', base: '/etc/f', apply: (vm, value) => { vm.writeFiles = [{ path: value, content: 'x' }]; }, expect: (outcome) => expectGuestOnly(outcome) },
  { name: 'writeFiles.content', base: 'c', apply: (vm, value) => { vm.writeFiles = [{ path: '/etc/f', content: value }]; }, expect: (outcome) => expectGuestOnly(outcome) },
  { name: 'writeFiles.owner', base: 'root:root', apply: (vm, value) => { vm.writeFiles = [{ path: '/etc/f', content: 'x', owner: value }]; }, expect: (outcome) => expectGuestOnly(outcome) },
  { name: 'runcmd (string)', base: 'echo', apply: (vm, value) => { vm.runcmd = [value]; }, expect: (outcome) => expectGuestOnly(outcome) },
  { name: 'runcmd (argv)', base: 'a', apply: (vm, value) => { vm.runcmd = [['echo', value]]; }, expect: (outcome) => expectGuestOnly(outcome) },
  { name: 'packages', base: 'p', apply: (vm, value) => { vm.packages = [value]; }, expect: (outcome) => expectGuestOnly(outcome) },
  { name: 'nic.device', base: 'eth', apply: (vm, value) => { nic(vm).device = value; }, expect: (outcome) => expectGuestOnly(outcome) },
  {
    name: 'host.dev', base: 'eth0',
    applyPlan: (vm, value) => { vm.network.nics[0]!.host = { type: 'direct', dev: value, mode: 'bridge' }; vm.network.nics[0]!.vhost = true; },
    apply: (vm, value) => { nic(vm).host = { type: 'direct', dev: value }; },
    expect: (outcome) => {
      expect(outcome.argv.filter((argument) => argument.includes(outcome.value))).toEqual([]);
      const macvtap = `mvt${outcome.domain.interfaces[0]!.mac.split(':').slice(3).join('')}`;
      if (outcome.realRun) {
        const adds = outcome.ipCalls.filter((call) => call[1] === 'add');
        expect(adds).toEqual([['link', 'add', 'link', outcome.value, 'name', macvtap, 'type', 'macvtap', 'mode', 'bridge']]);
      }
      expect(outcome.domain.interfaces[0]!.sourceDev).toBe(outcome.value);
    },
  },
  {
    name: 'host.tap', base: 'tap0',
    applyPlan: (vm, value) => { vm.network.nics[0]!.host = { type: 'ethernet', tap: value }; vm.network.nics[0]!.vhost = true; },
    apply: (vm, value) => { nic(vm).host = { type: 'ethernet', tap: value }; },
    expect: (outcome) => {
      const name = commasDoubled(outcome.value);
      // vhost-net is there in the sandbox, and virtio NICs off user mode ask for it.
      const vhost = outcome.realRun ? ',vhost=on' : outcome.argv.some((argument) => argument.endsWith(',vhost=on')) ? ',vhost=on' : '';
      expectOption(outcome.argv, '-netdev', `tap,id=net0,ifname=${name},script=no,downscript=no${vhost}`, name);
      expect(outcome.domain.interfaces[0]!.targetDev).toBe(outcome.value);
    },
  },
  {
    name: 'host.bridge', base: 'br0',
    applyPlan: (vm, value) => { vm.network.nics[0]!.host = { type: 'bridge', bridge: value }; },
    apply: (vm, value) => { nic(vm).host = { type: 'bridge', bridge: value }; },
    expect: (outcome) => {
      const name = commasDoubled(outcome.value);
      expectOption(outcome.argv, '-netdev', `bridge,id=net0,br=${name}`, name);
      expect(outcome.domain.interfaces[0]!.sourceBridge).toBe(outcome.value);
    },
  },
  {
    name: 'host.network', base: 'net',
    applyPlan: (vm, value) => { vm.network.nics[0]!.host = { type: 'network', network: value }; },
    apply: (vm, value) => { nic(vm).host = { type: 'network', network: value }; },
    expect: (outcome) => {
      // The stub virsh names the bridge `virbr0,y`: br= gets its comma doubled.
      expectOption(outcome.argv, '-netdev', 'bridge,id=net0,br=virbr0,,y', 'virbr0');
      expect(outcome.argv.filter((argument) => argument.includes(outcome.value))).toEqual([]);
      for (const call of outcome.virshCalls) expect(call).toEqual(['-q', 'net-info', '--network', outcome.value]);
      expect(outcome.virshCalls.length).toBeGreaterThan(0);
      expect(outcome.domain.interfaces[0]!.sourceNetwork).toBe(outcome.value);
    },
  },
  {
    name: 'nic.model', base: 'e1000',
    applyPlan: (vm, value) => { vm.network.nics[0]!.model = value; },
    apply: (vm, value) => { nic(vm).model = value; },
    expect: (outcome) => {
      const model = commasDoubled(outcome.value);
      expectOption(outcome.argv, '-device', `driver=${model},netdev=net0,mac=${outcome.domain.interfaces[0]!.mac}`, model);
      expect(outcome.domain.interfaces[0]!.model).toBe(outcome.value);
    },
  },
];

export interface PayloadCase {
  id: string;
  field: Field;
  payload: Payload;
  value: string;
  canary: string;
  vmName: string;
  vm: VmSpecObject;
}

/** Every field with every payload, one VM each, under `work` (where the canaries, disks and kernel go). */
export function payloadCases(work: string): PayloadCase[] {
  const cases: PayloadCase[] = [];
  fields.forEach((field, fieldIndex) => {
    payloads.forEach((payload, payloadIndex) => {
      const id = `f${fieldIndex}p${payloadIndex}`;
      const canary = `${work}/canary/${id}`;
      const resolve = (text: string) => text.replaceAll('WORK', work).replaceAll('EMU', `${work}/emulators/${id}`);
      const value = resolve(field.base) + payload.text.replaceAll('CANARY', canary);
      const mac = `52:54:00:00:${fieldIndex.toString(16).padStart(2, '0')}:${payloadIndex.toString(16).padStart(2, '0')}`;
      const vm: VmSpecObject = {
        name: `vm-${id}`,
        domain: { type: 'qemu', memory: 256, rootDisk: { path: `${work}/root.qcow2`, format: 'qcow2' } },
        network: { nics: [{ device: 'eth0', mac, address: 'dhcp', host: { type: 'user' } }] },
      };
      field.apply(vm, value);
      if (vm.domain.kernelBoot?.kernel === 'WORK/vmlinuz') vm.domain.kernelBoot.kernel = `${work}/vmlinuz`;
      cases.push({ id, field, payload, value, canary, vmName: vm.name as string, vm });
    });
  });
  return cases;
}
