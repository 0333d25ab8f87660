// The guest image, built once by image/build-image.sh and cached outside the repository under a key
// that is the hash of the recipe folder: editing any file there builds a new image at the next run.
// flock(1) serialises builds, so parallel test processes wait for one build instead of racing.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

export interface ImageBuildInfo {
  suite: string;
  mirror: string;
  seconds: number;
  treeMiB: number;
  diskMiB: number;
  qcow2Bytes: number;
  packages: number;
}

export interface GuestImage {
  directory: string;
  rootDisk: string;
  kernel: string;
  initrd: string;
  recipeKey: string;
  build: ImageBuildInfo;
  /** Seconds this run spent building it, or null when it came from the cache. */
  builtNowSeconds: number | null;
}

export const recipeDirectory = fileURLToPath(new URL('../image/', import.meta.url));

export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.CLOUDSEED_GUEST_CACHE) return env.CLOUDSEED_GUEST_CACHE;
  return path.join(env.XDG_CACHE_HOME || path.join(homedir(), '.cache'), 'cloudseed');
}

/** sha256 over every file of the recipe, names included, so a rename counts as a change too. */
export function recipeKey(directory = recipeDirectory): string {
  const hash = createHash('sha256');
  for (const name of readdirSync(directory).sort()) {
    hash.update(`${name}\0`).update(readFileSync(path.join(directory, name))).update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

async function imageAt(directory: string, key: string, builtNowSeconds: number | null): Promise<GuestImage> {
  const build = JSON.parse(await readFile(path.join(directory, 'build.json'), 'utf8')) as ImageBuildInfo;
  return {
    directory,
    rootDisk: path.join(directory, 'root.qcow2'),
    kernel: path.join(directory, 'vmlinuz'),
    initrd: path.join(directory, 'initrd.img'),
    recipeKey: key,
    build,
    builtNowSeconds,
  };
}

/** Images of older recipes are only disk space once a new one is there. */
async function removeOtherImages(root: string, keep: string): Promise<void> {
  for (const name of readdirSync(root)) {
    if (name.startsWith('guest-image-') && name !== path.basename(keep)) await rm(path.join(root, name), { recursive: true, force: true });
  }
}

export async function ensureGuestImage(log: (line: string) => void = console.log): Promise<GuestImage> {
  const key = recipeKey();
  const root = cacheRoot();
  const directory = path.join(root, `guest-image-${key}`);
  if (existsSync(path.join(directory, 'build.json'))) return imageAt(directory, key, null);
  await mkdir(root, { recursive: true });
  log(`guest image: building recipe ${key} into ${directory} (mmdebstrap; about 5 minutes with a fresh package cache)`);
  const started = Date.now();
  const script = path.join(recipeDirectory, 'build-image.sh');
  const built = await execa('flock', [path.join(root, 'guest-image.lock'), 'sh', '-c', '[ -e "$1" ] || bash "$2" "$1"', 'sh', directory, script], {
    env: { CLOUDSEED_GUEST_APT_CACHE: process.env.CLOUDSEED_GUEST_APT_CACHE ?? path.join(root, 'apt-archives') },
    all: true,
    reject: false,
  });
  if (built.exitCode !== 0) {
    const tail = (built.all ?? '').split('\n').slice(-40).join('\n');
    throw new Error(`building the guest image failed (exit ${built.exitCode}): ${script} ${directory}\n${tail}`);
  }
  const seconds = Math.round((Date.now() - started) / 1000);
  await removeOtherImages(root, directory);
  const image = await imageAt(directory, key, seconds);
  log(`guest image: built in ${seconds} s: ${image.build.packages} packages, tree ${image.build.treeMiB} MiB, ` +
    `root disk ${image.build.diskMiB} MiB (qcow2 ${Math.round(image.build.qcow2Bytes / 2 ** 20)} MiB), mirror ${image.build.mirror}`);
  return image;
}
