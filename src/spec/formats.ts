// The formats single fields must have (names, addresses, MACs, hashes), checked by zod together with
// the types so that one run reports every malformed field at once. Cross-field rules live in plan/
// (and, for name patterns, in pattern-issues.ts).
import { z } from 'zod';
import { parseIpv4, parseIpv4Cidr } from './ipv4.js';
import { isNamePattern, parseNamePattern, patternName } from './name-pattern.js';

const macPattern = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;

/** Lower-case colon form, or null when `text` is not a unicast MAC address. */
export function normalizeMac(text: string): string | null {
  const mac = text.trim().toLowerCase().replace(/-/g, ':');
  if (!macPattern.test(mac)) return null;
  const firstOctet = parseInt(mac.slice(0, 2), 16);
  if (firstOctet & 1) return null; // multicast: a NIC cannot own it
  if (mac === '00:00:00:00:00:00') return null;
  return mac;
}

// The name becomes a folder and a libvirt domain name: no separators, no dot-dot, nothing hidden.
const vmNamePattern = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
/** What cloudseed itself keeps in the output folder beside the VM folders (the `.cloudseed` folder is hidden, which the pattern refuses). */
const reservedOutputNames = ['manifest.json'];
const hostLabel = '[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
const hostnamePattern = new RegExp(`^(?=.{1,253}$)${hostLabel}(\\.${hostLabel})*$`);
const deviceNamePattern = /^[A-Za-z0-9_.:-]{1,15}$/;
const userNamePattern = /^[a-z_][a-z0-9_.-]{0,31}\$?$/i;

const controlCharacterPattern = /[\u0000-\u001f\u007f]/;
/** The same less tab, which separates words on a sudoers or kernel command line as a space does. */
const controlCharacterButTabPattern = /[\u0000-\u0008\u000a-\u001f\u007f]/;

/** C0 controls and DEL: XML 1.0 cannot carry most of them, and a line break splits a config line. */
export function hasControlCharacter(text: string): boolean {
  return controlCharacterPattern.test(text);
}

