// One VM's plan from its merged settings: identity, accounts, files and commands, network drafts, domain.
import path from 'node:path';
import { isValidHostname } from '../spec/formats.js';
import { checkPasswordStorage, planChpasswd, planSsh, planUsers } from './plan-accounts.js';
import { planDomain, planSeed } from './plan-domain.js';
import { planKubevirt } from './plan-kubevirt.js';
import { planNicDrafts, type NicDraft, type PoolPlan } from './plan-network.js';
import { planWriteFiles } from './plan-write-files.js';
import type { VmPlan } from './types.js';
import type { VmContext } from './vm-context.js';

/** A VM plan whose NICs still wait for fleet-wide MAC and pool allocation. */
export interface VmDraft {
  plan: Omit<VmPlan, 'network' | 'fleet' | 'uuid' | 'hostNetwork'> & { network: Omit<VmPlan['network'], 'nics'> };
  nics: NicDraft[];
  context: VmContext;
}

function planIdentity(context: VmContext): Pick<VmPlan, 'name' | 'hostname' | 'fqdn' | 'pinnedInstanceId'> {
  const { vm } = context;
  const hostname = vm.hostname ?? vm.name;
  // A VM name may hold `_`, which a hostname may not: only then is the derived hostname wrong.
  if (vm.hostname === undefined && !isValidHostname(hostname)) {
    context.report(['name'], `"${hostname}" cannot be the hostname too (RFC 1123 allows letters, digits and inner hyphens); set hostname`);
  }
  return { name: vm.name, hostname, fqdn: vm.fqdn ?? null, pinnedInstanceId: vm.instanceId ?? null };
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
  // cloud-init renders networking (init-local) before write_files (config stage): on an EL guest
  // its sysconfig renderer writes ifcfg-<dev> too, and the seed's file then replaces it.
  if (network.ifcfg && network.config !== 'disabled') {
    context.warn(`network.ifcfg with network.config ${network.config}: on EL guests cloud-init writes the ifcfg files from network-config too, and the seed's own then replace them; set network.config: disabled to leave the NICs to the ifcfg files alone`);
  }
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
    connect: vm.connect ?? null,
    storagePool: vm.storagePool ?? 'default',
    kubevirt: planKubevirt(context),
  };
  return { plan, nics: planNicDrafts(context, pools), context };
}
