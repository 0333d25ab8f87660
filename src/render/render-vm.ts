// Renders one VM's documents from its plan: user-data, network-config, meta-data (whose default
// instance-id is derived from the others), the libvirt domain XML and qemu.sh. The YAML and the XML
// are parsed back; the script is checked by bash and QEMU in the tests.
import { createHash } from 'node:crypto';
import type { FleetPlan, VmPlan } from '../plan/types.js';
import { checkCloudConfig, checkDomainValues, checkRenderedXml, parseRenderedYaml } from './check-document.js';
import { qemuCommand } from './qemu-command.js';
import { loadTemplate } from './template-store.js';
import { buildUserDataView } from './user-data-view.js';

/** The texts of one VM, ready to be packed and written. */
export interface SeedDocuments {
  vmName: string;
  instanceId: string;
  userData: string;
  metaData: string;
  networkConfig: string;
  domainXml: string;
  /** Runs the VM with QEMU alone, the host side of its NICs included. */
  qemuScript: string;
}

/**
 * A changed seed must be applied at the next boot and an unchanged one must not be re-applied, and
 * cloud-init decides that by comparing instance-ids. So the id follows the content of the documents.
 */
export function deriveInstanceId(vm: VmPlan, userData: string, networkConfig: string): string {
  const digest = createHash('sha256').update([vm.name, vm.hostname, userData, networkConfig].join('\0')).digest('hex');
  return `iid-${vm.name}-${digest.slice(0, 12)}`;
}

function renderYaml(vm: VmPlan, name: string, context: object): string {
  const template = loadTemplate(name, vm.templatesDir);
  const text = template.render(context);
  parseRenderedYaml(text, template.file);
  return text;
}

/**
 * The libvirt domain of `vm`. `up` renders it again for the host it defines it on, where the disks may
 * be volumes of a storage pool rather than the files `build` wrote.
 */
export function renderDomainXml(vm: VmPlan): string {
  const template = loadTemplate('domain.xml.hbs', vm.templatesDir);
  const xml = template.render({ vm });
  checkRenderedXml(xml, template.file);
  return xml;
}

/** What cloud-init reads, without the libvirt documents: all a KubeVirt build needs. */
export type CloudInitDocuments = Pick<SeedDocuments, 'vmName' | 'instanceId' | 'userData' | 'metaData' | 'networkConfig'>;

export function renderCloudInit(vm: VmPlan): CloudInitDocuments {
  const userDataTemplate = loadTemplate('user-data.hbs', vm.templatesDir);
  const userData = userDataTemplate.render(buildUserDataView(vm));
  checkCloudConfig(userData, userDataTemplate.file);
  const networkConfig = renderYaml(vm, `network-config.${vm.network.config}.hbs`, { vm });
  const instanceId = vm.pinnedInstanceId ?? deriveInstanceId(vm, userData, networkConfig);
  const metaData = renderYaml(vm, 'meta-data.hbs', { vm, instanceId });
  return { vmName: vm.name, instanceId, userData, metaData, networkConfig };
}

export function renderVm(vm: VmPlan): SeedDocuments {
  const domainXml = renderDomainXml(vm);
  const qemuScript = loadTemplate('qemu.sh.hbs', vm.templatesDir).render({ vm, command: qemuCommand(vm) });
  return { ...renderCloudInit(vm), domainXml, qemuScript };
}

export function renderFleet(plan: FleetPlan): SeedDocuments[] {
  checkDomainValues(plan);
  return plan.vms.map(renderVm);
}
