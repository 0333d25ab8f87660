// Reads a FAT12/16/32 volume: type by cluster count, both labels (root directory entry and boot
// sector: blkid's LABEL and LABEL_FATBOOT), every file and directory under its long name (or 8.3
// name), and file bytes. Every cluster chain is followed once up front, so damage shows at once.
import { checkEntryCount, checkedEntryName } from '../../entry-names.js';
import { invalidImage } from '../../invalid-image.js';
import { fileReader, type FatVolume, type ImageEntry } from '../../image-volume.js';
import { readFatRegions, type FatRegions } from './fat-boot-sector.js';
import { followChain, readClusters, type ClusterOwners } from './fat-chains.js';
import { parseDirectory, type FatDirectory } from './fat-directory.js';

interface FatEntry extends ImageEntry {
  clusters: number[];
}

interface WalkContext {
  image: Uint8Array;
  regions: FatRegions;
  visited: Set<number>;
  owners: ClusterOwners;
  entries: FatEntry[];
}

// Paths deeper than this are a directory loop in a corrupt volume; the visited set catches most sooner.
const maxDepth = 64;

/** Pure: the bytes of a FAT volume in, its structure out. Throws SPEC_INVALID on damage. */
export function readFat(image: Uint8Array): FatVolume {
  const regions = readFatRegions(image);
  const context: WalkContext = { image, regions, visited: new Set(), owners: new Map(), entries: [] };
  const root = parseDirectory(rootDirectoryBytes(context));
  walkDirectory(context, root, '', 0);
  const directoryLabel = root.label === '' ? null : root.label;
  return {
    format: 'vfat',
    fatType: regions.fatType,
    label: directoryLabel,
    directoryLabel,
    bootSectorLabel: regions.bootSectorLabel,
    volumeSerial: regions.volumeSerial === null ? null : formatSerial(regions.volumeSerial),
    clusterBytes: regions.clusterBytes,
    entries: context.entries.map(({ clusters: _clusters, ...entry }) => entry),
    readFile: fileReader(context.entries, (entry) => readClusters(image, regions, entry.clusters, entry.size)),
  };
}

function rootDirectoryBytes(context: WalkContext): Uint8Array {
  const { image, regions } = context;
  if (regions.rootCluster === null) return image.subarray(regions.rootDirectoryOffset, regions.rootDirectoryOffset + regions.rootDirectoryBytes);
  context.visited.add(regions.rootCluster);
  return readClusters(image, regions, followChain(image, regions, regions.rootCluster, 'the root directory', context.owners), null);
}

function walkDirectory(context: WalkContext, directory: FatDirectory, parent: string, depth: number): void {
  for (const item of directory.items) {
    const name = checkedEntryName(item.name, parent === '' ? 'the root directory' : `the directory ${parent}`);
    const path = parent === '' ? name : `${parent}/${name}`;
    checkEntryCount(context.entries.length + 1);
    if (item.isDirectory) {
      context.entries.push({ path, type: 'directory', size: 0, mode: null, modified: item.modified, clusters: [] });
      walkDirectory(context, subdirectory(context, item.firstCluster, path, depth + 1), path, depth + 1);
    } else {
      context.entries.push({ path, type: 'file', size: item.size, mode: null, modified: item.modified, clusters: fileClusters(context, item, path) });
    }
  }
}

function subdirectory(context: WalkContext, firstCluster: number, path: string, depth: number): FatDirectory {
  if (depth > maxDepth) throw invalidImage(`the directory ${path} lies more than ${maxDepth} levels deep; the directory tree is corrupt`);
  if (context.visited.has(firstCluster)) {
    throw invalidImage(`the directory ${path} starts at cluster ${firstCluster}, which another directory already uses`);
  }
  context.visited.add(firstCluster);
  const clusters = followChain(context.image, context.regions, firstCluster, `the directory ${path}`, context.owners);
  return parseDirectory(readClusters(context.image, context.regions, clusters, null));
}

/** An empty file has first cluster 0 (the spec); any other needs a chain long enough for its size. */
function fileClusters(context: WalkContext, item: { firstCluster: number; size: number }, path: string): number[] {
  if (item.size === 0 && item.firstCluster === 0) return [];
  const clusters = followChain(context.image, context.regions, item.firstCluster, path, context.owners);
  const needed = Math.ceil(item.size / context.regions.clusterBytes);
  if (clusters.length < needed) {
    throw invalidImage(
      `${path} is ${item.size} bytes, but its cluster chain holds only ${clusters.length} cluster(s) of ${context.regions.clusterBytes} bytes`,
      'the FAT volume is damaged; fsck.vfat -n shows what is wrong',
    );
  }
  return clusters;
}

/** As blkid and mtools print BS_VolID: two groups of four hex digits, high half first. */
function formatSerial(serial: number): string {
  const hex = serial.toString(16).toUpperCase().padStart(8, '0');
  return `${hex.slice(0, 4)}-${hex.slice(4)}`;
}
