// A file the writers put in an image: its name at the volume's root, its bytes and its Unix mode. The
// pack stage's SeedFile is this shape; the writers need nothing more of it.
export interface ImageFile {
  /** File name at the root of the volume, e.g. `user-data`. */
  path: string;
  bytes: Uint8Array;
  /** Unix permission bits, e.g. 0o600 for files that hold password hashes. */
  mode: number;
}
