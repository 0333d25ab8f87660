import { readdir, readFile, stat, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pack } from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { CloudseedError } from '../../src/errors.js';
import { runInspect, type InspectOutput } from '../../src/inspect/index.js';
import { writeSeedTar } from '../../src/pack/seed-tar.js';
import { missingTools } from '../support/tools.js';
import { expectSameBytes, genisoimage, mkfsVfat, seedFiles, stagedTime, textFile, withWorkDirectory, xorriso } from './support/seed-images.js';

interface Captured extends InspectOutput {
  lines: string[];
  written: Uint8Array[];
}

function capture(): Captured {
  const lines: string[] = [];
  const written: Uint8Array[] = [];
  return {
    lines,
    written,
    text: (text) => void lines.push(text),
    bytes: async (data) => void written.push(data),
  };
}

/** Writes `image` as `<work>/my-seed.img` and runs `cloudseed inspect my-seed.img ...flags` in `<work>`. */
async function inspect(image: Uint8Array, flags: string[], use?: (directory: string, output: Captured) => Promise<void>): Promise<Captured> {
  return withWorkDirectory(async (directory) => {
    const imagePath = path.join(directory, 'my-seed.img');
    await writeFile(imagePath, image);
    const output = capture();
    await runInspect([imagePath, ...flags.map((flag) => flag.replace('$WORK', directory))], output);
    await use?.(directory, output);
    output.lines = output.lines.map((line) => line.replaceAll(directory, '$WORK'));
    return output;
  });
}

async function rejection(promise: Promise<unknown>): Promise<CloudseedError> {
  const error = await promise.then(() => null, (reason: unknown) => reason);
  expect(error).toBeInstanceOf(CloudseedError);
  return error as CloudseedError;
}

describe.skipIf(missingTools('genisoimage').length > 0)('cloudseed inspect on an ISO image', () => {
  it('prints format, features, label and size, then each file with its size and mode', async () => {
    const image = await genisoimage(seedFiles());
    const { lines } = await inspect(image, []);
    expect(lines.join('\n')).toBe(
      [
        `$WORK/my-seed.img: iso9660 (Joliet, Rock Ridge), label cidata, ${image.length} bytes`,
        '  meta-data       44  -rw-r--r--',
        '  network-config  46  -rw-r--r--',
        '  user-data       52  -rw-------',
      ].join('\n'),
    );
  });

  it('prints the same as JSON with --json', async () => {
    const { lines } = await inspect(await genisoimage(seedFiles()), ['--json']);
    const json = JSON.parse(lines.join('\n')) as Record<string, unknown>;
    expect(json).toMatchObject({ format: 'iso9660', container: null, label: 'cidata', joliet: true, rockRidge: true });
    expect(json.entries).toContainEqual({ path: 'user-data', type: 'file', size: 52, mode: '0600', modified: '2023-11-14T22:13:20.000Z' });
  });

  it('writes one file’s bytes, and nothing else, with --print', async () => {
    const output = await inspect(await genisoimage(seedFiles()), ['--print', 'user-data']);
    expect(output.lines).toEqual([]);
    expect(output.written).toHaveLength(1);
    expectSameBytes(output.written[0] ?? new Uint8Array(), seedFiles()[0]?.bytes ?? new Uint8Array(), '--print user-data');
  });

  it('names the files there are when --print asks for one that is not', async () => {
    const error = await rejection(inspect(await genisoimage(seedFiles()), ['--print', 'vendor-data']));
    expect(error.code).toBe('USAGE');
    expect(error.message).toBe('the image has no file "vendor-data"; it holds meta-data, network-config, user-data');
  });
});

