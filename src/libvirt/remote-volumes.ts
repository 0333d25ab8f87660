// On a remote host (qemu+ssh://host/system) the files `build` wrote are not there: the seed, the base
// image and the VM's overlay become volumes of a libvirt storage pool on that host, made and uploaded
// through libvirt's own connection (vol-create-as, vol-upload), and the domain points at their paths.
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CloudseedError } from '../errors.js';
import type { VmPlan } from '../plan/types.js';
import type { MadeDisk } from './disk-records.js';
import { imageInfo } from './root-disks.js';
import { tryVirsh, virsh, type Connection } from '../host/virsh.js';

export interface RemoteDisks {
  /** The VM as the remote host sees it: disks at their volumes' paths. */
  plan: VmPlan;
  actions: string[];
}

/** A pool that is missing or stopped is the host's problem, found before anything is made. */
export async function checkPool(connection: Connection, pool: string): Promise<string | null> {
  const info = await tryVirsh(connection, ['pool-info', '--pool', pool]);
  if (!info.ok) return `storage pool ${pool} does not exist on ${connection.uri} (virsh pool-define-as ${pool} dir --target /var/lib/libvirt/images; virsh pool-start ${pool})`;
  if (!/^State:\s*running/m.test(info.stdout)) return `storage pool ${pool} on ${connection.uri} is not running (virsh pool-start ${pool})`;
  return null;
}

async function volumePath(connection: Connection, pool: string, volume: string): Promise<string | null> {
  const result = await tryVirsh(connection, ['vol-path', '--pool', pool, '--vol', volume]);
  return result.ok ? result.stdout.trim() : null;
}

async function uploadVolume(connection: Connection, pool: string, volume: string, file: string): Promise<void> {
  const { size } = await stat(file);
  await virsh(connection, ['vol-create-as', '--pool', pool, '--name', volume, '--capacity', String(size), '--format', 'raw'], `creating volume ${volume}`);
  await virsh(connection, ['vol-upload', '--pool', pool, '--vol', volume, '--file', file], `uploading ${file}`, { timeoutMs: 60 * 60_000 });
  // libvirt probes the format again: an uploaded qcow2 base is qcow2 from here on.
  await virsh(connection, ['pool-refresh', '--pool', pool], `refreshing pool ${pool}`);
}

/** Whether the volume holds exactly `bytes` (a seed is small enough to compare whole). */
async function volumeHolds(connection: Connection, pool: string, volume: string, bytes: Buffer): Promise<boolean> {
  const folder = await mkdtemp(path.join(tmpdir(), 'cloudseed-volume-'));
  try {
    const copy = path.join(folder, 'volume');
    const result = await tryVirsh(connection, ['vol-download', '--pool', pool, '--vol', volume, '--file', copy]);
    return result.ok && Buffer.compare(await readFile(copy), bytes) === 0;
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

/** The base's volume name: its file name and a hash of where it is, its size and mtime, so a new base is uploaded again. */
async function baseVolumeName(base: string): Promise<string> {
  const { size, mtimeMs } = await stat(base);
  const tag = createHash('sha256').update(`${base}\0${size}\0${mtimeMs}`).digest('hex').slice(0, 12);
  return `cloudseed-base-${tag}-${path.basename(base)}`;
}

/**
 * Uploads and makes what the VM needs in its pool. `record` notes each volume as cloudseed's before it
 * is made, so that a run killed half-way leaves nothing of ours unrecorded.
 */
export async function prepareRemoteDisks(connection: Connection, vm: VmPlan, options: { resetDisk: boolean; record: (disks: MadeDisk[]) => void }): Promise<RemoteDisks> {
  const pool = vm.storagePool;
  const actions: string[] = [];
  const volume = (name: string): MadeDisk => ({ vm: vm.name, kind: 'volume', uri: connection.uri, path: `${pool}/${name}`, pool, volume: name });
  let plan = vm;

  if (vm.domain.seedAttach !== null) {
    const seedVolume = `${vm.name}.${vm.seed.fileName}`;
    const bytes = await readFile(vm.seed.hostPath);
    const existing = await volumePath(connection, pool, seedVolume);
    options.record([volume(seedVolume)]);
    if (existing === null || !(await volumeHolds(connection, pool, seedVolume, bytes))) {
      if (existing !== null) await virsh(connection, ['vol-delete', '--pool', pool, '--vol', seedVolume], `replacing volume ${seedVolume}`);
      await uploadVolume(connection, pool, seedVolume, vm.seed.hostPath);
      actions.push(`seed uploaded to ${pool}/${seedVolume}`);
    }
    plan = { ...plan, seed: { ...plan.seed, hostPath: (await volumePath(connection, pool, seedVolume))! } };
  }

  const overlay = vm.domain.rootDisk.overlay;
  if (overlay !== null) {
    const baseVolume = await baseVolumeName(overlay.base);
    // Every VM over it records it: destroy --remove-disks removes it with the last of them.
    options.record([{ ...volume(baseVolume), base: true }]);
    if ((await volumePath(connection, pool, baseVolume)) === null) {
      await uploadVolume(connection, pool, baseVolume, overlay.base);
      actions.push(`base uploaded to ${pool}/${baseVolume}`);
    }
    const rootVolume = `${vm.name}.root.qcow2`;
    const existing = await volumePath(connection, pool, rootVolume);
    if (existing !== null && options.resetDisk) await virsh(connection, ['vol-delete', '--pool', pool, '--vol', rootVolume], `resetting volume ${rootVolume}`);
    if (existing === null || options.resetDisk) {
      options.record([volume(rootVolume)]);
      const capacity = overlay.sizeBytes ?? (await imageInfo(overlay.base)).virtualSize;
      await virsh(connection, [
        'vol-create-as', '--pool', pool, '--name', rootVolume, '--capacity', String(capacity), '--format', 'qcow2',
        '--backing-vol', baseVolume, '--backing-vol-format', overlay.baseFormat,
      ], `creating volume ${rootVolume}`);
      actions.push(existing === null ? `disk created in ${pool}/${rootVolume}` : 'disk reset');
    }
    const rootPath = await volumePath(connection, pool, rootVolume);
    if (rootPath === null) throw new CloudseedError('TOOL_FAILED', `VM ${vm.name}: volume ${rootVolume} was made but ${pool} does not list it`);
    plan = { ...plan, domain: { ...plan.domain, rootDisk: { ...plan.domain.rootDisk, path: rootPath } } };
  }
  return { plan, actions };
}
