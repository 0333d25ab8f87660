// The ISO 9660 (ECMA-119) on-disk layout, written down once for the writer and the reader: sector size,
// where the descriptor set starts, the offsets of the fields both of them touch, directory record flags
// and the identifiers of "." and "..". Offsets are bytes from the start of their structure.

/** ECMA-119 6.1.2: a logical sector is 2048 bytes; seed images use logical blocks of the same size. */
export const sectorSize = 2048;
/** ECMA-119 6.2.1: sectors 0 to 15 are the system area; the volume descriptor set starts after them. */
export const firstDescriptorSector = 16;
/** Every volume descriptor carries this at byte 1 (ECMA-119 8.1.2). */
export const standardIdentifier = 'CD001';

/** ECMA-119 8.1.1: the volume descriptor type byte. */
export const descriptorTypes = { primary: 1, supplementary: 2, terminator: 255 } as const;

/** ECMA-119 8.4 (primary) and 8.5 (supplementary): the fields both share, at the same offsets. */
export const descriptorFields = {
  type: 0,
  standardIdentifier: 1,
  version: 6,
  systemIdentifier: 8,
  volumeIdentifier: 40,
  volumeSpaceSize: 80,
  /** Supplementary descriptors only: Joliet names its UCS-2 level here. */
  escapeSequences: 88,
  volumeSetSize: 120,
  volumeSequenceNumber: 124,
  logicalBlockSize: 128,
  pathTableSize: 132,
  littleEndianPathTable: 140,
  bigEndianPathTable: 148,
  rootDirectoryRecord: 156,
  volumeSetIdentifier: 190,
  publisherIdentifier: 318,
  dataPreparerIdentifier: 446,
  applicationIdentifier: 574,
  copyrightFileIdentifier: 702,
  abstractFileIdentifier: 739,
  bibliographicFileIdentifier: 776,
  creationTime: 813,
  modificationTime: 830,
  expirationTime: 847,
  effectiveTime: 864,
  fileStructureVersion: 881,
} as const;

/** Widths of the descriptor's text fields: identifiers of 32 and 128 bytes, file identifiers of 37. */
export const descriptorTextWidths = { identifier: 32, longIdentifier: 128, fileIdentifier: 37, escapeSequences: 32 } as const;

/** Joliet's escape sequences for UCS-2 levels 1, 2 and 3 (the writer records level 3). */
export const jolietEscapeSequences = { level1: '%/@', level2: '%/C', level3: '%/E' } as const;

/** ECMA-119 9.1: a directory record's fixed part; the identifier starts right after it. */
export const directoryRecordFields = {
  length: 0,
  extent: 2,
  dataLength: 10,
  recordingTime: 18,
  flags: 25,
  fileUnitSize: 26,
  volumeSequenceNumber: 28,
  identifierLength: 32,
  identifier: 33,
} as const;

/** Bytes before the identifier; the root's record in a descriptor is this plus its one-byte identifier. */
export const directoryRecordFixedLength = directoryRecordFields.identifier;
export const rootDirectoryRecordLength = directoryRecordFixedLength + 1;

/** ECMA-119 9.1.6: the file flags byte. */
export const directoryRecordFlags = { directory: 0x02, associated: 0x04, multiExtent: 0x80 } as const;

/** ECMA-119 6.8.2.2: the one-byte identifiers of "." (and of the root itself) and "..". */
export const selfIdentifier = 0x00;
export const parentIdentifier = 0x01;

/** ECMA-119 9.1.5 and 8.4.26.1: the 7-byte binary time of records, the 17-byte text time of descriptors. */
export const recordingTimeLength = 7;
export const volumeTimeLength = 17;
/** Recording times keep the year as years since 1900 in one byte. */
export const recordingTimeBaseYear = 1900;