describe.skipIf(missingTools('xorriso').length > 0)('cloudseed inspect --extract', () => {
  it('writes every file; user-data 0600 even where the image says r--r--r--, the others as the image says', async () => {
    await inspect(await xorriso(seedFiles()), ['--extract', '$WORK/out'], async (directory, output) => {
      const out = path.join(directory, 'out');
      expect((await readdir(out)).sort()).toEqual(['meta-data', 'network-config', 'user-data']);
      for (const file of seedFiles()) expectSameBytes(new Uint8Array(await readFile(path.join(out, file.path))), file.bytes, file.path);
      expect((await stat(path.join(out, 'user-data'))).mode & 0o777).toBe(0o600);
      expect((await stat(path.join(out, 'meta-data'))).mode & 0o777).toBe(0o444);
      expect((await stat(out)).mode & 0o777).toBe(0o700);
      expect(output.lines.at(-1)).toBe(`extracted 3 file(s) into ${out}: meta-data, network-config, user-data`);
    });
  });

  it('writes into a folder that is not empty, but refuses, writing nothing, when a file is already there', async () => {
    const image = await xorriso(seedFiles());
    await withWorkDirectory(async (directory) => {
      const out = path.join(directory, 'out');
      await mkdir(out);
      await writeFile(path.join(out, 'keep'), 'x');
      await writeFile(path.join(directory, 'seed.img'), image);
      await runInspect([path.join(directory, 'seed.img'), '--extract', out], capture());
      expect((await readdir(out)).sort()).toEqual(['keep', 'meta-data', 'network-config', 'user-data']);
      await mkdir(path.join(directory, 'again'));
      await writeFile(path.join(directory, 'again', 'user-data'), 'mine');
      const error = await rejection(runInspect([path.join(directory, 'seed.img'), '--extract', path.join(directory, 'again')], capture()));
      expect(error.code).toBe('USAGE');
      expect(error.message).toBe(`${path.join(directory, 'again', 'user-data')} already exists; cloudseed never overwrites or follows what it did not write`);
      expect(await readdir(path.join(directory, 'again'))).toEqual(['user-data']);
      expect(await readFile(path.join(directory, 'again', 'user-data'), 'utf8')).toBe('mine');
    });
  });
});

describe('cloudseed inspect on tar and FAT', () => {
  it('finds user-data in a tar-seed-local archive by its name alone', async () => {
    const archive = await writeSeedTar(seedFiles(), { layout: 'tar-seed-local', timestamp: stagedTime });
    const output = await inspect(archive, ['--print', 'user-data']);
    expectSameBytes(output.written[0] ?? new Uint8Array(), seedFiles()[0]?.bytes ?? new Uint8Array(), 'user-data');
  });

  it.each(['../evil', 'seed/../../evil', '/etc/evil'])('refuses to extract %s, writing nothing', async (name) => {
    const archive = pack();
    archive.entry({ name: 'user-data', size: 1 }, 'x');
    archive.entry({ name, size: 1 }, 'x');
    archive.finalize();
    const chunks: Buffer[] = [];
    for await (const chunk of archive) chunks.push(chunk as Buffer);
    await withWorkDirectory(async (directory) => {
      const imagePath = path.join(directory, 'seed.tar');
      await writeFile(imagePath, Buffer.concat(chunks));
      const error = await rejection(runInspect([imagePath, '--extract', path.join(directory, 'out')], capture()));
      expect(error.code).toBe('SPEC_INVALID');
      expect(error.message).toMatch(/^the image holds an entry named ".*", (an absolute path, )?which would be written outside the extraction folder$/);
      expect(await readdir(directory)).toEqual(['seed.tar']); // not even the folder
    });
  });

  it.skipIf(missingTools('mkfs.vfat', 'mcopy').length > 0)('prints a FAT volume’s type and label, and files without modes', async () => {
    const image = await mkfsVfat([textFile('user-data', 'abc'), textFile('A Long Name.yaml', '')], { sizeKiB: 1024, label: 'cidata' });
    const { lines } = await inspect(image, []);
    expect(lines.join('\n')).toBe(
      [`$WORK/my-seed.img: vfat (FAT12), label cidata, 1048576 bytes`, '  user-data         3', '  A Long Name.yaml  0'].join('\n'),
    );
  });
});

describe('cloudseed inspect arguments', () => {
  it.each([
    [[], 'inspect needs an image file'],
    [['a.img', 'b.img'], 'unexpected arguments: b.img'],
    [['a.img', '--print', 'user-data', '--json'], '--print writes the file alone to stdout; it cannot be combined with --json or --extract'],
    [['a.img', '--frobnicate'], "Unknown option '--frobnicate'"],
  ])('%j is a USAGE error: %s', async (argv, message) => {
    const error = await rejection(runInspect(argv, capture()));
    expect(error.code).toBe('USAGE');
    expect(error.message).toContain(message);
  });

  it('prints its usage with --help', async () => {
    const output = capture();
    await runInspect(['--help'], output);
    expect(output.lines[0]).toMatch(/^Usage: cloudseed inspect <image>/);
  });
});
