// The FAT on-disk layout (Microsoft's "FAT: General Overview of On-Disk Format"), written down once for
// the writer and the reader: boot sector and BPB offsets, the cluster counts that decide the FAT type,
// end-of-chain marks, and the 32-byte short and long-name directory entries. Offsets are bytes from the
// start of their structure; the spec's own field names are in the comments.

/** BPB fields common to FAT12, FAT16 and FAT32. */
export const bootSectorFields = {
  jumpBoot: 0, // BS_jmpBoot
  oemName: 3, // BS_OEMName
  bytesPerSector: 11, // BPB_BytsPerSec
  sectorsPerCluster: 13, // BPB_SecPerClus
  reservedSectors: 14, // BPB_RsvdSecCnt
  fatCount: 16, // BPB_NumFATs
  rootEntryCount: 17, // BPB_RootEntCnt
  totalSectors16: 19, // BPB_TotSec16
  media: 21, // BPB_Media
  fatSectors16: 22, // BPB_FATSz16
  sectorsPerTrack: 24, // BPB_SecPerTrk
  heads: 26, // BPB_NumHeads
  hiddenSectors: 28, // BPB_HiddSec
  totalSectors32: 32, // BPB_TotSec32
  /** FAT32 only, like the two below. */
  fatSectors32: 36, // BPB_FATSz32
  extendedFlags: 40, // BPB_ExtFlags
  rootCluster: 44, // BPB_RootClus
} as const;

/**
 * Where the extended boot record starts: right after the BPB, at 36 on FAT12/16 and 64 on FAT32; its
 * fields are at the same offsets from there.
 */
export const extendedBootRecordStart = { fat16: 36, fat32: 64 } as const;
export const extendedBootRecordFields = {
  driveNumber: 0, // BS_DrvNum
  bootSignature: 2, // BS_BootSig
  volumeId: 3, // BS_VolID
  volumeLabel: 7, // BS_VolLab
  fileSystemType: 18, // BS_FilSysType
} as const;
/** BS_BootSig: the volume id, label and type string that follow are present. */
export const extendedBootSignature = 0x29;

/** Bytes 510 and 511 of the boot sector. */
export const bootSignatureOffset = 510;
export const bootSignature = [0x55, 0xaa] as const;
/** BS_jmpBoot's short form: EB, the jump's distance, then NOP (90). */
export const shortJumpOpcode = 0xeb;
export const nearJumpOpcode = 0xe9;
export const noOperation = 0x90;

/** The spec's rule: the count of data clusters alone decides the type; FAT12 up to 4084, FAT16 up to 65524. */
export const maxClusters = { 12: 4084, 16: 65524 } as const;
/** Data clusters are numbered from 2; FAT[0] and FAT[1] hold the media byte and an end-of-chain mark. */
export const firstDataCluster = 2;

/** Bytes of a FAT with entries for clusters 0 to clusterCount + 1 (FAT12 packs two entries in 3 bytes). */
export function fatTableBytes(fatType: 12 | 16 | 32, clusterCount: number): number {
  const entries = clusterCount + firstDataCluster;
  return fatType === 12 ? Math.ceil((entries * 3) / 2) : entries * (fatType / 8);
}

/** Where FAT12 entry `cluster` starts: two 12-bit entries share three bytes, even ones in the low nibbles. */
export function fat12EntryOffset(cluster: number): number {
  return cluster + (cluster >> 1);
}

/** The smallest end-of-chain value of each FAT type; one below it marks a bad cluster. */
export const endOfChainFrom = { 12: 0xff8, 16: 0xfff8, 32: 0x0ffffff8 } as const;
/**
 * The end-of-chain values Microsoft's drivers write; FAT16's also has the clean-shutdown and
 * no-I/O-error bits (0x8000, 0x4000) of FAT[1] set.
 */
export const endOfChainWritten = { 12: 0x0fff, 16: 0xffff } as const;

/** Every directory entry, short or long-name, is 32 bytes. */
export const directoryEntryLength = 32;
/** An 8.3 name as an entry stores it: 8 name bytes and 3 extension bytes, space-padded. The label too. */
export const shortNameLength = 11;
export const shortNameBaseLength = 8;

/** DIR_Attr bits. */
export const attributes = {
  readOnly: 0x01,
  hidden: 0x02,
  system: 0x04,
  volumeId: 0x08,
  directory: 0x10,
  archive: 0x20,
  /** ATTR_LONG_NAME: read-only | hidden | system | volume id, which older systems skip. */
  longName: 0x0f,
  /** ATTR_LONG_NAME_MASK: the bits that tell a long-name entry from a short one. */
  longNameMask: 0x3f,
} as const;

/** A short (8.3) entry. */
export const shortEntryFields = {
  name: 0, // DIR_Name
  attributes: 11, // DIR_Attr
  caseFlags: 12, // DIR_NTRes
  creationHundredths: 13, // DIR_CrtTimeTenth
  creationTime: 14, // DIR_CrtTime
  creationDate: 16, // DIR_CrtDate
  accessDate: 18, // DIR_LstAccDate
  firstClusterHigh: 20, // DIR_FstClusHI
  writeTime: 22, // DIR_WrtTime
  writeDate: 24, // DIR_WrtDate
  firstClusterLow: 26, // DIR_FstClusLO
  fileSize: 28, // DIR_FileSize
} as const;

/** DIR_Name[0]: the end of the directory, a free entry, and 0x05 standing for a real 0xE5 (a KANJI lead byte). */
export const entryMarkers = { end: 0x00, free: 0xe5, escapedFree: 0x05 } as const;

/** A VFAT long-name entry. */
export const longEntryFields = {
  order: 0, // LDIR_Ord
  attributes: 11, // LDIR_Attr
  type: 12, // LDIR_Type
  checksum: 13, // LDIR_Chksum
  firstClusterLow: 26, // LDIR_FstClusLO
} as const;
/** LDIR_Ord of the entry holding the name's last part (the first entry on disk). */
export const lastLongEntryFlag = 0x40;
/** Where a long entry keeps its 13 UTF-16 units: 5 at LDIR_Name1, 6 at LDIR_Name2, 2 at LDIR_Name3. */
export const longNameUnitOffsets = [1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30] as const;
export const unitsPerLongEntry = longNameUnitOffsets.length;
/** The spec's "255 characters, not including the trailing NUL". */
export const maxLongNameUnits = 255;

/** The spec's ChkSum(): an 8-bit rotate-right-and-add over the 11 bytes of the short name. */
export function shortNameChecksum(shortName: string | Uint8Array): number {
  const byteAt = (index: number): number =>
    typeof shortName === 'string' ? shortName.charCodeAt(index) : (shortName[index] ?? 0);
  let sum = 0;
  for (let index = 0; index < shortNameLength; index += 1) sum = (((sum & 1) << 7) + (sum >> 1) + byteAt(index)) & 0xff;
  return sum;
}
