// What a KubeVirt build needs of one VM beyond what every build plans: where its root disk comes from
// on the cluster and how KubeVirt runs it. Planned for every build (it is small) so that a VM's plan,
// and so its fingerprint, does not depend on the platform; whether it is complete enough for KubeVirt
// is kubevirt/check-kubevirt.ts's to say.
import { parseDiskSize } from '../spec/formats.js';
import type { KubevirtVmPlan, KubevirtDiskSource } from './types.js';
import type { VmContext } from './vm-context.js';

export function planKubevirt(context: VmContext): KubevirtVmPlan {
  const settings = context.vm.kubevirt ?? {};
  const rootDisk = settings.rootDisk;
  const sources: KubevirtDiskSource[] = [];
  if (rootDisk?.http !== undefined) sources.push({ kind: 'http', url: rootDisk.http });
  if (rootDisk?.registry !== undefined) sources.push({ kind: 'registry', url: rootDisk.registry });
  if (rootDisk?.pvc !== undefined) {
    const [first, second] = rootDisk.pvc.split('/');
    sources.push(second === undefined ? { kind: 'pvc', namespace: null, name: first! } : { kind: 'pvc', namespace: first!, name: second });
  }
  if (sources.length > 1) {
    context.report(['kubevirt', 'rootDisk'], 'a root disk has one source: give http, registry or pvc, not several');
  }
  const size = rootDisk?.size ?? context.vm.domain?.rootDisk?.size;
  return {
    runStrategy: settings.runStrategy ?? 'Always',
    rootDisk: sources.length === 0 ? null : {
      source: sources[0]!,
      sizeBytes: size === undefined ? null : parseDiskSize(String(size)),
      storageClass: rootDisk?.storageClass ?? null,
    },
  };
}
