// manifest.json: what one run built, from which spec, with which packer, and checksums to verify it
// by. It names files and hashes them but never copies their contents, so no secret reaches it.
import { createHash } from 'node:crypto';
import type { FleetPlan, VmPlan } from '../plan/types.js';
import type { SeedDocuments } from '../render/index.js';
import type { PackedSeed } from '../pack/index.js';
import type { OutputFile } from './stage-generation.js';

export interface BuiltVm {
  /** built: written by this run; kept: unchanged since the live build, its files carried over as they were. */
  status: 'built' | 'kept';
  plan: VmPlan;
  documents: SeedDocuments;
  files: OutputFile[];
  /** null when the run rendered documents without packing a seed. */
  packer: PackedSeed['packer'] | null;
}

function sha256(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** One VM as manifest.json and `--json` show it: names, addresses, MACs, the seed, every file's sha256. */
export function describeVm(vm: BuiltVm) {
  const { plan } = vm;
  return {
    name: plan.name,
    hostname: plan.hostname,
    instanceId: vm.documents.instanceId,
    target: plan.target,
    domainType: plan.domain.type,
    nics: plan.network.nics.map((nic) => ({
      device: nic.device,
      mac: nic.macAddress,
      address: nic.addressing.kind === 'static' ? `${nic.addressing.address}/${nic.addressing.prefix}` : 'dhcp',
      host: nic.host,
    })),
    seed: vm.packer === null ? null : {
      file: plan.seed.fileName,
      hostPath: plan.seed.hostPath,
      filesystem: plan.seed.filesystem,
      format: plan.seed.format,
      label: plan.seed.label,
      packer: vm.packer,
    },
    files: vm.files.map((file) => ({ name: file.name, bytes: Buffer.byteLength(file.bytes), sha256: sha256(file.bytes) })),
  };
}

export interface ManifestInput {
  plan: FleetPlan;
  specText: string;
  vms: BuiltVm[];
  cloudseedVersion: string;
  sourceDateEpoch: number | null;
}

export function buildManifest(input: ManifestInput): OutputFile {
  const manifest = {
    cloudseed: input.cloudseedVersion,
    fleet: input.plan.fleet,
    spec: { file: input.plan.specFile, sha256: sha256(input.specText) },
    sourceDateEpoch: input.sourceDateEpoch,
    vms: input.vms.map(describeVm),
    warnings: input.plan.warnings,
  };
  return { name: 'manifest.json', bytes: `${JSON.stringify(manifest, null, 2)}\n`, mode: 0o644 };
}
