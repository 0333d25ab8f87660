// One VM from its rendered documents to the files of its folder: the seed packed, the documents and
// domain.xml beside it.
import { packSeed, type PackedSeed } from '../pack/index.js';
import type { SeedFile } from '../pack/seed-file.js';
import type { VmPlan } from '../plan/types.js';
import type { SeedDocuments } from '../render/index.js';
import { vmRecord, type BuiltVm } from './manifest.js';
import type { OutputFile } from './stage-generation.js';

/** What every VM of a run shares. */
export interface VmBuildOptions {
  /** Stop after rendering: no seed image. */
  renderOnly: boolean;
  sourceDateEpoch: number | null;
  /** Stamped on native images when there is no SOURCE_DATE_EPOCH, read once per run. */
  buildTime: number;
}

/** A VM's documents and, unless rendering only, its packed seed. */
export interface RenderedVm {
  documents: SeedDocuments;
  image: PackedSeed | null;
}

/** The files of a seed volume; user-data holds password hashes, so it is 0600 like the image. */
export function seedFilesOf(documents: Pick<SeedDocuments, 'userData' | 'metaData' | 'networkConfig'>): SeedFile[] {
  const encode = (text: string) => new TextEncoder().encode(text);
  return [
    { path: 'user-data', bytes: encode(documents.userData), mode: 0o600 },
    { path: 'meta-data', bytes: encode(documents.metaData), mode: 0o644 },
    { path: 'network-config', bytes: encode(documents.networkConfig), mode: 0o644 },
  ];
}

export async function packVm(vm: VmPlan, documents: SeedDocuments, options: VmBuildOptions): Promise<RenderedVm> {
  if (options.renderOnly) return { documents, image: null };
  const image = await packSeed(seedFilesOf(documents), {
    label: vm.seed.label,
    filesystem: vm.seed.filesystem,
    diskFormat: vm.seed.format,
    sourceDateEpoch: options.sourceDateEpoch,
    buildTime: options.buildTime,
    packer: vm.seed.packer,
  });
  return { documents, image };
}

/** The files written to the VM's folder: its documents, domain.xml, qemu.sh and the seed image. */
export function vmFiles(vm: VmPlan, { documents, image }: RenderedVm): OutputFile[] {
  const files: OutputFile[] = [
    ...seedFilesOf(documents).map((file) => ({ name: file.path, bytes: file.bytes, mode: file.mode })),
    { name: 'domain.xml', bytes: documents.domainXml, mode: 0o644 },
    { name: 'qemu.sh', bytes: documents.qemuScript, mode: 0o755 },
  ];
  if (image !== null) files.push({ name: vm.seed.fileName, bytes: image.bytes, mode: 0o600 });
  return files;
}

/** A VM this run built, with its files as written. */
export function builtVm(vm: VmPlan, rendered: RenderedVm, files: readonly OutputFile[]): BuiltVm {
  return { status: 'built', plan: vm, record: vmRecord(vm, rendered.documents.instanceId, files, rendered.image?.packer ?? null) };
}
