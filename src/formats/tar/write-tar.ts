// Files as a tar archive, through tar-stream's pack: every file at the top or under one folder (with an
// entry of its own for that folder), owned by root and stamped with one time, so the same input always
// gives the same bytes.
import { pack } from 'tar-stream';
import type { ImageFile } from '../image-file.js';

export interface TarWriteOptions {
  /** The folder to put the files in, e.g. `var/lib/cloud/seed/nocloud`; null for the top. */
  folder: string | null;
  /** Seconds since the epoch for every entry's mtime. */
  timestamp: number;
}

export async function writeTar(files: readonly ImageFile[], options: TarWriteOptions): Promise<Uint8Array> {
  const archive = pack();
  const chunks: Buffer[] = [];
  archive.on('data', (chunk: unknown) => {
    chunks.push(chunk as Buffer);
  });
  const finished = new Promise<void>((resolve, reject) => {
    archive.on('end', resolve);
    archive.on('error', reject);
  });
  // Owned by root, like cloud-localds's `tar --owner=root --group=root`.
  const owner = { uid: 0, gid: 0, uname: 'root', gname: 'root', mtime: new Date(options.timestamp * 1000) };
  const { folder } = options;
  if (folder !== null) archive.entry({ ...owner, name: `${folder}/`, type: 'directory', mode: 0o755 });
  for (const file of files) {
    const name = folder === null ? file.path : `${folder}/${file.path}`;
    archive.entry({ ...owner, name, type: 'file', mode: file.mode, size: file.bytes.length }, Buffer.from(file.bytes));
  }
  archive.finalize();
  await finished;
  return new Uint8Array(Buffer.concat(chunks));
}
