// Rock Ridge (IEEE P1282, RRIP 1.10, identifier RRIP_1991A) entries for the primary tree: POSIX mode,
// link count and owner (PX), times (TF) and the real name (NM). Linux reads these first: when the root's
// first record has SP and, through its CE, the ER below, the kernel uses Rock Ridge over Joliet.
import { concatBytes, setUint32Both, viewOf } from './binary-fields.js';
import { type EpochSeconds, encodeRecordingTime } from './timestamps.js';
import { extensionReferenceEntry, sharingProtocolEntry, systemUseEntry } from './system-use.js';

export const S_IFDIR = 0o040000;
export const S_IFREG = 0o100000;
const PERMISSION_BITS = 0o7777;
/** The seed's root directory: readable and searchable by all, like genisoimage's staging directory. */
export const ROOT_DIRECTORY_MODE = S_IFDIR | 0o755;
/** Owner and group are root, whoever built the image. */
const OWNER_ID = 0;
const GROUP_ID = 0;

// RRIP 1.10 4.3: the ER entry that identifies RRIP 1.09/1.10 (the descriptor and source texts are the
// specification's own). Its PX entries are 36 bytes, without the 1.12 serial number.
const ROCK_RIDGE_1991A = {
  identifier: 'RRIP_1991A',
  descriptor: 'THE ROCK RIDGE INTERCHANGE PROTOCOL PROVIDES SUPPORT FOR POSIX FILE SYSTEM SEMANTICS',
  source:
    'PLEASE CONTACT DISC PUBLISHER FOR SPECIFICATION SOURCE.  ' +
    'SEE PUBLISHER IDENTIFIER IN PRIMARY VOLUME DESCRIPTOR FOR CONTACT INFORMATION.',
  version: 1,
};

// RRIP 4.1.6 TF flags: the modify, access and attribute-change times follow, in that order, 7 bytes each.
const TF_MODIFY = 0x02;
const TF_ACCESS = 0x04;
const TF_ATTRIBUTES = 0x08;

/** RRIP 4.1.1 PX: file mode (type and permissions), links, user id and group id, each both-endian. */
export function posixAttributesEntry(mode: number, links: number): Uint8Array {
  const data = new Uint8Array(32);
  const view = viewOf(data);
  setUint32Both(view, 0, mode);
  setUint32Both(view, 8, links);
  setUint32Both(view, 16, OWNER_ID);
  setUint32Both(view, 24, GROUP_ID);
  return systemUseEntry('PX', data);
}

/** RRIP 4.1.6 TF: modification, access and attribute-change times, all the one build timestamp. */
export function timestampsEntry(seconds: EpochSeconds): Uint8Array {
  const time = encodeRecordingTime(seconds);
  return systemUseEntry('TF', concatBytes([Uint8Array.of(TF_MODIFY | TF_ACCESS | TF_ATTRIBUTES), time, time, time]));
}

/** RRIP 4.1.4 NM: the real name in UTF-8, flags 0 (complete, not "." or ".."). */
export function alternateNameEntry(name: string): Uint8Array {
  return systemUseEntry('NM', concatBytes([Uint8Array.of(0), new TextEncoder().encode(name)]));
}

export function rockRidgeExtensionEntry(): Uint8Array {
  return extensionReferenceEntry(ROCK_RIDGE_1991A);
}

/** PX mode of a regular file: S_IFREG plus the seed file's permission bits. */
export function regularFileMode(permissions: number): number {
  return S_IFREG | (permissions & PERMISSION_BITS);
}

export function fileEntries(name: string, mode: number, seconds: EpochSeconds): Uint8Array[] {
  return [posixAttributesEntry(mode, 1), timestampsEntry(seconds), alternateNameEntry(name)];
}

/** "." or ".." of a directory: no NM, since the record's own identifier (00 or 01) says which. */
export function directoryEntries(mode: number, links: number, seconds: EpochSeconds): Uint8Array[] {
  return [posixAttributesEntry(mode, links), timestampsEntry(seconds)];
}

/** SUSP 5.3 and 5.5: SP first in the root's "." record, and the ER there (usually via CE). */
export function rootDotEntries(mode: number, links: number, seconds: EpochSeconds): Uint8Array[] {
  return [sharingProtocolEntry(), ...directoryEntries(mode, links, seconds), rockRidgeExtensionEntry()];
}
