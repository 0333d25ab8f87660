// The file allocation table: FAT[0] carries the media byte, FAT[1] an end-of-chain mark, and each file's
// clusters are a chain ending in an end-of-chain mark. Free clusters are 0, as are bytes past the last entry.
import { endOfChainWritten, fat12EntryOffset } from '../fat-layout.js';
import type { FatGeometry } from './fat-geometry.js';

/** A run of clusters holding one file, as the layout allocated it. */
export interface ClusterChain {
  firstCluster: number;
  clusterCount: number;
}

/** One FAT, `fatSectors` long, with the chains given (each a contiguous run, as the layout makes them). */
export function encodeFat(geometry: FatGeometry, chains: readonly ClusterChain[], mediaDescriptor: number): Uint8Array {
  const entries = new Uint32Array(geometry.clusterCount + 2);
  const mark = endOfChainWritten[geometry.fatType];
  entries[0] = (mark & ~0xff) | mediaDescriptor;
  entries[1] = mark;
  for (const chain of chains) {
    const last = chain.firstCluster + chain.clusterCount - 1;
    for (let cluster = chain.firstCluster; cluster < last; cluster += 1) entries[cluster] = cluster + 1;
    if (chain.clusterCount > 0) entries[last] = mark;
  }
  const table = new Uint8Array(geometry.fatSectors * geometry.bytesPerSector);
  if (geometry.fatType === 12) packFat12(entries, table);
  else packFat16(entries, table);
  return table;
}

/** Two 12-bit entries share three bytes: entry N starts at byte N + N/2, in the low or high nibble. */
function packFat12(entries: Uint32Array, table: Uint8Array): void {
  entries.forEach((value, cluster) => {
    const offset = fat12EntryOffset(cluster);
    if (cluster % 2 === 0) {
      table[offset] = value & 0xff;
      table[offset + 1] = ((table[offset + 1] ?? 0) & 0xf0) | ((value >> 8) & 0x0f);
    } else {
      table[offset] = ((table[offset] ?? 0) & 0x0f) | ((value & 0x0f) << 4);
      table[offset + 1] = (value >> 4) & 0xff;
    }
  });
}

function packFat16(entries: Uint32Array, table: Uint8Array): void {
  const view = new DataView(table.buffer, table.byteOffset, table.byteLength);
  entries.forEach((value, cluster) => view.setUint16(cluster * 2, value, true));
}
