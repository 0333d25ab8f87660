// Path tables (ECMA-119 9.4): every directory once, with its extent and its parent's number, so a
// reader can find a directory without walking the tree. Each tree has a little-endian (L) and a
// big-endian (M) copy; terraform-provider-libvirt 0.9 wrote none, and readers that use them failed.
import { viewOf } from './binary-fields.js';
import type { TreeDirectory } from './volume-plan.js';

const fixedLength = 8;

/** ECMA-119 9.4: by level, then by parent's number, then by identifier — breadth first over sorted children. */
export function directoriesInPathTableOrder(root: TreeDirectory): TreeDirectory[] {
  const order = [root];
  for (const directory of order) order.push(...directory.subdirectories);
  return order;
}

function pathTableRecordLength(directory: TreeDirectory): number {
  return fixedLength + directory.identifier.length + (directory.identifier.length % 2);
}

export function pathTableByteLength(root: TreeDirectory): number {
  return directoriesInPathTableOrder(root).reduce((sum, directory) => sum + pathTableRecordLength(directory), 0);
}

/** One path table, little-endian (type L) or big-endian (type M), given each directory's sector. */
export function encodePathTable(
  root: TreeDirectory,
  sectorOf: (directory: TreeDirectory) => number,
  littleEndian: boolean,
): Uint8Array {
  const order = directoriesInPathTableOrder(root);
  const numbers = new Map(order.map((directory, index) => [directory, index + 1]));
  const table = new Uint8Array(pathTableByteLength(root));
  const view = viewOf(table);
  let offset = 0;
  for (const directory of order) {
    table[offset] = directory.identifier.length;
    view.setUint32(offset + 2, sectorOf(directory), littleEndian);
    // The root is its own parent: directory number 1.
    view.setUint16(offset + 6, directory.parent === null ? 1 : (numbers.get(directory.parent) ?? 1), littleEndian);
    table.set(directory.identifier, offset + fixedLength);
    offset += pathTableRecordLength(directory);
  }
  return table;
}
