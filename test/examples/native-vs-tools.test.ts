// For every VM of every example spec: the native ISO and genisoimage's ISO hold the same label and the
// same files with the same bytes in all three views (Joliet, Rock Ridge, plain ISO9660), pycdlib and
// xorriso open the native one; the native vfat and cloud-localds's vfat hold the same files under
// mtools, and fsck.vfat finds nothing to fix in the native one.
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedFilesOf } from '../../src/output/index.js';
import { packSeed, type SeedFile } from '../../src/pack/index.js';
import { findListing, isoinfo, isoinfoExtract, pycdlibPython, readWithPycdlib, sha256 } from '../pack/iso9660/iso-readers.js';
import { missingTools } from '../support/tools.js';
import { loadExamples, toolExamples, type Example } from './load-examples.js';

const toolEnv = { PATH: `${process.env.PATH ?? ''}:/usr/sbin:/sbin` };
let work = '';
let examples: Example[] = [];

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'cloudseed-native-vs-tools-'));
  examples = toolExamples(await loadExamples());
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

async function pack(files: SeedFile[], filesystem: 'iso9660' | 'vfat', packer: 'native' | 'genisoimage' | 'cloud-localds', file: string): Promise<string> {
  const { bytes } = await packSeed(files, { label: 'cidata', filesystem, diskFormat: 'raw', packer, sourceDateEpoch: 1_700_000_000 });
  await writeFile(file, bytes);
  return file;
}

/** Name → SHA-256 in one isoinfo view (`-J`, `-R`, or the plain 8.3 names when null). */
async function isoView(image: string, view: '-J' | '-R' | null): Promise<Map<string, string>> {
  const names = findListing((await isoinfo(image, ...(view === null ? ['-f'] : [view, '-f']))).stdout);
  const files = new Map<string, string>();
  for (const name of names) files.set(name, sha256(await isoinfoExtract(image, view, `/${name}`)));
  return files;
}

async function vfatView(image: string): Promise<{ label: string; files: Map<string, string> }> {
  const out = `${image}.files`;
  await mkdir(out);
  await execa('mcopy', ['-n', '-i', image, '::/*', `${out}/`], { env: toolEnv });
  const files = new Map<string, string>();
  for (const name of await readdir(out)) files.set(name, sha256(await readFile(path.join(out, name))));
  const label = /Volume label is (\S*)/.exec((await execa('mlabel', ['-s', '-i', image, '::'], { env: toolEnv })).stdout)?.[1] ?? '';
  return { label: label.toLowerCase(), files };
}

describe.skipIf(missingTools('genisoimage', 'isoinfo', 'xorriso', 'cloud-localds', 'mcopy', 'fsck.vfat').length > 0)('native seeds against the tools, for every example', () => {
  it('ISO: same label and files as genisoimage under isoinfo -J, -R and plain; xorriso and pycdlib open it', async () => {
    const nativeImages: string[] = [];
    for (const example of examples) {
      const files = seedFilesOf(example.documents);
      const dir = path.join(work, `${example.seed}-${example.vm.name}`);
      await mkdir(dir);
      const native = await pack(files, 'iso9660', 'native', path.join(dir, 'native.iso'));
      const theirs = await pack(files, 'iso9660', 'genisoimage', path.join(dir, 'genisoimage.iso'));
      nativeImages.push(native);
      const where = `${example.seed} ${example.vm.name}`;
      expect((await isoinfo(native, '-d')).stdout, where).toMatch(/^Volume id: cidata$/m);
      for (const view of ['-J', '-R', null] as const) {
        expect(await isoView(native, view), `${where} ${view ?? 'plain'}`).toEqual(await isoView(theirs, view));
      }
      const joliet = await isoView(native, '-J');
      for (const file of files) expect(joliet.get(file.path), `${where} ${file.path}`).toBe(sha256(file.bytes));
      const xorriso = await execa('xorriso', ['-indev', native, '-find', '/', '-type', 'f']);
      expect(xorriso.stdout.split('\n').sort()).toEqual(files.map((file) => `'/${file.path}'`).sort());
      expect(xorriso.stderr).not.toMatch(/SORRY|FAILURE|WARNING/);
    }
    const python = pycdlibPython();
    if (python === null) return;
    for (const view of await readWithPycdlib(python, nativeImages)) {
      expect(view.error, view.image).toBeUndefined();
      expect([view.joliet, view.rockRidge], view.image).toEqual([true, true]);
      expect(Object.keys(view.jolietFiles).sort()).toEqual(['meta-data', 'network-config', 'user-data']);
    }
  });

  it('vfat: same files as cloud-localds -f vfat under mtools, and fsck.vfat -n finds nothing to fix', async () => {
    for (const example of examples) {
      const files = seedFilesOf(example.documents);
      const dir = path.join(work, `vfat-${example.seed}-${example.vm.name}`);
      await mkdir(dir);
      const native = await pack(files, 'vfat', 'native', path.join(dir, 'native.img'));
      const theirs = await pack(files, 'vfat', 'cloud-localds', path.join(dir, 'cloud-localds.img'));
      const where = `${example.seed} ${example.vm.name}`;
      expect(await vfatView(native), where).toEqual(await vfatView(theirs));
      const fsck = await execa('fsck.vfat', ['-n', native], { env: toolEnv, reject: false });
      expect(fsck.exitCode, `${where}: ${fsck.stdout}`).toBe(0);
      expect(fsck.stdout.split('\n').filter((line) => line && !/^fsck\.fat |^\s*$|files?, \d+\/\d+ clusters/.test(line)), where).toEqual([]);
    }
  });
});
