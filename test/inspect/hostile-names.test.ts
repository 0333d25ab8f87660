// Hostile names: control and bidi characters never reach the terminal raw (the listing and errors show
// them escaped, --json keeps them exact), and --extract never writes outside its folder, never follows
// or overwrites what is there, never creates links or devices, and refuses clashing or absurd names.
import { lstat, mkdir, readdir, readFile, readlink, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CloudseedError } from '../../src/errors.js';
import { runInspect } from '../../src/inspect/index.js';
import { looksLikeStackTrace, runInProcess, type CliRun } from '../cli/support/run-cloudseed.js';
import { fat, fatEntryOffset, isoWithLabel, isoWithNames, tarOf, utf8, type TarItem } from './support/hostile-images.js';
import { withWorkDirectory } from './support/seed-images.js';

// Raw ESC, BEL, DEL, CSI (C1) and the right-to-left override: what must never be printed as is.
const rawControls = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/u;

/** Writes `image` as `<work>/seed.img`, runs `cloudseed inspect seed.img ...flags` (`$OUT` = `<work>/out`). */
async function inspectIn(directory: string, image: Uint8Array, flags: string[] = []): Promise<CliRun> {
  const imagePath = path.join(directory, 'seed.img');
  await writeFile(imagePath, image);
  const run = await runInProcess(['inspect', imagePath, ...flags.map((flag) => flag.replace('$OUT', path.join(directory, 'out')))]);
  expect(looksLikeStackTrace(run.stderr), run.stderr).toBe(false);
  return run;
}

function tar(items: TarItem[]): Promise<Uint8Array> {
  return tarOf(items);
}

const file = (name: string, body = 'x', mode = 0o644): TarItem => ({ header: { name, size: body.length, mode }, body });

describe('control characters in names and labels', () => {
  const hostile = ['a\u001b[31mb', 'c\u0007d', 'e\u009bf', 'g\u202eh'];

  it('shows names escaped in the listing, and exact in --json (as \\u escapes)', async () => {
    await withWorkDirectory(async (directory) => {
      const image = isoWithNames(hostile);
      const listing = await inspectIn(directory, image);
      expect(listing.code).toBe(0);
      expect(listing.stdout).not.toMatch(rawControls);
      expect(listing.stdout.split('\n').slice(1, 5).map((line) => line.trim().split(/\s+/)[0])).toEqual(['a\\x1b[31mb', 'c\\x07d', 'e\\x9bf', 'g\\u202eh']);
      const json = await inspectIn(directory, image, ['--json']);
      expect(json.stdout).not.toMatch(rawControls);
      const entries = (JSON.parse(json.stdout) as { entries: { path: string }[] }).entries.map((entry) => entry.path);
      expect(entries).toEqual(hostile);
    });
  });

  it('shows an ISO label and a FAT long name escaped', async () => {
    await withWorkDirectory(async (directory) => {
      const iso = await inspectIn(directory, isoWithLabel(utf8('\u001b]0;pwned\u0007')));
      expect(iso.stdout.split('\n')[0]).toMatch(/iso9660 \(Joliet, Rock Ridge\), label \\x1b\]0;pwned\\x07, \d+ bytes$/);
      const vfat = await inspectIn(directory, (await import('./support/hostile-images.js')).fatWithLongNames(['a\u001bb']));
      expect(vfat.stdout).toContain('  a\\x1bb');
      expect(vfat.stdout).not.toMatch(rawControls);
    });
  });

  it('escapes names in error messages: a missing --print name, a damaged file, the image path', async () => {
    await withWorkDirectory(async (directory) => {
      const missing = await inspectIn(directory, isoWithNames(['a\u001b[2Jb']), ['--print', 'x\u001b[2J']);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toContain('the image has no file "x\\u001b[2J"; it holds a\\x1b[2Jb');
      expect(missing.stderr).not.toMatch(rawControls);
      const image = fat([{ path: 'u\u001bd', bytes: utf8('x'), mode: 0o644 }].map((entry) => ({ ...entry, path: 'uzd' })));
      const damaged = image.slice();
      damaged.set(new Uint8Array([0x75, 0x00, 0x1b, 0x00, 0x64, 0x00]), fatEntryOffset(damaged, 'UZD') - 32 + 1);
      damaged.set(new Uint8Array([0xff, 0xff, 0xff, 0xff]), fatEntryOffset(damaged, 'UZD') + 28);
      const damagedRun = await inspectIn(directory, damaged);
      expect(damagedRun.code).toBe(2);
      expect(damagedRun.stderr).toContain('u\\x1bd is 4294967295 bytes');
      expect(damagedRun.stderr).not.toMatch(rawControls);
      const oddPath = path.join(directory, 'seed\u001b[31m.img');
      await writeFile(oddPath, '');
      const oddRun = await runInProcess(['inspect', oddPath]);
      expect(oddRun.stderr).toContain('seed\\x1b[31m.img: the file is empty');
      expect(oddRun.stderr).not.toMatch(rawControls);
    });
  });

  it('escapes them in the message a library caller gets from runInspect too', async () => {
    await withWorkDirectory(async (directory) => {
      await writeFile(path.join(directory, 'seed.img'), isoWithNames(['a\u001b[2Jb']));
      const error = await runInspect([path.join(directory, 'seed.img'), '--print', 'x\u009b2J'], { text: () => undefined, bytes: async () => undefined }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(CloudseedError);
      expect((error as CloudseedError).message).toBe('the image has no file "x\\x9b2J"; it holds a\\x1b[2Jb');
    });
  });
});

