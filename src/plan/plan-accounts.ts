// Users, passwords and sshd settings. Plaintext passwords are hashed here (SHA-512 crypt) so that no
// later stage ever holds one, unless the spec asked for plaintext for an old guest.
import { createHmac } from 'node:crypto';
import { CloudseedError } from '../errors.js';
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
 * instance-id (derived from it) would change and the guest would re-run first boot every time. It is
 * keyed by a secret (see salt-secret.ts) and depends on the fleet and the user only: never on the
 * password, so a salt in user-data tells nothing about it (checking a guess costs the full slow hash),
 * and never on the VM, so a fleet of a thousand VMs that share a password costs one hash, not a thousand.
 */
export function passwordSalt(fleet: string, userName: string, saltSecret: string): string {
  if (saltSecret === '') throw new CloudseedError('INTERNAL', 'a password salt was asked for without a salt secret');
  const digest = createHmac('sha256', saltSecret).update(`${fleet}\0${userName}`).digest();
  return makeCryptSalt(digest.subarray(0, 12));
}

/** How a hash is found in `passwordHashes`: one hash per distinct salt and password in a run. */
export function passwordHashKey(salt: string, password: string): string {
  return `${salt}\0${password}`;
}

function hashPassword(context: VmContext, userName: string, password: string): string {
  const fleet = context.spec.input.fleet ?? context.spec.fileStem;
  const salt = passwordSalt(fleet, userName, context.options.saltSecret);
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

/** cloud-init's own test (cc_set_passwords) of whether a `chpasswd.list` line's password is a hash. */
const chpasswdListHash = /^\$(1|2a|2y|5|6)(\$.+){2}/;
/** chpasswd(8) reads lines into a buffer of BUFSIZ (8192) bytes and refuses longer ones. */
const chpasswdLineLimit = 8190;

/**
 * el7's `chpasswd.list` is `name:password` lines that cloud-init 18 sorts by looks: a value like a
 * $1/$2a/$2y/$5/$6 hash without ":" is set as a hash, "R" or "RANDOM" as a random password, anything
 * else as a plaintext password. A value that would be taken for what it is not is refused. (chpasswd(8)
 * splits at the first ":", so a ":" inside a plaintext password is fine.)
 */
function checkChpasswdListEntry(context: VmContext, name: string, password: PlannedPassword, fieldPath: FieldPath): void {
  const looksHashed = chpasswdListHash.test(password.value) && !password.value.includes(':');
  if (password.kind === 'hash' && !looksHashed) {
    context.report(fieldPath, "cloud-init 18's chpasswd list takes only $1$, $2a$, $2y$, $5$ and $6$ hashes: it would set this one as a plaintext password");
  } else if (password.kind === 'text' && (looksHashed || password.value === 'R' || password.value === 'RANDOM')) {
    context.report(fieldPath, "cloud-init 18's chpasswd list would take this plaintext password for a hash or for R/RANDOM (a random password)");
  } else if (Buffer.byteLength(`${name}:${password.value}`) > chpasswdLineLimit) {
    context.report(fieldPath, `the password is too long for chpasswd (at most ${chpasswdLineLimit} bytes with the user name)`);
  }
}

export function planChpasswd(context: VmContext): ChpasswdPlan | null {
  const entries: (ChpasswdPlan['entries'][number] & { fieldPath: FieldPath })[] = [];
  (context.vm.chpasswd?.users ?? []).forEach((entry, index) => {
    const fieldPath = ['chpasswd', 'users', index];
    const password = planPassword(context, entry, entry.name, fieldPath);
    if (password) entries.push({ name: entry.name, password, fieldPath });
    else if (entry.password === undefined && entry.passwordHash === undefined) {
      context.report(fieldPath, 'a chpasswd entry needs password or passwordHash');
    }
  });
  if (context.vm.rootPassword !== undefined) {
    if (entries.some((entry) => entry.name === 'root')) {
      context.report(['rootPassword'], 'root already has a password under chpasswd.users');
    }
    const password = planPassword(context, { password: context.vm.rootPassword }, 'root', ['rootPassword']);
    if (password) entries.push({ name: 'root', password, fieldPath: ['rootPassword'] });
  }
  if ((context.vm.target ?? 'current') === 'el7') {
    for (const entry of entries) checkChpasswdListEntry(context, entry.name, entry.password, entry.fieldPath);
  }
  if (entries.length === 0) return null;
  return { expire: context.vm.chpasswd?.expire ?? false, entries: entries.map(({ name, password }) => ({ name, password })) };
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
