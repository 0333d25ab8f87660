// What user-data says beyond the spec's own entries: the files cloudseed adds (sshd settings, ifcfg,
// the datasource pin) and the commands old guests need, chosen per cloud-init target.
import type { CloudInitTarget, PlannedPassword, UserPlan, VmPlan, WriteFilePlan } from '../plan/types.js';
import { parseRenderedYaml } from './check-document.js';
import { statusResponderCommand } from './status-responder.js';
import { loadTemplate } from './template-store.js';

/** A user as the template writes it: the plan and the cloud-init key its password goes under. */
export type UserView = UserPlan & { passwordKey: UserPasswordKey | null };

type UserPasswordKey = 'hashed_passwd' | 'passwd' | 'plain_text_passwd';

export interface UserDataView {
  vm: VmPlan;
  users: UserView[];
  writeFiles: WriteFilePlan[];
  runcmd: (string | string[])[];
  /** Commands for every boot: the status channel's responder. */
  bootcmd: string[][];
  /** el7's `chpasswd.list`: one `name:password` line per entry. */
  chpasswdList: string | null;
  sshPwauth: { value: boolean } | null;
}

/**
 * cloud-init's key for a user's password, by kind and target. `passwd` is a hash for useradd -p (el7's
 * cloud-init has it; current cloud-init prefers `hashed_passwd`). Clear text goes to
 * `plain_text_passwd`, which cloud-init sets through chpasswd; under `passwd` it would land in
 * /etc/shadow as if it were a hash.
 */
const userPasswordKeys: Record<CloudInitTarget, Record<PlannedPassword['kind'], UserPasswordKey>> = {
  el7: { hash: 'passwd', text: 'plain_text_passwd' },
  current: { hash: 'hashed_passwd', text: 'plain_text_passwd' },
};

const sshdConfigFile = '/etc/ssh/sshd_config';
const sshdDropIn = '/etc/ssh/sshd_config.d/00-cloudseed.conf';

function sshdDirectives(vm: VmPlan): { key: string; value: string }[] {
  const yesNo = (flag: boolean) => (flag ? 'yes' : 'no');
  const directives: { key: string; value: string }[] = [];
  if (vm.ssh.permitRootLogin !== null) directives.push({ key: 'PermitRootLogin', value: vm.ssh.permitRootLogin });
  if (vm.ssh.passwordAuthentication !== null) directives.push({ key: 'PasswordAuthentication', value: yesNo(vm.ssh.passwordAuthentication) });
  if (vm.ssh.pubkeyAuthentication !== null) directives.push({ key: 'PubkeyAuthentication', value: yesNo(vm.ssh.pubkeyAuthentication) });
  return directives;
}

function systemFile(path: string, content: string, permissions: string): WriteFilePlan {
  return { path, content, encoding: 'text', permissions, owner: 'root:root', append: false, defer: false };
}

function renderFile(vm: VmPlan, template: string, context: object): string {
  return loadTemplate(template, vm.templatesDir).render(context);
}

/** The cloud.cfg.d drop-in is YAML inside YAML: parse it too, so a broken override is caught here. */
function datasourcePin(vm: VmPlan): WriteFilePlan {
  const template = loadTemplate('cloud.cfg.d.hbs', vm.templatesDir);
  const content = template.render({ vm, networkDisabled: vm.network.config === 'disabled' });
  parseRenderedYaml(content, template.file);
  return systemFile('/etc/cloud/cloud.cfg.d/99-cloudseed.cfg', content, '0644');
}

function ifcfgFiles(vm: VmPlan): WriteFilePlan[] {
  if (!vm.network.ifcfg) return [];
  return vm.network.nics.flatMap((nic) => {
    const directory = '/etc/sysconfig/network-scripts';
    const files = [systemFile(`${directory}/ifcfg-${nic.device}`, renderFile(vm, 'ifcfg.hbs', { vm, nic }), '0644')];
    if (nic.routes.length > 0) files.push(systemFile(`${directory}/route-${nic.device}`, renderFile(vm, 'route.hbs', { vm, nic }), '0644'));
    return files;
  });
}

