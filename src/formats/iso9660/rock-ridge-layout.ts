// The System Use Sharing Protocol (IEEE P1281) and Rock Ridge (IEEE P1282) entry layout, once for the
// writer and the reader: every entry is two signature letters, a length byte, a version byte, then data.
// Offsets are bytes from the start of the entry, header included.

/** SUSP 4.1: signature (2 bytes), length (1), version (1). */
export const entryHeaderLength = 4;
export const entryFields = { signature: 0, length: 2, version: 3, data: entryHeaderLength } as const;
export const entryVersion = 1;

/** SUSP 5.3 SP: check bytes BE EF, then LEN_SKP, the bytes to skip before every other area's entries. */
export const sharingProtocolFields = { checkBytes: 4, skipLength: 6 } as const;
export const sharingProtocolCheckBytes = [0xbe, 0xef] as const;
export const sharingProtocolEntryLength = 7;

/** SUSP 5.1 CE: block, offset and length of the continuation area, each both-endian (8 bytes). */
export const continuationFields = { block: 4, offset: 12, length: 20 } as const;
export const continuationEntryLength = 28;

/** SUSP 5.5 ER: the lengths of identifier, descriptor and source, the version, then the three texts. */
export const extensionReferenceFields = {
  identifierLength: 4,
  descriptorLength: 5,
  sourceLength: 6,
  version: 7,
  identifier: 8,
} as const;
export const extensionReferenceHeaderLength = 8;

/** The ER identifiers of Rock Ridge: RRIP 1.09 and 1.10 (what the writer records), and 1.12. */
export const rockRidgeIdentifiers = { rrip1991a: 'RRIP_1991A', ieeeP1282: 'IEEE_P1282', ieee1282: 'IEEE_1282' } as const;
/** Signatures of the Rock Ridge fields; any one of them in the root's "." record means Rock Ridge. */
export const rockRidgeSignatures = ['RR', 'PX', 'NM', 'TF', 'SL', 'PN'] as const;

/** RRIP 4.1.1 PX: mode, links, user id and group id, each both-endian; 36 bytes in RRIP 1.10. */
export const posixAttributesFields = { mode: 4, links: 12, userId: 20, groupId: 28 } as const;
export const posixAttributesEntryLength = 36;

/** RRIP 4.1.4 NM: a flags byte, then the name. */
export const alternateNameFields = { flags: 4, name: 5 } as const;
export const alternateNameFlags = { continues: 0x01, current: 0x02, parent: 0x04 } as const;

/**
 * RRIP 4.1.6 TF: a flags byte, then one stamp per flag set, in flag-bit order, each 7 bytes (or 17 with
 * the long-form flag).
 */
export const timestampFields = { flags: 4, stamps: 5 } as const;
export const timestampFlags = { creation: 0x01, modify: 0x02, access: 0x04, attributes: 0x08, longForm: 0x80 } as const;
