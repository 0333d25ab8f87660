// `inspectImage`: the I/O around the pure readers. Reads the file, converts qcow2 to raw with qemu-img
// in a private temporary folder, reads the volume, and names the file in every error about it.
import { constants, type Stats } from 'node:fs';
import { open, writeFile, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { concatBytes } from '../concat-bytes.js';
import { CloudseedError } from '../errors.js';
import { runTool } from '../pack/run-tool.js';
import { readImage, withTemporaryDirectory } from '../pack/staging.js';
import { detectImageFormat, invalidImage, readQcow2Header } from '../formats/index.js';
import { locateImageError } from './image-errors.js';
import type { ImageVolume } from './image-volume.js';
import { readImageVolume } from './read-image.js';

export interface InspectOptions {
  /** The largest image (or qcow2 disk) read into memory, in bytes; 1 GiB unless given. */
  maxImageBytes?: number;
}

export interface ImageInspection {
  imagePath: string;
  /** `qcow2` when the file is a qcow2 image that was converted to raw to be read, else null. */
  container: 'qcow2' | null;
  /** Size of the file itself. */
  fileBytes: number;
  /** Size of the raw volume or archive that was read (the converted disk for qcow2). */
  volumeBytes: number;
  volume: ImageVolume;
}

const defaultMaxImageBytes = 1024 * 1024 * 1024;
const readChunkBytes = 1024 * 1024;

export async function inspectImage(imagePath: string, options: InspectOptions = {}): Promise<ImageInspection> {
  const maxImageBytes = options.maxImageBytes ?? defaultMaxImageBytes;
  try {
    const fileBytes = await readImageFile(imagePath, maxImageBytes);
    const container = detectImageFormat(fileBytes) === 'qcow2' ? 'qcow2' : null;
    const raw = container === 'qcow2' ? await convertQcow2ToRaw(fileBytes, maxImageBytes) : fileBytes;
    const volume = await readImageVolume(raw);
    return { imagePath, container, fileBytes: fileBytes.length, volumeBytes: raw.length, volume };
  } catch (error) {
    throw locateImageError(error, imagePath);
  }
}

/**
 * The file's bytes, read through one handle: opened without blocking (a FIFO would wait for a writer),
 * checked to be a regular file on that handle (not a path that may change), and read no further than
 * `maxImageBytes`, whatever its size claimed.
 */
async function readImageFile(imagePath: string, maxImageBytes: number): Promise<Uint8Array> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(imagePath, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
    const info = await handle.stat();
    if (!info.isFile()) throw unreadable(imagePath, `is ${fileKind(info)}, not a regular file`);
    // The size is checked first so a huge file is refused at once; the read is bounded too, since a file
    // can grow, and some (in /proc) claim 0 bytes.
    const bytes = info.size > maxImageBytes ? null : await readAtMost(handle, maxImageBytes + 1);
    if (bytes === null || bytes.length > maxImageBytes) {
      const size = bytes === null ? `${info.size} bytes` : `more than ${maxImageBytes} bytes`;
      throw invalidImage(`the image is ${size}; seed images are far smaller (at most ${maxImageBytes} bytes are read)`);
    }
    if (bytes.length === 0) throw invalidImage('the file is empty; expected a seed image');
    return bytes;
  } catch (cause) {
    if (cause instanceof CloudseedError) throw cause;
    const code = (cause as NodeJS.ErrnoException).code;
    throw unreadable(imagePath, code === 'ENOENT' ? 'no such file' : `cannot be read (${code ?? String(cause)})`, cause);
  } finally {
    await handle?.close();
  }
}

async function readAtMost(handle: FileHandle, limit: number): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  while (total < limit) {
    const chunk = new Uint8Array(Math.min(readChunkBytes, limit - total));
    const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
    if (bytesRead === 0) break;
    chunks.push(chunk.subarray(0, bytesRead));
    total += bytesRead;
  }
  return chunks.length === 1 ? (chunks[0] as Uint8Array) : concatBytes(chunks);
}

function fileKind(info: Stats): string {
  if (info.isDirectory()) return 'a directory';
  if (info.isFIFO()) return 'a FIFO';
  if (info.isCharacterDevice()) return 'a character device';
  if (info.isBlockDevice()) return 'a block device';
  if (info.isSocket()) return 'a socket';
  return 'not a file';
}

function unreadable(imagePath: string, reason: string, cause?: unknown): CloudseedError {
  const location = { file: imagePath, line: null, column: null, field: null };
  return new CloudseedError('USAGE', `${reason}; expected a seed image file`, { location, cause });
}

/**
 * qemu-img converts a private copy of the bytes whose header was checked, so the file cannot change
 * between the check and the conversion; `-f qcow2` stops qemu-img from guessing the format.
 */
async function convertQcow2ToRaw(qcow2: Uint8Array, maxImageBytes: number): Promise<Uint8Array> {
  readQcow2Header(qcow2, maxImageBytes);
  return withTemporaryDirectory(async (directory) => {
    const qcow2Path = path.join(directory, 'seed.qcow2');
    const rawPath = path.join(directory, 'seed.raw');
    // The seed may hold password hashes: the copies are as private as the folder.
    await writeFile(qcow2Path, qcow2, { mode: 0o600 });
    try {
      await runTool('qemu-img', ['convert', '-f', 'qcow2', '-O', 'raw', qcow2Path, rawPath]);
    } catch (error) {
      // The header was sound, so a failure now is a damaged image (bad input), not a broken qemu-img.
      if (!(error instanceof CloudseedError) || error.code !== 'TOOL_FAILED') throw error;
      throw new CloudseedError('SPEC_INVALID', `qemu-img cannot read this qcow2 image: ${error.message}`, { cause: error });
    }
    return readImage(rawPath);
  });
}
