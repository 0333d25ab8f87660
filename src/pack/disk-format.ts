// Disk formats other than raw, made in one place for every packer: packers write a raw filesystem
// image and qemu-img (Debian qemu-utils) converts it.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runTool } from './run-tool.js';
import type { DiskFormat } from './seed-file.js';
import { readImage, withTemporaryDirectory } from './staging.js';

/** Returns `rawImage` in `diskFormat`; raw comes back unchanged. */
export async function convertDiskFormat(rawImage: Uint8Array, diskFormat: DiskFormat): Promise<Uint8Array> {
  if (diskFormat === 'raw') return rawImage;
  return withTemporaryDirectory(async (directory) => {
    const rawPath = path.join(directory, 'seed.raw');
    const convertedPath = path.join(directory, `seed.${diskFormat}`);
    // The image may hold password hashes: keep it as private as the seed files were.
    await writeFile(rawPath, rawImage, { mode: 0o600 });
    // 4 KiB clusters, not qcow2's 64 KiB: a seed holds a few small files, and with 64 KiB clusters its
    // metadata and part-used clusters made 384 KiB of 58 KiB of content (4 KiB: about 80 KiB).
    await runTool('qemu-img', ['convert', '-f', 'raw', '-O', diskFormat, '-o', 'cluster_size=4096', rawPath, convertedPath]);
    return readImage(convertedPath);
  });
}
