// Cluster chains: a file's clusters are the FAT entries followed from its first cluster to an
// end-of-chain mark. A chain that loops, leaves the volume or runs into a free or bad cluster is a
// damaged volume, reported with the file's name and the cluster where it went wrong.
import { concatBytes, sliceOf, u16le, u32le } from '../../byte-fields.js';
import { invalidImage } from '../../invalid-image.js';
import { endOfChainFrom, fat12EntryOffset, firstDataCluster } from '../fat-layout.js';
import type { FatRegions } from './fat-boot-sector.js';

/** The value of FAT entry `cluster`: FAT12 packs two 12-bit entries in three bytes; FAT32 uses 28 bits. */
export function fatEntry(image: Uint8Array, regions: FatRegions, cluster: number): number {
  const fat = image.subarray(regions.fatOffset, regions.fatOffset + regions.fatBytes);
  if (regions.fatType === 16) return u16le(fat, cluster * 2);
  if (regions.fatType === 32) return u32le(fat, cluster * 4) & 0x0fffffff;
  const pair = u16le(fat, fat12EntryOffset(cluster));
  return cluster % 2 === 0 ? pair & 0x0fff : pair >> 4;
}

/**
 * Which file or directory each cluster belongs to. Shared by every chain of a volume, so that files
 * cross-linked into one long chain are found at once and the volume is read in time linear in its size.
 */
export type ClusterOwners = Map<number, string>;

/** The clusters of the chain starting at `firstCluster`, checked link by link and claimed for `what`. */
export function followChain(image: Uint8Array, regions: FatRegions, firstCluster: number, what: string, owners: ClusterOwners = new Map()): number[] {
  const lastCluster = regions.clusterCount + 1;
  checkCluster(firstCluster, lastCluster, `${what} starts at`);
  const chain: number[] = [];
  const seen = new Set<number>();
  let cluster = firstCluster;
  for (;;) {
    if (seen.has(cluster)) throw invalidImage(`the cluster chain of ${what} loops: it comes back to cluster ${cluster}`, fsckHint);
    const owner = owners.get(cluster);
    if (owner !== undefined) throw invalidImage(`the cluster chain of ${what} runs into cluster ${cluster}, which ${owner} already uses`, fsckHint);
    seen.add(cluster);
    owners.set(cluster, what);
    chain.push(cluster);
    const next = fatEntry(image, regions, cluster);
    if (next >= endOfChainFrom[regions.fatType]) return chain;
    if (next === endOfChainFrom[regions.fatType] - 1) throw invalidImage(`the cluster chain of ${what} reaches a cluster marked bad after cluster ${cluster}`, fsckHint);
    checkCluster(next, lastCluster, `the cluster chain of ${what} goes from cluster ${cluster} to`);
    cluster = next;
  }
}

/** The bytes of `clusters`, cut to `size` when given. */
export function readClusters(image: Uint8Array, regions: FatRegions, clusters: readonly number[], size: number | null): Uint8Array {
  const wanted = size ?? clusters.length * regions.clusterBytes;
  const needed = Math.ceil(wanted / regions.clusterBytes);
  const parts = clusters.slice(0, needed).map((cluster) =>
    sliceOf(image, regions.dataOffset + (cluster - firstDataCluster) * regions.clusterBytes, regions.clusterBytes, `cluster ${cluster}`),
  );
  return concatBytes(parts).subarray(0, wanted);
}

const fsckHint = 'the FAT volume is damaged; fsck.vfat -n shows what is wrong';

function checkCluster(cluster: number, lastCluster: number, context: string): void {
  if (cluster === 0) throw invalidImage(`${context} a free cluster (0)`, fsckHint);
  if (cluster < firstDataCluster || cluster > lastCluster) {
    throw invalidImage(`${context} cluster ${cluster}, outside the volume's clusters 2 to ${lastCluster}`, fsckHint);
  }
}
