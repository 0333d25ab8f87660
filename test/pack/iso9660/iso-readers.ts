// Readers for the native ISO writer's tests: isoinfo, xorriso, pycdlib and blkid wrappers, and parsers
// for their listings. None of them shares code with the writer.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { inCI } from '../../support/tools.js';

export const pycdlibScript = fileURLToPath(new URL('./fixtures/pycdlib-read.py', import.meta.url));
export const isoinfoBatchScript = fileURLToPath(new URL('./fixtures/isoinfo-read-back.sh', import.meta.url));

export async function isoinfo(imagePath: string, ...flags: string[]): Promise<{ stdout: string; stderr: string }> {
  const { stdout, stderr } = await execa('isoinfo', [...flags, '-i', imagePath]);
  return { stdout, stderr };
}

export async function isoinfoExtract(imagePath: string, view: '-J' | '-R' | null, path: string): Promise<Uint8Array> {
  const flags = view === null ? [] : [view];
  const { stdout } = await execa('isoinfo', [...flags, '-x', path, '-i', imagePath], {
    encoding: 'buffer',
    stripFinalNewline: false,
  });
  return stdout;
}

/** The lines of an `isoinfo -f` listing: `/user-data`, … */
export function findListing(stdout: string): string[] {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('/'))
    .map((line) => line.slice(1))
    .sort();
}

export interface ListedFile {
  mode: string;
  links: number;
  uid: number;
  gid: number;
  size: number;
  extent: number;
}

/** Files (not "." or "..") of an `isoinfo -l` listing by name, e.g. `user-data` → `-rw-------`, 1, 0, 0, 30. */
export function longListing(stdout: string): Map<string, ListedFile> {
  const files = new Map<string, ListedFile>();
  const line = /^([-dlrwxsStT]{10})\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+) \w{3} [ \d]\d \d{4} \[\s*(\d+) \d\d\]  (.*) $/gmu;
  for (const [, mode = '', links, uid, gid, size, extent, name = ''] of stdout.matchAll(line)) {
    if (name === '.' || name === '..') continue;
    files.set(name, {
      mode,
      links: Number(links),
      uid: Number(uid),
      gid: Number(gid),
      size: Number(size),
      extent: Number(extent),
    });
  }
  return files;
}

/** `ls -l` style permission string of a regular file, e.g. 0o600 → `-rw-------`. */
export function regularFileModeString(mode: number): string {
  const bits = ['r', 'w', 'x'];
  return `-${[...Array(9).keys()].map((index) => ((mode >> (8 - index)) & 1 ? bits[index % 3] : '-')).join('')}`;
}

export interface PycdlibView {
  image: string;
  /** Set, and nothing else, when pycdlib could not read the image. */
  error?: string;
  joliet: boolean;
  rockRidge: boolean;
  /** Every Rock Ridge version pycdlib found on the files: one, e.g. ['1.09']. */
  rockRidgeVersions: string[];
  /** SHA-256 (hex) of each file by name, in each tree. */
  jolietFiles: Record<string, string>;
  rockRidgeFiles: Record<string, string>;
  isoFiles: Record<string, string>;
  modes: Record<string, number>;
}

/** Reads every image in one pycdlib process. */
export async function readWithPycdlib(python: string, imagePaths: readonly string[]): Promise<PycdlibView[]> {
  const { stdout } = await execa(python, [pycdlibScript, ...imagePaths], {
    maxBuffer: 1024 * 1024 * 1024,
    timeout: 100_000,
  });
  return stdout
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as PycdlibView);
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * A Python that can import pycdlib (Debian's python3-pycdlib installs it for the system python, which a
 * pyenv python3 earlier in PATH does not see), or null. In CI a missing pycdlib throws, like a missing tool.
 */
export function pycdlibPython(): string | null {
  for (const python of ['python3', '/usr/bin/python3']) {
    try {
      execFileSync(python, ['-c', 'import pycdlib'], { stdio: 'ignore' });
      return python;
    } catch {
      // try the next one
    }
  }
  const message = 'missing python module pycdlib (apt-get install -y python3-pycdlib)';
  if (inCI) throw new Error(`CI=true and ${message}`);
  console.warn(`skipping: ${message}`);
  return null;
}

/** What blkid, which cloud-init uses to find the seed, says about the image: LABEL, TYPE, … */
export async function blkidProbe(imagePath: string): Promise<Record<string, string>> {
  const { stdout } = await execa('blkid', ['-p', '-o', 'export', imagePath], {
    env: { PATH: `${process.env.PATH ?? ''}:/usr/sbin:/sbin` },
  });
  return Object.fromEntries(
    stdout
      .split('\n')
      .filter((line) => line.includes('='))
      .map((line) => line.split(/=(.*)/su).slice(0, 2)),
  );
}
