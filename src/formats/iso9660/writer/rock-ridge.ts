// Rock Ridge (IEEE P1282, RRIP 1.10, identifier RRIP_1991A) entries for the primary tree: POSIX mode,
// link count and owner (PX), times (TF) and the real name (NM). Linux reads these first: when the root's
// first record has SP and, through its CE, the ER below, the kernel uses Rock Ridge over Joliet.
import { fileTypes, permissionBits } from '../../posix-modes.js';
import {
  entryHeaderLength,
  posixAttributesEntryLength,
  posixAttributesFields,
  rockRidgeIdentifiers,
  timestampFlags,
} from '../rock-ridge-layout.js';
import { concatBytes, setUint32Both, viewOf } from './binary-fields.js';
import { type EpochSeconds, encodeRecordingTime } from '../iso-dates.js';
import { extensionReferenceEntry, sharingProtocolEntry, systemUseEntry } from './system-use.js';

/** The seed's root directory: readable and searchable by all, like genisoimage's staging directory. */
export const rootDirectoryMode = fileTypes.directory | 0o755;
/** Owner and group are root, whoever built the image. */
const ownerId = 0;
const groupId = 0;

// RRIP 1.10 4.3: the ER entry that identifies RRIP 1.09/1.10 (the descriptor and source texts are the
// specification's own). Its PX entries are 36 bytes, without the 1.12 serial number.
const rockRidge1991a = {
  identifier: rockRidgeIdentifiers.rrip1991a,
  descriptor: 'THE ROCK RIDGE INTERCHANGE PROTOCOL PROVIDES SUPPORT FOR POSIX FILE SYSTEM SEMANTICS',
  source:
    'PLEASE CONTACT DISC PUBLISHER FOR SPECIFICATION SOURCE.  ' +
    'SEE PUBLISHER IDENTIFIER IN PRIMARY VOLUME DESCRIPTOR FOR CONTACT INFORMATION.',
  version: 1,
};

/** RRIP 4.1.1 PX: file mode (type and permissions), links, user id and group id, each both-endian. */
export function posixAttributesEntry(mode: number, links: number): Uint8Array {
  const data = new Uint8Array(posixAttributesEntryLength - entryHeaderLength);
  const view = viewOf(data);
  const at = (field: keyof typeof posixAttributesFields): number => posixAttributesFields[field] - entryHeaderLength;
  setUint32Both(view, at('mode'), mode);
  setUint32Both(view, at('links'), links);
  setUint32Both(view, at('userId'), ownerId);
  setUint32Both(view, at('groupId'), groupId);
  return systemUseEntry('PX', data);
}

/** RRIP 4.1.6 TF: modification, access and attribute-change times (in that order), all the one build timestamp. */
export function timestampsEntry(seconds: EpochSeconds): Uint8Array {
  const time = encodeRecordingTime(seconds);
  const flags = timestampFlags.modify | timestampFlags.access | timestampFlags.attributes;
  return systemUseEntry('TF', concatBytes([Uint8Array.of(flags), time, time, time]));
}

/** RRIP 4.1.4 NM: the real name in UTF-8, flags 0 (complete, not "." or ".."). */
export function alternateNameEntry(name: string): Uint8Array {
  return systemUseEntry('NM', concatBytes([Uint8Array.of(0), new TextEncoder().encode(name)]));
}

export function rockRidgeExtensionEntry(): Uint8Array {
  return extensionReferenceEntry(rockRidge1991a);
}

/** PX mode of a regular file: S_IFREG plus the seed file's permission bits. */
export function regularFileMode(permissions: number): number {
  return fileTypes.regular | (permissions & permissionBits);
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
