// How big a FAT image must be to hold the seed files. cloud-localds always makes 128 KiB, which fails
// with "Disk full" once user-data passes about 100 KB; the mtools packer sizes the image to fit instead.

const kibibyte = 1024;
// mkfs.fat 4.2 picks 2 KiB clusters up to 128 MiB and 4 KiB up to 8 GiB; rounding every file up to
// 4 KiB therefore always leaves room for its last, partly filled cluster.
const clusterBytes = 4 * kibibyte;
// Boot sector, FAT32's 32 reserved sectors and a 512-entry (16 KiB) root directory, with room to spare.
// It also keeps us above mkfs.fat's minimum: it refuses images of 32 KiB and less ("Too few blocks").
const fixedOverheadBytes = 64 * kibibyte;
// Two FATs at up to 4 bytes per 2 KiB cluster take 1/256 of the data; reserve twice that.
const fatBytesPerDataByte = 1 / 128;

/** The image size, in KiB (mkfs.vfat's unit), that holds files of these sizes. */
export function vfatImageKibibytes(fileSizes: readonly number[]): number {
  const dataBytes = fileSizes.reduce((total, size) => total + roundUp(size, clusterBytes), 0);
  const imageBytes = fixedOverheadBytes + dataBytes + Math.ceil(dataBytes * fatBytesPerDataByte);
  return Math.ceil(imageBytes / kibibyte);
}

function roundUp(value: number, step: number): number {
  return Math.ceil(value / step) * step;
}
