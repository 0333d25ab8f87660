// manifest.json: what the live build holds, from which spec, with which packer, each VM's status, and
// checksums to verify it by. It names files and hashes them but never copies their contents, so no
// secret reaches it.
import { createHash } from 'node:crypto';
import type { FleetPlan, VmPlan } from '../plan/types.js';
import type { PackedSeed } from '../pack/index.js';
import type { OutputFile } from './stage-generation.js';

/** What manifest.json and `--json` say of one VM: names, addresses, MACs, the seed, every file's sha256. */
export type VmRecord = ReturnType<typeof vmRecord>;

export interface BuiltVm {
  /** built: written by this run; kept: unchanged since the live build, its files left as they were. */
  status: 'built' | 'kept';
  plan: VmPlan;
  record: VmRecord;
}

/** A VM the spec no longer has, with its record from the build that last wrote it. */
export interface RemovedVm {
  name: string;
  record: VmRecord;
}

export type ManifestStatus = BuiltVm['status'] | 'removed';

export function sha256(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function vmRecord(plan: VmPlan, instanceId: string, files: readonly OutputFile[], packer: PackedSeed['packer'] | null) {
  return {
    name: plan.name,
    hostname: plan.hostname,
    instanceId,
    target: plan.target,
    domainType: plan.domain.type,
    nics: plan.network.nics.map((nic) => ({
      device: nic.device,
      mac: nic.macAddress,
      address: nic.addressing.kind === 'static' ? `${nic.addressing.address}/${nic.addressing.prefix}` : 'dhcp',
      host: nic.host,
    })),
    seed: packer === null ? null : {
      file: plan.seed.fileName,
      hostPath: plan.seed.hostPath,
      filesystem: plan.seed.filesystem,
      format: plan.seed.format,
      label: plan.seed.label,
      packer,
    },
    files: files.map((file) => ({ name: file.name, bytes: Buffer.byteLength(file.bytes), sha256: sha256(file.bytes) })),
  };
}

export function describeVm(vm: BuiltVm): VmRecord {
  return vm.record;
}

export interface ManifestInput {
  plan: FleetPlan;
  specText: string;
  vms: readonly BuiltVm[];
  /** Kept in the output folder until a build with --prune. */
  removed: readonly RemovedVm[];
  cloudseedVersion: string;
  sourceDateEpoch: number | null;
  platform: 'libvirt' | 'kubevirt';
  namespace: string | null;
}

export function buildManifest(input: ManifestInput): OutputFile {
  const manifest = {
    cloudseed: input.cloudseedVersion,
    fleet: input.plan.fleet,
    spec: { file: input.plan.specFile, sha256: sha256(input.specText) },
    sourceDateEpoch: input.sourceDateEpoch,
    platform: input.platform,
    ...(input.platform === 'kubevirt' ? { namespace: input.namespace } : {}),
    vms: [
      ...input.vms.map((vm) => ({ status: vm.status as ManifestStatus, ...vm.record })),
      ...input.removed.map((vm) => ({ status: 'removed' as ManifestStatus, ...vm.record })),
    ],
    warnings: input.plan.warnings,
  };
  return { name: 'manifest.json', bytes: `${JSON.stringify(manifest, null, 2)}\n`, mode: 0o644 };
}