describe('--extract with hostile names', () => {
  it.each([
    ['../evil', 'the image holds an entry named "../evil", which would be written outside the extraction folder'],
    ['seed/../../evil', 'the image holds an entry named "seed/../../evil", which would be written outside the extraction folder'],
    ['/etc/evil', 'the image holds an entry named "/etc/evil", an absolute path, which would be written outside the extraction folder'],
    ['a//b', 'the image holds an entry named "a//b", which has an empty or "." part'],
    ['a/./b', 'the image holds an entry named "a/./b", which has an empty or "." part'],
    [`${'n'.repeat(300)}`, 'which has a part longer than 255 bytes'],
    [`${'d/'.repeat(1600)}f`, 'a path longer than 3072 bytes'],
  ])('refuses %#, writing nothing (exit 2)', async (name, message) => {
    await withWorkDirectory(async (directory) => {
      const run = await inspectIn(directory, await tar([file('user-data'), file(name)]), ['--extract', '$OUT']);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(message);
      expect(run.stderr).toContain(`hint: nothing was extracted into ${path.join(directory, 'out')}`);
      expect(await readdir(directory)).toEqual(['seed.img']); // not even the folder
    });
  });

  it.each([
    [[file('user-data'), file('user-data')], 'the image holds "user-data" twice; extracted, one would overwrite the other'],
    [[file('user-data'), file('User-Data')], 'the image holds "user-data" and "User-Data", which differ only in case'],
    [[file('a'), file('a/b')], 'the image holds "a" both as a file and as a folder (for "a/b")'],
    [[file('a/b'), file('A')], 'the image holds "a" and "A", which differ only in case'],
  ])('refuses clashing names %#, writing nothing (exit 2)', async (items, message) => {
    await withWorkDirectory(async (directory) => {
      const run = await inspectIn(directory, await tar(items), ['--extract', '$OUT']);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(message);
      expect(await readdir(directory)).toEqual(['seed.img']);
    });
  });

  it('refuses two ISO files with one Rock Ridge name', async () => {
    await withWorkDirectory(async (directory) => {
      const run = await inspectIn(directory, isoWithNames(['same', 'same']), ['--extract', '$OUT']);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('the image holds "same" twice');
      expect(await readdir(directory)).toEqual(['seed.img']);
    });
  });

  it('skips symbolic links, hard links and devices with a message, and writes the files', async () => {
    await withWorkDirectory(async (directory) => {
      const items: TarItem[] = [
        file('user-data', '#cloud-config\n'),
        { header: { name: 'link-out', type: 'symlink', linkname: '/etc/passwd' } },
        { header: { name: 'hard', type: 'link', linkname: 'user-data' } },
        { header: { name: 'zero', type: 'character-device', devmajor: 1, devminor: 5 } },
        { header: { name: 'pipe', type: 'fifo' } },
      ];
      const run = await inspectIn(directory, await tar(items), ['--extract', '$OUT']);
      expect(run.code).toBe(0);
      const out = path.join(directory, 'out');
      expect(await readdir(out)).toEqual(['user-data']);
      expect(run.stdout).toContain('skipped link-out: a symbolic link, which cloudseed does not create');
      expect(run.stdout).toContain('skipped hard: a link or device file, which cloudseed does not create');
      expect(run.stdout).toContain('skipped zero: a link or device file');
      expect(run.stdout).toContain('skipped pipe: a link or device file');
      expect(run.stdout).toContain(`extracted 1 file(s) into ${out}: user-data`);
    });
  });

  it('writes files beside what is in the folder, leaving it alone; user-data 0600 whatever the image says', async () => {
    await withWorkDirectory(async (directory) => {
      const out = path.join(directory, 'out');
      await mkdir(out);
      await writeFile(path.join(out, 'keep'), 'mine');
      const run = await inspectIn(directory, await tar([file('user-data', 'secret', 0o666), file('sub/USER-DATA', 'secret', 0o644), file('meta-data', 'm', 0o640)]), ['--extract', '$OUT']);
      expect(run.code).toBe(0);
      expect((await readdir(out)).sort()).toEqual(['keep', 'meta-data', 'sub', 'user-data']);
      expect(await readFile(path.join(out, 'keep'), 'utf8')).toBe('mine');
      expect((await stat(path.join(out, 'user-data'))).mode & 0o777).toBe(0o600);
      expect((await stat(path.join(out, 'sub', 'USER-DATA'))).mode & 0o777).toBe(0o600);
      expect((await stat(path.join(out, 'meta-data'))).mode & 0o777).toBe(0o640);
    });
  });

  it('refuses to overwrite an existing file, naming it, and writes nothing (exit 2)', async () => {
    await withWorkDirectory(async (directory) => {
      const out = path.join(directory, 'out');
      await mkdir(out);
      await writeFile(path.join(out, 'user-data'), 'mine');
      const run = await inspectIn(directory, await tar([file('meta-data'), file('user-data', 'theirs')]), ['--extract', '$OUT']);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(`error: ${path.join(out, 'user-data')} already exists; cloudseed never overwrites or follows what it did not write`);
      expect(await readFile(path.join(out, 'user-data'), 'utf8')).toBe('mine');
      expect(await readdir(out)).toEqual(['user-data']);
    });
  });

  it('never writes through a symbolic link already in the folder, as a file or as a folder', async () => {
    await withWorkDirectory(async (directory) => {
      const out = path.join(directory, 'out');
      const elsewhere = path.join(directory, 'elsewhere');
      await mkdir(out);
      await mkdir(elsewhere);
      await writeFile(path.join(directory, 'victim'), 'precious');
      await symlink(path.join(directory, 'victim'), path.join(out, 'user-data'));
      await symlink(elsewhere, path.join(out, 'scripts'));
      const asFile = await inspectIn(directory, await tar([file('user-data', 'evil')]), ['--extract', '$OUT']);
      expect(asFile.code).toBe(2);
      expect(asFile.stderr).toContain(`${path.join(out, 'user-data')} already exists`);
      expect(await readFile(path.join(directory, 'victim'), 'utf8')).toBe('precious');
      const asFolder = await inspectIn(directory, await tar([file('scripts/run.sh', 'evil')]), ['--extract', '$OUT']);
      expect(asFolder.code).toBe(2);
      expect(asFolder.stderr).toContain(`${path.join(out, 'scripts')} is a symbolic link, which cloudseed does not follow inside ${out}`);
      expect(await readdir(elsewhere)).toEqual([]);
      expect(await readlink(path.join(out, 'user-data'))).toBe(path.join(directory, 'victim'));
      expect((await lstat(path.join(out, 'scripts'))).isSymbolicLink()).toBe(true);
    });
  });

  it('refuses a folder that is a file (exit 2, not 1)', async () => {
    await withWorkDirectory(async (directory) => {
      await writeFile(path.join(directory, 'out'), 'a file');
      const run = await inspectIn(directory, await tar([file('user-data')]), ['--extract', '$OUT']);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(`error: cannot extract into ${path.join(directory, 'out')}: it exists and is not a folder`);
      expect(await readFile(path.join(directory, 'out'), 'utf8')).toBe('a file');
    });
  });
});
