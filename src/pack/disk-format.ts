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
    await runTool('qemu-img', ['convert', '-f', 'raw', '-O', diskFormat, rawPath, convertedPath]);
    return readImage(convertedPath);
  });
}
