// One VM's plan from its merged settings: identity, accounts, files and commands, network drafts, domain.
import path from 'node:path';
import { checkPasswordStorage, planChpasswd, planSsh, planUsers } from './plan-accounts.js';
import { planDomain, planSeed } from './plan-domain.js';
import { planNicDrafts, type NicDraft, type PoolPlan } from './plan-network.js';
import type { VmPlan, WriteFilePlan } from './types.js';
import type { VmContext } from './vm-context.js';

/** A VM plan whose NICs still wait for fleet-wide MAC and pool allocation. */
export interface VmDraft {
  plan: Omit<VmPlan, 'network'> & { network: Omit<VmPlan['network'], 'nics'> };
  nics: NicDraft[];
  context: VmContext;
}

// The name becomes a folder and a libvirt domain name: no separators, no dot-dot, nothing hidden.
const vmNamePattern = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const hostLabel = '[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
const hostnamePattern = new RegExp(`^(?=.{1,253}$)${hostLabel}(\\.${hostLabel})*$`);

function planIdentity(context: VmContext): Pick<VmPlan, 'name' | 'hostname' | 'fqdn' | 'pinnedInstanceId'> {
  const { vm, report } = context;
  if (!vmNamePattern.test(vm.name) || vm.name.includes('..')) {
    report(['name'], `"${vm.name}" is not a usable VM name: letters, digits, _ . -, starting with a letter or digit, no "..", at most 64`);
  }
  const hostname = vm.hostname ?? vm.name;
  if (!hostnamePattern.test(hostname)) {
    const field = vm.hostname === undefined ? ['name'] : ['hostname'];
    report(field, `"${hostname}" is not a valid hostname (RFC 1123: labels of letters, digits and inner hyphens)`);
  }
  if (vm.fqdn !== undefined && !hostnamePattern.test(vm.fqdn)) report(['fqdn'], `"${vm.fqdn}" is not a valid domain name`);
  if (vm.instanceId !== undefined && /[\s\0]/.test(vm.instanceId)) report(['instanceId'], 'an instance-id cannot contain spaces or control characters');
  return { name: vm.name, hostname, fqdn: vm.fqdn ?? null, pinnedInstanceId: vm.instanceId ?? null };
}

function planWriteFiles(context: VmContext): WriteFilePlan[] {
  return (context.vm.writeFiles ?? []).map((file, index) => {
    if (!file.path.startsWith('/')) context.report(['writeFiles', index, 'path'], `"${file.path}" must be an absolute path in the guest`);
    return {
      path: file.path,
      content: file.content,
      permissions: file.permissions === undefined ? null : file.permissions.padStart(4, '0'),
      owner: file.owner ?? null,
      append: file.append ?? false,
    };
  });
}

function planTemplatesDir(context: VmContext): string | null {
  if (context.vm.templates === undefined) return null;
  const dir = path.resolve(context.spec.baseDir, context.vm.templates);
  if (!context.options.environment.fileExists(dir)) context.report(['templates'], `template folder ${dir} does not exist`);
  return dir;
}

export function planVmDraft(context: VmContext, pools: Map<string, PoolPlan>): VmDraft {
  const { vm } = context;
  checkPasswordStorage(context);
  const network = { config: vm.network?.config ?? 'v2', ifcfg: vm.network?.ifcfg ?? false } as const;
  const plan: VmDraft['plan'] = {
    ...planIdentity(context),
    target: vm.target ?? 'current',
    templatesDir: planTemplatesDir(context),
    users: planUsers(context),
    chpasswd: planChpasswd(context),
    ssh: planSsh(context),
    groups: vm.groups ?? [],
    writeFiles: planWriteFiles(context),
    runcmd: vm.runcmd ?? [],
    packages: vm.packages ?? [],
    pinDatasource: vm.pinDatasource ?? true,
    network,
    domain: planDomain(context),
    seed: planSeed(context),
  };
  return { plan, nics: planNicDrafts(context, pools), context };
}
