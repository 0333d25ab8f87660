// `inspectImage`: the I/O around the pure readers. Reads the file, converts qcow2 to raw with qemu-img
// in a private temporary folder, reads the volume, and names the file in every error about it.
import { stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { CloudseedError } from '../errors.js';
import { runTool } from '../pack/run-tool.js';
import { readImage, withTemporaryDirectory } from '../pack/staging.js';
import { detectImageFormat } from './detect-image-format.js';
import { invalidImage, locateImageError } from './image-errors.js';
import type { ImageVolume } from './image-volume.js';
import { readQcow2Header } from './qcow2-header.js';
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

async function readImageFile(imagePath: string, maxImageBytes: number): Promise<Uint8Array> {
  try {
    const info = await stat(imagePath);
    if (!info.isFile()) throw unreadable(imagePath, 'is not a regular file');
    if (info.size > maxImageBytes) {
      throw invalidImage(`the image is ${info.size} bytes; seed images are far smaller (at most ${maxImageBytes} bytes are read)`);
    }
    return await readImage(imagePath);
  } catch (cause) {
    if (cause instanceof CloudseedError) throw cause;
    const code = (cause as NodeJS.ErrnoException).code;
    throw unreadable(imagePath, code === 'ENOENT' ? 'no such file' : `cannot be read (${code ?? String(cause)})`, cause);
  }
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
