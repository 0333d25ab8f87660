// Seed files as a tar archive, laid out as cloud-localds lays them out: `tar` holds the files at the
// top; `tar-seed-local` and `tar-seed-net` put them where cloud-init's NoCloud looks on the root
// filesystem (var/lib/cloud/seed/nocloud and nocloud-net), to be unpacked into an image with `tar -C`.
import { pack } from 'tar-stream';
import type { SeedFile, TarLayout } from '../seed-file.js';

export interface TarOptions {
  layout: TarLayout;
  /** Seconds since the epoch for every entry's mtime. */
  timestamp: number;
}

const seedFolders: Record<TarLayout, string | null> = {
  tar: null,
  'tar-seed-local': 'var/lib/cloud/seed/nocloud',
  'tar-seed-net': 'var/lib/cloud/seed/nocloud-net',
};

export async function writeSeedTar(files: readonly SeedFile[], options: TarOptions): Promise<Uint8Array> {
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
  const folder = seedFolders[options.layout];
  if (folder !== null) archive.entry({ ...owner, name: `${folder}/`, type: 'directory', mode: 0o755 });
  for (const file of files) {
    const name = folder === null ? file.path : `${folder}/${file.path}`;
    archive.entry({ ...owner, name, type: 'file', mode: file.mode, size: file.bytes.length }, Buffer.from(file.bytes));
  }
  archive.finalize();
  await finished;
  return new Uint8Array(Buffer.concat(chunks));
}
