// The qcow2 header layout (QEMU's docs/interop/qcow2.txt), once for detection and the header check.
// Every number in it is big-endian. cloudseed writes no qcow2 itself: qemu-img converts raw images.

/** "QFI" and 0xFB at byte 0. */
export const qcow2Magic = [0x51, 0x46, 0x49, 0xfb] as const;

/** Header fields of versions 2 and 3; the first 72 bytes are common to both. */
export const headerFields = {
  magic: 0,
  version: 4,
  backingFileOffset: 8, // 64-bit
  backingFileSize: 16,
  clusterBits: 20,
  size: 24, // 64-bit: the guest-visible size
  cryptMethod: 32,
  l1Size: 36,
  l1TableOffset: 40, // 64-bit
  refcountTableOffset: 48, // 64-bit
  refcountTableClusters: 56,
  snapshotCount: 60,
  snapshotsOffset: 64, // 64-bit
  /** Version 3 only, like the field below. 64-bit. */
  incompatibleFeatures: 72,
  headerLength: 100,
} as const;
export const version2HeaderLength = 72;
export const version3HeaderLength = 104;

/** incompatible_features bits. */
export const incompatibleFeatures = { dirty: 0x01, corrupt: 0x02, externalDataFile: 0x04 } as const;
/** Bytes per L1 table entry. */
export const l1EntryLength = 8;
