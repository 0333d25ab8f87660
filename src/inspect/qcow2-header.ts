// The qcow2 header (QEMU's docs/interop/qcow2.txt), checked before qemu-img is let near the image: a
// qcow2 file can name a backing file or an external data file on the host, which qemu-img would read
// and copy into the raw output, so an untrusted seed must not be allowed to pull in /etc/shadow.
import { sliceOf, u32be } from './byte-fields.js';
import { invalidImage } from './image-errors.js';

export interface Qcow2Header {
  version: number;
  /** The guest-visible size, which the raw conversion will be. */
  virtualSize: number;
}

const incompatibleFeatures = { externalDataFile: 0x04 } as const;

/** Reads and checks the header; throws SPEC_INVALID for anything that would make qemu-img read other files. */
export function readQcow2Header(bytes: Uint8Array, maxVirtualSize: number): Qcow2Header {
  const header = sliceOf(bytes, 0, 72, 'the qcow2 header');
  const version = u32be(header, 4);
  if (version !== 2 && version !== 3) throw invalidImage(`the qcow2 header gives version ${version}; expected 2 or 3`);
  if (u64be(header, 8) !== 0) {
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
  return { version, virtualSize };
}

const refusalHint = 'cloudseed will not let qemu-img read other files for an image it inspects; convert it yourself with qemu-img convert -O raw';

/** A 64-bit big-endian field as a number: exact up to 2^53, and beyond that still compares as huge. */
function u64be(bytes: Uint8Array, offset: number): number {
  return u32be(bytes, offset) * 0x1_0000_0000 + u32be(bytes, offset + 4);
}
