// Reads an ISO 9660 image: label, Joliet and Rock Ridge detection, every file and directory under the
// best names the image holds (Rock Ridge NM, else Joliet, else the plain name without `;1`), and file bytes.
import { concatBytes, sliceOf } from '../../byte-fields.js';
import { invalidImage } from '../../invalid-image.js';
import { sectorSize } from '../iso9660-layout.js';
import { rockRidgeIdentifiers } from '../rock-ridge-layout.js';
import { fileReader, type IsoVolume } from '../../image-volume.js';
import { listDirectoryRecords, type DirectoryRecord } from './directory-records.js';
import { walkIsoTree, type IsoEntry, type IsoNaming } from './iso-tree.js';
import { readSystemUse } from './system-use.js';
import { readVolumeDescriptors, type VolumeDescriptor } from './volume-descriptors.js';

const rockRidgeExtensions = new Set<string>(Object.values(rockRidgeIdentifiers));

/** Pure: the bytes of a whole ISO 9660 image in, its structure out. Throws SPEC_INVALID on damage. */
export function readIso9660(image: Uint8Array): IsoVolume {
  const { primary, joliet } = readVolumeDescriptors(image);
  checkVolumeSize(image, primary);
  const rockRidgeSkip = rockRidgeSkipBytes(image, primary);
  const naming: IsoNaming =
    rockRidgeSkip !== null ? { kind: 'rockRidge', skip: rockRidgeSkip } : joliet !== null ? { kind: 'joliet' } : { kind: 'plain' };
  // Joliet's tree has its own directories but shares the file extents; it is only read when it names them.
  const tree = naming.kind === 'joliet' && joliet !== null ? joliet : primary;
  const entries = walkIsoTree(image, tree.root, { blockSize: primary.blockSize, naming });
  for (const entry of entries) checkExtents(image, entry, primary.blockSize);
  return {
    format: 'iso9660',
    label: primary.volumeId,
    jolietLabel: joliet?.volumeId ?? null,
    joliet: joliet !== null,
    rockRidge: rockRidgeSkip !== null,
    blockSize: primary.blockSize,
    entries: entries.map(({ extents: _extents, ...entry }) => entry),
    readFile: fileReader(entries, (entry) => readExtents(image, entry, primary.blockSize)),
  };
}

function checkVolumeSize(image: Uint8Array, primary: VolumeDescriptor): void {
  const volumeBytes = primary.volumeBlocks * primary.blockSize;
  if (image.length < volumeBytes) {
    throw invalidImage(
      `the image is ${image.length} bytes but its primary volume descriptor says the volume is ${volumeBytes} bytes`,
      'the image is truncated; write it again from its seed files',
    );
  }
}

/**
 * SUSP is in use when the first record of the root directory (its `.`) starts with SP; Rock Ridge when
 * that record also has an ER naming RRIP or Rock Ridge fields of its own (PX is mandatory on every record).
 * Returns SP's LEN_SKP, or null without Rock Ridge.
 */
function rockRidgeSkipBytes(image: Uint8Array, primary: VolumeDescriptor): number | null {
  const self = firstRecord(image, primary.root, primary.blockSize);
  if (self === null) return null;
  const systemUse = readSystemUse(image, self.systemUse, primary.blockSize);
  if (systemUse.sharingSkip === null) return null;
  const named = systemUse.extensions.some((extension) => rockRidgeExtensions.has(extension));
  return named || systemUse.rockRidgeFields ? systemUse.sharingSkip : null;
}

function firstRecord(image: Uint8Array, root: DirectoryRecord, blockSize: number): DirectoryRecord | null {
  const length = Math.min(root.dataLength, sectorSize);
  const data = sliceOf(image, root.extent * blockSize, length, 'the root directory');
  return listDirectoryRecords(data, 'the root directory')[0] ?? null;
}

function checkExtents(image: Uint8Array, entry: IsoEntry, blockSize: number): void {
  if (entry.type !== 'file') return;
  for (const extent of entry.extents) sliceOf(image, extent.block * blockSize, extent.length, `the data of ${entry.path}`);
}

function readExtents(image: Uint8Array, entry: IsoEntry, blockSize: number): Uint8Array {
  const parts = entry.extents.map((extent) => sliceOf(image, extent.block * blockSize, extent.length, `the data of ${entry.path}`));
  // A copy, so a caller that changes the bytes does not change the image.
  return parts.length === 1 ? (parts[0] as Uint8Array).slice() : concatBytes(parts);
}
