// The qcow2 header (QEMU's docs/interop/qcow2.txt), checked before qemu-img is let near the image: a
// qcow2 file can name a backing file or an external data file on the host, which qemu-img would read
// and copy into the raw output, so an untrusted seed must not be allowed to pull in /etc/shadow. Sizes
// are checked against QEMU's own limits and the file, so a hostile header cannot ask for absurd work.
import { sliceOf, u32be } from '../byte-fields.js';
import { invalidImage } from '../invalid-image.js';
import { headerFields, incompatibleFeatures, l1EntryLength, version2HeaderLength, version3HeaderLength } from './qcow2-layout.js';

export interface Qcow2Header {
  version: number;
  /** The guest-visible size, which the raw conversion will be. */
  virtualSize: number;
}

// QEMU's block/qcow2.h: MIN_CLUSTER_BITS, MAX_CLUSTER_BITS, QCOW_MAX_L1_SIZE, QCOW_MAX_SNAPSHOTS.
const clusterBitsRange = [9, 21] as const;
const maxL1Bytes = 32 * 1024 * 1024;
const maxSnapshots = 65536;
const at = headerFields;

/** Reads and checks the header; throws SPEC_INVALID for anything that would make qemu-img read other files. */
export function readQcow2Header(bytes: Uint8Array, maxVirtualSize: number): Qcow2Header {
  const header = sliceOf(bytes, 0, version2HeaderLength, 'the qcow2 header');
  const version = u32be(header, at.version);
  if (version !== 2 && version !== 3) throw invalidImage(`the qcow2 header gives version ${version}; expected 2 or 3`);
  if (u64be(header, at.backingFileOffset) !== 0 || u32be(header, at.backingFileSize) !== 0) {
    throw invalidImage('the qcow2 image names a backing file; a seed image must stand alone', refusalHint);
  }
  if (u32be(header, at.cryptMethod) !== 0) throw invalidImage('the qcow2 image is encrypted; expected a plain seed image');
  // incompatible_features is a 64-bit field (version 3); bit 2 sits in its low word.
  if (version === 3 && (u32be(sliceOf(bytes, at.incompatibleFeatures, 8, 'the qcow2 feature bits'), 4) & incompatibleFeatures.externalDataFile) !== 0) {
    throw invalidImage('the qcow2 image keeps its data in an external file; a seed image must stand alone', refusalHint);
  }
  const virtualSize = u64be(header, at.size);
  if (virtualSize > maxVirtualSize) {
    throw invalidImage(`the qcow2 image holds a ${virtualSize}-byte disk; seed images are far smaller (at most ${maxVirtualSize} bytes here)`);
  }
  checkTables(bytes, header, version);
  return { version, virtualSize };
}

/** Cluster size, L1 table, refcount table, snapshots and header length within QEMU's limits and the file. */
function checkTables(bytes: Uint8Array, header: Uint8Array, version: number): void {
  const clusterBits = u32be(header, at.clusterBits);
  const [fewestBits, mostBits] = clusterBitsRange;
  if (clusterBits < fewestBits || clusterBits > mostBits) {
    throw invalidImage(`the qcow2 header gives cluster_bits ${clusterBits}; expected ${fewestBits} to ${mostBits}`);
  }
  const clusterBytes = 2 ** clusterBits;
  const l1Bytes = u32be(header, at.l1Size) * l1EntryLength;
  if (l1Bytes > maxL1Bytes) throw invalidImage(`the qcow2 header gives an L1 table of ${l1Bytes} bytes; QEMU allows at most ${maxL1Bytes}`);
  withinFile(bytes, u64be(header, at.l1TableOffset), l1Bytes, 'the qcow2 L1 table');
  withinFile(bytes, u64be(header, at.refcountTableOffset), u32be(header, at.refcountTableClusters) * clusterBytes, 'the qcow2 refcount table');
  const snapshots = u32be(header, at.snapshotCount);
  if (snapshots > maxSnapshots) throw invalidImage(`the qcow2 header lists ${snapshots} snapshots; QEMU allows at most ${maxSnapshots}`);
  if (version === 3) {
    const headerBytes = u32be(sliceOf(bytes, at.headerLength, 4, 'the qcow2 header length'), 0);
    if (headerBytes < version3HeaderLength || headerBytes > clusterBytes) {
      throw invalidImage(`the qcow2 header says it is ${headerBytes} bytes long; expected ${version3HeaderLength} to one ${clusterBytes}-byte cluster`);
    }
  }
}

function withinFile(bytes: Uint8Array, offset: number, length: number, what: string): void {
  if (offset + length > bytes.length) {
    throw invalidImage(`${what} lies at bytes ${offset} to ${offset + length}, past the end of the ${bytes.length}-byte file`, 'the image is truncated or corrupt');
  }
}

const refusalHint = 'cloudseed will not let qemu-img read other files for an image it inspects; convert it yourself with qemu-img convert -O raw';

/** A 64-bit big-endian field as a number: exact up to 2^53, and beyond that still compares as huge. */
function u64be(bytes: Uint8Array, offset: number): number {
  return u32be(bytes, offset) * 0x1_0000_0000 + u32be(bytes, offset + 4);
}
