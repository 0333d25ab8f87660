// The qcow2 header (QEMU's docs/interop/qcow2.txt), checked before qemu-img is let near the image: a
// qcow2 file can name a backing file or an external data file on the host, which qemu-img would read
// and copy into the raw output, so an untrusted seed must not be allowed to pull in /etc/shadow. Sizes
// are checked against QEMU's own limits and the file, so a hostile header cannot ask for absurd work.
import { sliceOf, u32be } from './byte-fields.js';
import { invalidImage } from './image-errors.js';

export interface Qcow2Header {
  version: number;
  /** The guest-visible size, which the raw conversion will be. */
  virtualSize: number;
}

const incompatibleFeatures = { externalDataFile: 0x04 } as const;
// QEMU's block/qcow2.h: MIN_CLUSTER_BITS, MAX_CLUSTER_BITS, QCOW_MAX_L1_SIZE, QCOW_MAX_SNAPSHOTS.
const clusterBitsRange = [9, 21] as const;
const maxL1Bytes = 32 * 1024 * 1024;
const maxSnapshots = 65536;
const version3HeaderBytes = 104;

/** Reads and checks the header; throws SPEC_INVALID for anything that would make qemu-img read other files. */
export function readQcow2Header(bytes: Uint8Array, maxVirtualSize: number): Qcow2Header {
  const header = sliceOf(bytes, 0, 72, 'the qcow2 header');
  const version = u32be(header, 4);
  if (version !== 2 && version !== 3) throw invalidImage(`the qcow2 header gives version ${version}; expected 2 or 3`);
  if (u64be(header, 8) !== 0 || u32be(header, 16) !== 0) {
    throw invalidImage('the qcow2 image names a backing file; a seed image must stand alone', refusalHint);
  }
  if (u32be(header, 32) !== 0) throw invalidImage('the qcow2 image is encrypted; expected a plain seed image');
  // incompatible_features is a big-endian 64-bit field at byte 72 (version 3); bit 2 sits in its low word.
  if (version === 3 && (u32be(sliceOf(bytes, 72, 8, 'the qcow2 feature bits'), 4) & incompatibleFeatures.externalDataFile) !== 0) {
    throw invalidImage('the qcow2 image keeps its data in an external file; a seed image must stand alone', refusalHint);
  }
  const virtualSize = u64be(header, 24);
  if (virtualSize > maxVirtualSize) {
    throw invalidImage(`the qcow2 image holds a ${virtualSize}-byte disk; seed images are far smaller (at most ${maxVirtualSize} bytes here)`);
  }
  checkTables(bytes, header, version);
  return { version, virtualSize };
}

/** Cluster size, L1 table, refcount table, snapshots and header length within QEMU's limits and the file. */
function checkTables(bytes: Uint8Array, header: Uint8Array, version: number): void {
  const clusterBits = u32be(header, 20);
  const [fewestBits, mostBits] = clusterBitsRange;
  if (clusterBits < fewestBits || clusterBits > mostBits) {
    throw invalidImage(`the qcow2 header gives cluster_bits ${clusterBits}; expected ${fewestBits} to ${mostBits}`);
  }
  const clusterBytes = 2 ** clusterBits;
  const l1Bytes = u32be(header, 36) * 8;
  if (l1Bytes > maxL1Bytes) throw invalidImage(`the qcow2 header gives an L1 table of ${l1Bytes} bytes; QEMU allows at most ${maxL1Bytes}`);
  withinFile(bytes, u64be(header, 40), l1Bytes, 'the qcow2 L1 table');
  withinFile(bytes, u64be(header, 48), u32be(header, 56) * clusterBytes, 'the qcow2 refcount table');
  const snapshots = u32be(header, 60);
  if (snapshots > maxSnapshots) throw invalidImage(`the qcow2 header lists ${snapshots} snapshots; QEMU allows at most ${maxSnapshots}`);
  if (version === 3) {
    const headerBytes = u32be(sliceOf(bytes, 100, 4, 'the qcow2 header length'), 0);
    if (headerBytes < version3HeaderBytes || headerBytes > clusterBytes) {
      throw invalidImage(`the qcow2 header says it is ${headerBytes} bytes long; expected ${version3HeaderBytes} to one ${clusterBytes}-byte cluster`);
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