/** A value quoted for a message, with control characters escaped so the report stays one line. */
function shown(value: string): string {
  return JSON.stringify(value).replace(/[\u007f-\u009f]/g, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export function isValidHostname(text: string): boolean {
  return hostnamePattern.test(text);
}

function checked(isValid: (value: string) => boolean, describe: (value: string) => string) {
  return z
    .string()
    .min(1)
    .superRefine((value, context) => {
      if (!isValid(value)) context.addIssue({ code: 'custom', message: describe(value) });
    });
}

export const vmNameText = z
  .string()
  .min(1)
  .superRefine((value, context) => {
    if (!vmNamePattern.test(value) || value.includes('..')) {
      context.addIssue({ code: 'custom', message: `${shown(value)} is not a usable VM name: letters, digits, _ . -, starting with a letter or digit, no "..", at most 64` });
    } else if (reservedOutputNames.includes(value.toLowerCase())) {
      // Compared without case: on a case-insensitive file system Manifest.json is the same file.
      context.addIssue({ code: 'custom', message: `"${value}" is the name of the fleet's manifest in the output folder; choose another VM name` });
    }
  });
/**
 * A VM entry's name: a VM name, or a pattern with one range (see name-pattern.ts) whose names are VM
 * names. A pattern's names differ only in their digits, which a VM name may hold anywhere, so whether
 * one is usable depends only on its length: the first and the last (shortest, longest) stand for all.
 */
export const vmEntryNameText = z.string().superRefine((value, context) => {
  const pattern = parseNamePattern(value);
  if (pattern === null) {
    for (const issue of vmNameText.safeParse(value).error?.issues ?? []) context.addIssue({ code: 'custom', message: issue.message });
  } else if (!isNamePattern(pattern)) {
    context.addIssue({ code: 'custom', message: `this VM name ${pattern.problem}` });
  } else {
    const names = [patternName(pattern, pattern.first), patternName(pattern, pattern.last)];
    const issue = names.flatMap((name) => vmNameText.safeParse(name).error?.issues ?? [])[0];
    if (issue) context.addIssue({ code: 'custom', message: `the range ${pattern.range} makes names that are not usable: ${issue.message}` });
  }
});
export const hostnameText = checked(isValidHostname, (value) => `"${value}" is not a valid hostname (RFC 1123: labels of letters, digits and inner hyphens)`);
export const domainNameText = checked(isValidHostname, (value) => `"${value}" is not a domain name`);
export const ipv4Text = checked((value) => parseIpv4(value) !== null, (value) => `"${value}" is not an IPv4 address`);
export const ipv4CidrText = checked((value) => parseIpv4Cidr(value) !== null, (value) => `"${value}" is not an IPv4 CIDR such as 10.0.0.0/24`);
export const routeTargetText = checked(
  (value) => value === 'default' || parseIpv4Cidr(value) !== null,
  (value) => `"${value}" is not an IPv4 CIDR or "default"`,
);
/** `dhcp`, a CIDR, or (with a pool) a bare address inside the pool's subnet. */
export const nicAddressText = checked(
  (value) => value === 'dhcp' || parseIpv4Cidr(value) !== null || parseIpv4(value) !== null,
  (value) => `"${value}" is not "dhcp" or an IPv4 address in CIDR form such as 192.168.1.10/24`,
);
export const ipRangeText = checked(
  (value) => {
    const [from, to, ...rest] = value.split('-').map((part) => parseIpv4(part.trim()));
    return rest.length === 0 && from != null && to != null && from <= to;
  },
  (value) => `"${value}" is not a range such as 10.0.0.10-10.0.0.200`,
);
export const macText = checked((value) => normalizeMac(value) !== null, (value) => `"${value}" is not a unicast MAC address such as 52:54:00:12:34:56`);
export const deviceNameText = checked((value) => deviceNamePattern.test(value), (value) => `"${value}" is not an interface name (1-15 of A-Z a-z 0-9 _ . : -)`);
export const userNameText = checked((value) => userNamePattern.test(value), (value) => `"${value}" is not a valid user name (letters, digits, _ . -, at most 32)`);
/**
 * The crypt(3) hashes a Linux guest can check, each in full: a cut or mistyped hash is a password no one
 * can type. Locked markers (`!`, `*`, `!$6$…`) are refused too: `lockPassword` locks an account, and
 * el7's chpasswd list would set a marker that is not a hash as a plaintext password.
 */
const cryptHashSchemes: { prefix: RegExp; pattern: RegExp; shape: string }[] = [
  { prefix: /^\$1\$/, pattern: /^\$1\$[./0-9A-Za-z]{0,8}\$[./0-9A-Za-z]{22}$/, shape: 'MD5: $1$, a salt of up to 8 characters, $, then 22 characters of [./0-9A-Za-z]' },
  { prefix: /^\$5\$/, pattern: /^\$5\$(rounds=[1-9][0-9]{0,8}\$)?[./0-9A-Za-z]{0,16}\$[./0-9A-Za-z]{43}$/, shape: 'SHA-256: $5$, optional rounds=N$, a salt of up to 16 characters, $, then 43 characters of [./0-9A-Za-z]' },
  { prefix: /^\$6\$/, pattern: /^\$6\$(rounds=[1-9][0-9]{0,8}\$)?[./0-9A-Za-z]{0,16}\$[./0-9A-Za-z]{86}$/, shape: 'SHA-512: $6$, optional rounds=N$, a salt of up to 16 characters, $, then 86 characters of [./0-9A-Za-z]' },
  { prefix: /^\$2[aby]\$/, pattern: /^\$2[aby]\$(0[4-9]|[12][0-9]|3[01])\$[./0-9A-Za-z]{53}$/, shape: 'bcrypt: $2b$, a cost of 04 to 31, $, then 53 characters of [./0-9A-Za-z]' },
  { prefix: /^\$g?y\$/, pattern: /^\$g?y\$[./0-9A-Za-z]+\$[./0-9A-Za-z]{1,86}\$[./0-9A-Za-z]{43}$/, shape: 'yescrypt: $y$, parameters, $, a salt, $, then 43 characters of [./0-9A-Za-z]' },
  { prefix: /^\$7\$/, pattern: /^\$7\$[./0-9A-Za-z]{12,}\$[./0-9A-Za-z]{43}$/, shape: 'scrypt: $7$, parameters and salt, $, then 43 characters of [./0-9A-Za-z]' },
];

/** Why `value` is not a usable crypt hash, or null when it is one. Never quotes the value: it is a secret's hash. */
export function cryptHashProblem(value: string): string | null {
  const scheme = cryptHashSchemes.find((candidate) => candidate.prefix.test(value));
  if (scheme === undefined) {
    if (/^[!*]/.test(value)) return 'a locked-password marker (! or *) is not a hash: leave passwordHash out and set lockPassword: true';
    return 'expected a crypt(3) hash: $6$ (mkpasswd -m sha-512), $5$, $y$, $2b$ or $1$';
  }
  return scheme.pattern.test(value) ? null : `not a complete crypt(3) hash; ${scheme.shape}`;
}

export const cryptHashText = z.string().superRefine((value, context) => {
  const problem = cryptHashProblem(value);
  if (problem !== null) context.addIssue({ code: 'custom', message: problem });
});
/** A file written in the guest: absolute, and a file rather than a folder (cloud-init would fail to open it). */
export const guestPathText = checked(
  (value) => value.startsWith('/') && !hasControlCharacter(value) && !value.endsWith('/') && !value.split('/').some((part) => part === '.' || part === '..'),
  (value) => `${shown(value)} is not a file path in the guest: expected an absolute path such as /etc/motd, without control characters, "." or ".." parts or a trailing /`,
);
export const instanceIdText = checked((value) => !/[\s\0]/.test(value), () => 'an instance-id cannot contain spaces or control characters');
// Accounts: cloud-init hands group names to groupadd and usermod -G, which split at commas and
// /etc/group at colons; shadow-utils accepts the same characters for groups as for users.
export const groupNameText = checked(
  (value) => userNamePattern.test(value),
  (value) => `${shown(value)} is not a valid group name: a letter or _, then letters, digits, _ . - (at most 32), no commas, colons or spaces`,
);
/** A sudoers rule is one line of /etc/sudoers.d; a line break would start a rule of its own. */
export const sudoRuleText = checked(
  (value) => !controlCharacterButTabPattern.test(value),
  () => 'expected one sudoers rule such as "ALL=(ALL) NOPASSWD:ALL", without line breaks or control characters',
);

/** Whether a path names a folder rather than a file: a trailing / or a last part of . or .. */
function namesFolder(value: string): boolean {
  const last = value.split('/').pop();
  return last === '' || last === '.' || last === '..';
}

/** A file on the hypervisor that libvirt opens (`absFilePath` in its schema): absolute, a file, one line. */
export const hostFilePathText = checked(
  (value) => value.startsWith('/') && !namesFolder(value) && !hasControlCharacter(value),
  (value) => `${shown(value)} is not an absolute file path such as /usr/bin/qemu-system-x86_64 (no control characters, no trailing /)`,
);
/** A shell is exec'd by login, so it is an absolute path of a file in the guest. */
export const shellPathText = checked(
  (value) => value.startsWith('/') && !namesFolder(value) && !hasControlCharacter(value),
  (value) => `${shown(value)} is not a shell: expected an absolute path such as /bin/bash, without control characters`,
);
/** A file the spec names, relative to the spec or absolute; plan/ checks that a relative one exists. */
export const specFilePathText = checked(
  (value) => !namesFolder(value) && !hasControlCharacter(value),
  (value) => `${shown(value)} is not a file path: expected a file (no trailing /, "." or "..") without control characters`,
);
export const specFolderPathText = checked(
  (value) => !hasControlCharacter(value),
  (value) => `${shown(value)} is not a folder path: control characters are not allowed`,
);

/** The kernel reads its command line as one line of words (/proc/cmdline); tabs separate words too. */
export const kernelCommandLineText = z.string().superRefine((value, context) => {
  if (controlCharacterButTabPattern.test(value)) {
    context.addIssue({ code: 'custom', message: 'expected a kernel command line on one line such as "console=ttyS0 root=/dev/vda1", without control characters' });
  }
});

// libvirt's own spellings, from its RNG schemas (/usr/share/libvirt/schemas) and what `virsh define`
// accepts: a value outside them is only refused when the domain is defined, long after the build.
/** `archnames` in basictypes.rng; libvirt refuses any other arch ("Unknown architecture"). */
export const libvirtArchitectures = [
  'aarch64', 'alpha', 'armv6l', 'armv7l', 'cris', 'i686', 'ia64', 'lm32', 'm68k', 'microblaze', 'microblazeel',
  'mips', 'mipsel', 'mips64', 'mips64el', 'openrisc', 'parisc', 'parisc64', 'ppc', 'ppc64', 'ppc64le', 'ppcemb',
  'riscv32', 'riscv64', 's390', 's390x', 'sh4', 'sh4eb', 'sparc', 'sparc64', 'unicore32', 'x86_64', 'xtensa', 'xtensaeb',
] as const;
export const architectureText = checked(
  (value) => (libvirtArchitectures as readonly string[]).includes(value),
  (value) => `${shown(value)} is not an architecture libvirt knows: expected one of x86_64, i686, aarch64, armv7l, ppc64le, s390x, riscv64, … (libvirt's archnames)`,
);
/** `<type machine=...>` in domaincommon.rng; QEMU would also read a comma as the start of an option. */
export const machineTypeText = checked(
  (value) => /^[A-Za-z0-9_.-]+$/.test(value),
  (value) => `${shown(value)} is not a machine type: expected letters, digits, _ . - such as q35, pc or pc-q35-8.2`,
);
/** libvirt's NET_MODEL_CHARS: a comma would otherwise pass QEMU options of its own through -device. */
export const nicModelText = checked(
  (value) => /^[A-Za-z0-9_-]+$/.test(value),
  (value) => `${shown(value)} is not a NIC model: expected letters, digits, _ - such as virtio, e1000 or rtl8139`,
);
/**
 * A host interface (macvtap parent, bridge, tap): the kernel's dev_valid_name takes 1-15 bytes (IFNAMSIZ
 * less the NUL), not "." or "..", and no /, : or whitespace; libvirt's deviceName allows only ASCII
 * letters, digits and _ . - : / \. Together that leaves these, less the backslash, which no real
 * interface uses and which shells and udev rules read as an escape.
 */
export const hostInterfaceNameText = checked(
  (value) => /^[A-Za-z0-9_.-]{1,15}$/.test(value) && value !== '.' && value !== '..',
  (value) => `${shown(value)} is not a Linux interface name: expected 1-15 of A-Z a-z 0-9 _ . - (not "." or "..")`,
);
/** libvirt's deviceName less / (libvirt refuses it: the name is a file name) and the backslash. */
export const libvirtNetworkNameText = checked(
  (value) => /^[A-Za-z0-9_.:-]+$/.test(value),
  (value) => `${shown(value)} is not a libvirt network name: expected letters, digits, _ . : - such as default`,
);

/** A password is not empty and may hold any character but a line break, which would split chpasswd's list, or NUL, where crypt(3) would end it. */
export const passwordText = z.string().superRefine((value, context) => {
  // An empty password is refused: it is what a YAML slip (a tag, an alias, a bare `password:`) leaves.
  if (value === '') context.addIssue({ code: 'custom', message: 'a password cannot be empty' });
  if (/[\r\n]/.test(value)) context.addIssue({ code: 'custom', message: 'a password cannot contain a line break' });
  if (value.includes('\0')) context.addIssue({ code: 'custom', message: 'a password cannot contain a NUL character' });
});

/** qemu-img's size suffixes: powers of 1024, as `qemu-img create ... 20G` reads them. */
const diskSizeUnits: Record<string, number> = { '': 1, K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40 };

/** Bytes of a size such as `20G`, `512M`, `20GiB` or `1073741824`, or null when it is not one. */
export function parseDiskSize(text: string): number | null {
  const match = /^(\d+)\s*([KMGT]?)(i?B)?$/i.exec(text.trim());
  if (!match) return null;
  const bytes = Number(match[1]) * diskSizeUnits[match[2]!.toUpperCase()]!;
  return Number.isSafeInteger(bytes) && bytes > 0 ? bytes : null;
}

export const diskSizeText = z.union([z.number(), z.string()]).superRefine((value, context) => {
  if (parseDiskSize(String(value)) === null) {
    context.addIssue({ code: 'custom', message: `${shown(String(value))} is not a disk size: expected a whole number with K, M, G or T (powers of 1024) such as 20G` });
  }
});

/**
 * A libvirt connection URI: `driver[+transport]://[user@][host][:port]/path[?options]`, such as
 * qemu:///system or qemu+ssh://root@host/system. virsh is handed it as one argument; a space or control
 * character can only be a slip.
 */
export const libvirtUriText = checked(
  (value) => /^[a-z][a-z0-9]*(\+[a-z0-9]+)?:\/\/[^\s/]*\/[^\s]*$/.test(value) && !hasControlCharacter(value),
  (value) => `${shown(value)} is not a libvirt connection URI: expected such as qemu:///system, qemu:///session or qemu+ssh://root@host/system`,
);

/** An interface's own address with its prefix length, as `ip address add` takes it. */
export const interfaceAddressText = checked(
  (value) => parseIpv4Cidr(value) !== null,
  (value) => `${shown(value)} is not an IPv4 address with its prefix length such as 10.40.0.1/24`,
);

/** A Kubernetes object name that is also a DNS label (RFC 1123): what namespaces and VMs need. */
const kubernetesLabelNamePattern = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export function isKubernetesLabelName(text: string): boolean {
  return kubernetesLabelNamePattern.test(text);
}

export const kubernetesNameText = checked(
  isKubernetesLabelName,
  (value) => `${shown(value)} is not a Kubernetes name: expected at most 63 lower-case letters, digits and inner hyphens (RFC 1123)`,
);

/** Where CDI downloads a root disk image from: an http(s) URL, one field of the DataVolume. */
export const httpUrlText = checked(
  (value) => /^https?:\/\/[^\s/]+(\/\S*)?$/.test(value) && !hasControlCharacter(value),
  (value) => `${shown(value)} is not an http(s) URL such as https://images.example/debian-12.qcow2`,
);

/** A container disk image CDI imports: docker://registry/repository[:tag|@digest]. */
export const registryImageText = checked(
  (value) => /^(docker|oci-archive):\/\/[^\s]+$/.test(value) && !hasControlCharacter(value),
  (value) => `${shown(value)} is not a registry image URL such as docker://quay.io/containerdisks/debian:12`,
);

/** A PVC to clone, `name` (in the fleet's namespace) or `namespace/name`. */
export const pvcReferenceText = checked(
  (value) => value.split('/').length <= 2 && value.split('/').every(isKubernetesLabelName),
  (value) => `${shown(value)} is not a PersistentVolumeClaim: expected name or namespace/name, each a Kubernetes name (RFC 1123)`,
);
