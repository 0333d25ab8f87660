// What `cloudseed inspect` prints: one summary line (format, features, label, size) and one line per
// entry with its size and mode, or the same as JSON for scripts. Names and labels come from the image, so
// the listing escapes control and bidi characters; the JSON keeps them exact (as \u escapes).
import type { ImageEntry } from '../formats/index.js';
import type { ImageVolume } from './image-volume.js';
import type { ImageInspection } from './inspect-image.js';
import { printable } from '../printable-text.js';

/** `my-seed.img: iso9660 (Joliet, Rock Ridge), label cidata, 376832 bytes`, then the entries. */
export function formatInspection(inspection: ImageInspection): string {
  return [`${printable(inspection.imagePath)}: ${describeImage(inspection)}`, ...formatEntries(inspection.volume.entries)].join('\n');
}

function describeImage(inspection: ImageInspection): string {
  const { volume } = inspection;
  const kind = `${inspection.container === 'qcow2' ? 'qcow2 holding ' : ''}${volume.format}${features(volume)}`;
  const parts = [kind, describeLabel(volume), `${inspection.volumeBytes} bytes`].filter((part) => part !== '');
  return parts.join(', ');
}

function features(volume: ImageVolume): string {
  if (volume.format === 'vfat') return ` (FAT${volume.fatType})`;
  if (volume.format === 'tar') return volume.layout === null ? ' (not a cloud-localds layout)' : ` (${volume.layout})`;
  const names = [volume.joliet ? 'Joliet' : '', volume.rockRidge ? 'Rock Ridge' : ''].filter((name) => name !== '');
  return names.length === 0 ? '' : ` (${names.join(', ')})`;
}

/** FAT has two labels; blkid's LABEL (what cloud-init looks for) is the root directory's. Both show when they differ. */
function describeLabel(volume: ImageVolume): string {
  if (volume.format === 'tar') return '';
  if (volume.format === 'iso9660') return volume.label === '' ? 'no label' : `label ${printable(volume.label)}`;
  const directoryLabel = volume.directoryLabel === null ? null : printable(volume.directoryLabel);
  const bootSectorLabel = volume.bootSectorLabel === null ? null : printable(volume.bootSectorLabel);
  if (directoryLabel === null && bootSectorLabel === null) return 'no label';
  if (directoryLabel === null) return `no label (the boot sector says ${bootSectorLabel}, which blkid reports only as LABEL_FATBOOT)`;
  if (bootSectorLabel !== directoryLabel) return `label ${directoryLabel} (boot sector: ${bootSectorLabel ?? 'none'})`;
  return `label ${directoryLabel}`;
}

function formatEntries(entries: readonly ImageEntry[]): string[] {
  const names = entries.map((entry) => printable(entry.type === 'directory' ? `${entry.path}/` : entry.path));
  const nameWidth = Math.max(0, ...names.map((name) => name.length));
  const sizeWidth = Math.max(0, ...entries.map((entry) => String(entry.size).length));
  return entries.map((entry, index) => {
    const columns = [(names[index] ?? '').padEnd(nameWidth), String(entry.size).padStart(sizeWidth)];
    if (entry.mode !== null) columns.push(modeString(entry));
    return `  ${columns.join('  ')}`.trimEnd();
  });
}

const typeLetters: Record<ImageEntry['type'], string> = { file: '-', directory: 'd', symlink: 'l', other: '?' };

/** `ls -l` style: `-rw-------`, `drwxr-xr-x`; set-id and sticky bits as s/S and t/T. */
export function modeString(entry: Pick<ImageEntry, 'type' | 'mode'>): string {
  const mode = entry.mode ?? 0;
  const triplet = (shift: number, special: boolean, letter: string) => {
    const bits = (mode >> shift) & 7;
    const execute = (bits & 1) !== 0;
    const last = special ? (execute ? letter : letter.toUpperCase()) : execute ? 'x' : '-';
    return `${bits & 4 ? 'r' : '-'}${bits & 2 ? 'w' : '-'}${last}`;
  };
  return (
    typeLetters[entry.type] +
    triplet(6, (mode & 0o4000) !== 0, 's') +
    triplet(3, (mode & 0o2000) !== 0, 's') +
    triplet(0, (mode & 0o1000) !== 0, 't')
  );
}

/** The inspection as plain JSON data: modes as octal strings (`"0600"`), times in ISO 8601. */
export function inspectionToJson(inspection: ImageInspection): Record<string, unknown> {
  const { entries, readFile: _readFile, ...details } = inspection.volume;
  return {
    image: inspection.imagePath,
    container: inspection.container,
    fileBytes: inspection.fileBytes,
    volumeBytes: inspection.volumeBytes,
    ...details,
    entries: entries.map((entry) => ({
      path: entry.path,
      type: entry.type,
      size: entry.size,
      mode: entry.mode === null ? null : entry.mode.toString(8).padStart(4, '0'),
      modified: entry.modified?.toISOString() ?? null,
    })),
  };
}
