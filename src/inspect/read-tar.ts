// Reads a seed tar archive: the entries as formats/tar reads them, and which of cloud-localds's layouts
// they make (files at the top, or directly in one of NoCloud's seed folders).
import { readTarContents, type ImageEntry } from '../formats/index.js';
import { tarSeedFolders, type TarLayout } from '../pack/seed-file.js';
import type { TarArchive } from './image-volume.js';

/** Pure (no I/O, only a stream over the given bytes): a tar archive in, its entries and layout out. */
export async function readTar(archive: Uint8Array): Promise<TarArchive> {
  const contents = await readTarContents(archive);
  return { format: 'tar', layout: detectLayout(contents.entries), label: null, ...contents };
}

/** `tar` when every file is at the top; a seed layout when every file is directly in its folder. */
function detectLayout(entries: readonly ImageEntry[]): TarLayout | null {
  const files = entries.filter((entry) => entry.type === 'file');
  if (files.length === 0) return null;
  if (files.every((file) => !file.path.includes('/'))) return 'tar';
  for (const [layout, folder] of Object.entries(tarSeedFolders) as [TarLayout, string | null][]) {
    if (folder === null) continue;
    const prefix = `${folder}/`;
    const inFolder = files.every((file) => file.path.startsWith(prefix) && !file.path.slice(prefix.length).includes('/'));
    if (inFolder) return layout;
  }
  return null;
}
