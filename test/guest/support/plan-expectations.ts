// What a guest seeded from a VM's plan must look like: files (as user-data asks cloud-init to write
// them), sshd settings, NICs and routes, and the plaintext passwords the spec gave, to check the
// hashes in /etc/shadow against.
import { execa } from 'execa';
import { parse } from 'yaml';
import type { VmPlan } from '../../../src/index.js';

export interface ExpectedFile {
  path: string;
  content: Buffer;
  mode: string;
  owner: string;
}

interface UserDataFile {
  path: string;
  content?: string;
  encoding?: string;
  permissions?: string;
  owner?: string;
  append?: boolean;
}

/** Where el7's deferred files wait until runcmd places them (see user-data-view.ts). */
const el7Staging = '/run/cloudseed-deferred/';

/**
 * Every file user-data's write_files names, as it must end up: the spec's own and the ones cloudseed
 * adds (datasource pin, sshd drop-in, ifcfg). An appended entry extends the file; cloud-init's
 * defaults are mode 0644 and owner root:root. On el7 a deferred file is staged and put in place by
 * runcmd, after every write_files entry: it is taken from the plan, last.
 */
export function expectedFiles(userData: string, vm: VmPlan): ExpectedFile[] {
  const written = ((parse(userData) as { write_files?: UserDataFile[] }).write_files ?? [])
    .filter((entry) => !entry.path.startsWith(el7Staging));
  const placedLater = vm.target === 'el7' ? vm.writeFiles.filter((file) => file.defer) : [];
  const files = new Map<string, ExpectedFile>();
  for (const entry of [...written, ...placedLater]) {
    const bytes = Buffer.from(entry.content ?? '', entry.encoding === 'b64' ? 'base64' : 'utf8');
    const previous = files.get(entry.path);
    const mode = (entry.permissions ?? '0644').replace(/^0?(?=[0-7]{3}$)/, '0');
    const owner = entry.owner ?? 'root:root';
    files.set(entry.path, entry.append && previous
      ? { ...previous, content: Buffer.concat([previous.content, bytes]) }
      : { path: entry.path, content: bytes, mode, owner });
  }
  return [...files.values()];
}

/** `sshd -T` prints prohibit-password by its older name. */
export function expectedSshd(vm: VmPlan): Record<string, string> {
  const expected: Record<string, string> = {};
  const yesNo = (flag: boolean) => (flag ? 'yes' : 'no');
  if (vm.ssh.permitRootLogin !== null) {
    expected.permitrootlogin = vm.ssh.permitRootLogin === 'prohibit-password' ? 'without-password' : vm.ssh.permitRootLogin;
  }
  if (vm.ssh.passwordAuthentication !== null) expected.passwordauthentication = yesNo(vm.ssh.passwordAuthentication);
  if (vm.ssh.pubkeyAuthentication !== null) expected.pubkeyauthentication = yesNo(vm.ssh.pubkeyAuthentication);
  return expected;
}

export interface ExpectedLink {
  device: string;
  mac: string;
  mtu: number | null;
  addresses: string[];
  dnsServers: string[];
  dnsSearch: string[];
}

export interface ExpectedRoute {
  dst: string;
  gateway: string;
  dev: string;
  metric: number | null;
}

export function expectedLinks(vm: VmPlan): ExpectedLink[] {
  return vm.network.nics.map((nic) => ({
    device: nic.device,
    mac: nic.macAddress,
    mtu: nic.mtu,
    addresses: nic.addressing.kind === 'static' ? [`${nic.addressing.address}/${nic.addressing.prefix}`] : [],
    dnsServers: nic.dnsServers,
    dnsSearch: nic.dnsSearch,
  }));
}

export function expectedRoutes(vm: VmPlan): ExpectedRoute[] {
  return vm.network.nics.flatMap((nic) => [
    ...(nic.gateway ? [{ dst: 'default', gateway: nic.gateway, dev: nic.device, metric: null }] : []),
    ...nic.routes.map((route) => ({ dst: `${route.network}/${route.prefix}`, gateway: route.via, dev: nic.device, metric: route.metric })),
  ]);
}

interface SpecPasswords {
  vms: {
    name: string;
    users?: { name: string; password?: string }[];
    rootPassword?: string;
    chpasswd?: { users?: { name: string; password?: string }[] };
  }[];
}

/** The plaintext passwords a spec gives one VM, by user; chpasswd runs last, so it wins. */
export function specPasswords(specText: string, vmName: string): Map<string, string> {
  const vm = (parse(specText) as SpecPasswords).vms.find((candidate) => candidate.name === vmName);
  const passwords = new Map<string, string>();
  for (const user of vm?.users ?? []) if (user.password !== undefined) passwords.set(user.name, user.password);
  if (vm?.rootPassword !== undefined) passwords.set('root', vm.rootPassword);
  for (const entry of vm?.chpasswd?.users ?? []) if (entry.password !== undefined) passwords.set(entry.name, entry.password);
  return passwords;
}

/** Checks a SHA-512 crypt hash from /etc/shadow with openssl, not with cloudseed's own code. */
export async function passwordMatches(password: string, shadowHash: string): Promise<boolean> {
  const salt = /^\$6\$([^$]+)\$[^$]+$/.exec(shadowHash)?.[1];
  if (salt === undefined || salt.startsWith('rounds=')) return false;
  const { stdout } = await execa('openssl', ['passwd', '-6', '-salt', salt, '-stdin'], { input: `${password}\n` });
  return stdout.trim() === shadowHash;
}