/**
 * sshd keeps the first value it reads for a keyword. Current images include sshd_config.d/*.conf
 * at the top of sshd_config, and cloud-init writes files before sshd starts, so a drop-in is enough.
 * The OpenSSH 7.4 of el7 has no Include: there the directives are put at the top of sshd_config
 * itself (after deleting the old ones) and sshd is restarted, as the article did by hand.
 */
function sshdChanges(vm: VmPlan): { files: WriteFilePlan[]; commands: string[][] } {
  const directives = sshdDirectives(vm);
  if (directives.length === 0) return { files: [], commands: [] };
  if (vm.target !== 'el7') {
    return { files: [systemFile(sshdDropIn, renderFile(vm, 'sshd_config.d.hbs', { vm, directives }), '0644')], commands: [] };
  }
  const keys = directives.map((directive) => directive.key).join('|');
  const inserts = directives.flatMap((directive) => ['-e', `1i ${directive.key} ${directive.value}`]);
  // The inserts come before the delete: `d` ends the cycle, so when line 1 is itself one of these
  // directives (as after an earlier run, when a new instance-id runs runcmd again) later `1i`s never run.
  // Only the global part (up to the first Match) loses its old lines; per-user Match overrides stay.
  const deleteGlobal = `1,/^[[:space:]]*Match[[:space:]]/{/^[[:space:]]*(${keys})[[:space:]]/d}`;
  return {
    files: [],
    commands: [
      ['sed', '-i', '-E', ...inserts, '-e', deleteGlobal, sshdConfigFile],
      ['systemctl', 'restart', 'sshd'],
    ],
  };
}

/** Where el7's deferred files wait (tmpfs, root only) between write_files and runcmd. */
const deferredStaging = '/run/cloudseed-deferred';

/** Puts a staged file in place as cloud-init's write_files would: parents 0755, the file never readable by others before its chmod. */
const placeDeferredFile = (append: boolean) =>
  `mkdir -p -- "$(dirname -- "$2")" && (umask 077 && cat -- "$1" ${append ? '>>' : '>'}"$2") && chmod "$3" "$2" && chown "$4" "$2" && rm -f -- "$1"`;

/**
 * The spec's files, and the commands el7 needs to defer some. Current cloud-init (21.4+) writes a file
 * with `defer: true` in its final stage, after users and groups exist. el7's has no `defer` and would
 * write the file before its owner exists (and fail to chown it), so there the file is written to a
 * staging path and runcmd, which also runs in the final stage, moves it into place first thing.
 */
function specFiles(vm: VmPlan): { files: WriteFilePlan[]; commands: string[][] } {
  if (vm.target !== 'el7') return { files: vm.writeFiles, commands: [] };
  const commands: string[][] = [];
  const files = vm.writeFiles.map((file, index) => {
    if (!file.defer) return file;
    const staged = `${deferredStaging}/${index}`;
    commands.push(['sh', '-c', placeDeferredFile(file.append), 'cloudseed-deferred', staged, file.path, file.permissions ?? '0644', file.owner ?? 'root:root']);
    return { ...file, path: staged, permissions: '0600', owner: 'root:root', append: false, defer: false };
  });
  return { files, commands };
}

export function buildUserDataView(vm: VmPlan): UserDataView {
  const sshd = sshdChanges(vm);
  const spec = specFiles(vm);
  const systemFiles = [...(vm.pinDatasource ? [datasourcePin(vm)] : []), ...sshd.files, ...ifcfgFiles(vm)];
  const chpasswdList = vm.chpasswd && vm.target === 'el7'
    ? vm.chpasswd.entries.map((entry) => `${entry.name}:${entry.password.value}\n`).join('')
    : null;
  return {
    vm,
    users: vm.users.map((user) => ({ ...user, passwordKey: user.password ? userPasswordKeys[vm.target][user.password.kind] : null })),
    // The spec's own files come last, so they win over cloudseed's where both write one path.
    writeFiles: [...systemFiles, ...spec.files],
    runcmd: [...spec.commands, ...vm.runcmd, ...sshd.commands],
    bootcmd: vm.domain.statusChannel ? [statusResponderCommand] : [],
    chpasswdList,
    sshPwauth: vm.ssh.passwordAuthentication === null ? null : { value: vm.ssh.passwordAuthentication },
  };
}
