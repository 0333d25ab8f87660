// What cloudseed itself needs to know of the tar layout; tar-stream's headers.js encodes and decodes the
// headers for both the writer and the reader. POSIX writes "ustar\0" + "00" at byte 257 of a header, GNU
// tar "ustar  \0"; both start with these five letters.
export const ustarMagicOffset = 257;
export const ustarMagic = 'ustar';
