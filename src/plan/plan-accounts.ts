// Users, passwords and sshd settings. Plaintext passwords are hashed here (SHA-512 crypt) so that no
// later stage ever holds one, unless the spec asked for plaintext for an old guest.
import { createHmac } from 'node:crypto';
import type { FieldPath } from '../spec/source-map.js';
import type { ChpasswdPlan, PlannedPassword, SshPlan, UserPlan } from './types.js';
import { makeCryptSalt, sha512Crypt } from './sha512-crypt.js';
import type { VmContext } from './vm-context.js';


interface PasswordFields {
  password?: string | undefined;
  passwordHash?: string | undefined;
}

/**
 * The salt is derived, not drawn: a rebuild of an unchanged spec must give the same user-data, or the
 * instance-id (derived from it) would change and the guest would re-run first boot every time. It
 * depends on the fleet, the user and the password but not on the VM, so a fleet of a thousand VMs that
 * share a password costs one deliberately slow hash, not a thousand.
 */
export function passwordSalt(fleet: string, userName: string, password: string, saltSecret: string): string {
  const digest = createHmac('sha256', saltSecret).update([fleet, userName, password].join('\0')).digest();
  return makeCryptSalt(digest.subarray(0, 12));
}

/** How a hash is found in `passwordHashes`: one hash per distinct salt and password in a run. */
export function passwordHashKey(salt: string, password: string): string {
  return `${salt}\0${password}`;
}

function hashPassword(context: VmContext, userName: string, password: string): string {
  const fleet = context.spec.input.fleet ?? context.spec.fileStem;
  const salt = passwordSalt(fleet, userName, password, context.options.saltSecret);
  const key = passwordHashKey(salt, password);
  let hash = context.passwordHashes.get(key);
  if (hash === undefined) {
    hash = sha512Crypt(password, salt);
    context.passwordHashes.set(key, hash);
  }
  return hash;
}

function planPassword(
  context: VmContext,
  fields: PasswordFields,
  userName: string,
  fieldPath: FieldPath,
): PlannedPassword | null {
  if (fields.password !== undefined && fields.passwordHash !== undefined) {
    context.report(fieldPath, 'give either password or passwordHash, not both');
    return null;
  }
  if (fields.passwordHash !== undefined) return { kind: 'hash', value: fields.passwordHash };
  if (fields.password === undefined) return null;
  if (context.vm.passwordStorage === 'plaintext') return { kind: 'text', value: fields.password };
  return { kind: 'hash', value: hashPassword(context, userName, fields.password) };
}

export function planUsers(context: VmContext): UserPlan[] {
  const seen = new Set<string>();
  return (context.vm.users ?? []).map((user, index) => {
    const fieldPath = ['users', index];
    if (seen.has(user.name)) context.report([...fieldPath, 'name'], `user "${user.name}" is listed twice`);
    seen.add(user.name);
    const password = planPassword(context, user, user.name, fieldPath);
    return {
      name: user.name,
      gecos: user.gecos ?? null,
      groups: user.groups ?? [],
      sudo: user.sudo === false ? null : (user.sudo ?? null),
      shell: user.shell ?? null,
      sshAuthorizedKeys: user.sshAuthorizedKeys ?? [],
      lockPassword: user.lockPassword ?? password === null,
      password,
    };
  });
}

export function planChpasswd(context: VmContext): ChpasswdPlan | null {
  const entries: ChpasswdPlan['entries'] = [];
  (context.vm.chpasswd?.users ?? []).forEach((entry, index) => {
    const fieldPath = ['chpasswd', 'users', index];
    const password = planPassword(context, entry, entry.name, fieldPath);
    if (password) entries.push({ name: entry.name, password });
    else if (entry.password === undefined && entry.passwordHash === undefined) {
      context.report(fieldPath, 'a chpasswd entry needs password or passwordHash');
    }
  });
  if (context.vm.rootPassword !== undefined) {
    if (entries.some((entry) => entry.name === 'root')) {
      context.report(['rootPassword'], 'root already has a password under chpasswd.users');
    }
    const password = planPassword(context, { password: context.vm.rootPassword }, 'root', ['rootPassword']);
    if (password) entries.push({ name: 'root', password });
  }
  if (entries.length === 0) return null;
  return { expire: context.vm.chpasswd?.expire ?? false, entries };
}

export function planSsh(context: VmContext): SshPlan {
  const ssh = context.vm.ssh ?? {};
  return {
    passwordAuthentication: ssh.passwordAuthentication ?? null,
    permitRootLogin: ssh.permitRootLogin ?? null,
    pubkeyAuthentication: ssh.pubkeyAuthentication ?? null,
  };
}

export function checkPasswordStorage(context: VmContext): void {
  if (context.vm.passwordStorage === 'plaintext' && (context.vm.target ?? 'current') !== 'el7') {
    context.report(['passwordStorage'], 'plaintext passwords are only for old guests (target: el7); current cloud-init takes hashes');
  }
}
