// The file system's share of a build: writes an already built output tree (read into memory first,
// not timed) to a new folder the way cloudseed writes, one synchronous write per file with its mode.
// No rendering, no packing, no rename, no symlinks: the files users see, read through cloudseed's
// links, with .cloudseed/ left out. Prints one JSON line: { ms, files }.
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

const [builtDir, outputDir] = process.argv.slice(2);
if (builtDir === undefined || outputDir === undefined) throw new Error('usage: write-only-child.ts BUILT-DIR OUTPUT-DIR');

const tree = readdirSync(builtDir).filter((name) => name !== '.cloudseed').map((name) => {
  const from = path.join(builtDir, name);
  const entry = { name, isDirectory: () => statSync(from).isDirectory() };
  const files = entry.isDirectory()
    ? readdirSync(from).map((name) => ({ name, bytes: readFileSync(path.join(from, name)), mode: statSync(path.join(from, name)).mode & 0o777 }))
    : [];
  return { name: entry.name, isDirectory: entry.isDirectory(), files, bytes: entry.isDirectory() ? null : readFileSync(from) };
});

const start = performance.now();
mkdirSync(outputDir, { recursive: true });
let files = 0;
for (const entry of tree) {
  if (entry.bytes !== null) {
    writeFileSync(path.join(outputDir, entry.name), entry.bytes, { flag: 'wx' });
    files += 1;
    continue;
  }
  mkdirSync(path.join(outputDir, entry.name));
  for (const file of entry.files) writeFileSync(path.join(outputDir, entry.name, file.name), file.bytes, { mode: file.mode, flag: 'wx' });
  files += entry.files.length;
}
console.log(JSON.stringify({ ms: performance.now() - start, files }));
