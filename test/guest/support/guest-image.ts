// The guest images, one per Debian suite (a cloud-init generation), each built once by
// image/build-image.sh and cached outside the repository under its suite and a key that is the hash of
// the recipe folder: editing any file there builds new images at the next run. flock(1) serialises
// builds of one suite, so parallel test processes wait for one build instead of racing.
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

/** bullseye: cloud-init 20.4 (older than chpasswd.users, as CentOS 7's 18.5); bookworm: 22.4; trixie: the newest. */
export type GuestSuite = 'bullseye' | 'bookworm' | 'trixie';

export interface GuestImage {
  suite: GuestSuite;
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

async function imageAt(suite: GuestSuite, directory: string, key: string, builtNowSeconds: number | null): Promise<GuestImage> {
  const build = JSON.parse(await readFile(path.join(directory, 'build.json'), 'utf8')) as ImageBuildInfo;
  return {
    suite,
    directory,
    rootDisk: path.join(directory, 'root.qcow2'),
    kernel: path.join(directory, 'vmlinuz'),
    initrd: path.join(directory, 'initrd.img'),
    recipeKey: key,
    build,
    builtNowSeconds,
  };
}

/** Images of older recipes (of this suite, or of before images had suites) are only disk space once a new one is there. */
async function removeOtherImages(root: string, suite: GuestSuite, keep: string): Promise<void> {
  for (const name of readdirSync(root)) {
    const stale = name.startsWith(`guest-image-${suite}-`) || /^guest-image-[0-9a-f]{16}$/.test(name);
    if (stale && name !== path.basename(keep)) await rm(path.join(root, name), { recursive: true, force: true });
  }
}

export async function ensureGuestImage(log: (line: string) => void = console.log, suite: GuestSuite = 'bookworm'): Promise<GuestImage> {
  const key = recipeKey();
  const root = cacheRoot();
  const directory = path.join(root, `guest-image-${suite}-${key}`);
  if (existsSync(path.join(directory, 'build.json'))) return imageAt(suite, directory, key, null);
  await mkdir(root, { recursive: true });
  log(`guest image: building ${suite} recipe ${key} into ${directory} (mmdebstrap; about 5 minutes with a fresh package cache)`);
  const started = Date.now();
  const script = path.join(recipeDirectory, 'build-image.sh');
  // One lock per suite: two suites build at once (the work is mostly downloading and unpacking).
  const lock = path.join(root, `guest-image-${suite}.lock`);
  const built = await execa('flock', [lock, 'sh', '-c', '[ -e "$1" ] || bash "$2" "$1" "$3"', 'sh', directory, script, suite], {
    // A package cache per suite: each build syncs the whole cache in and out.
    env: { CLOUDSEED_GUEST_APT_CACHE: process.env.CLOUDSEED_GUEST_APT_CACHE ?? path.join(root, `apt-archives-${suite}`) },
    all: true,
    reject: false,
  });
  if (built.exitCode !== 0) {
    const tail = (built.all ?? '').split('\n').slice(-40).join('\n');
    throw new Error(`building the guest image failed (exit ${built.exitCode}): ${script} ${directory}\n${tail}`);
  }
  const seconds = Math.round((Date.now() - started) / 1000);
  await removeOtherImages(root, suite, directory);
  const image = await imageAt(suite, directory, key, seconds);
  log(`guest image: built in ${seconds} s: ${image.build.packages} packages, tree ${image.build.treeMiB} MiB, ` +
    `root disk ${image.build.diskMiB} MiB (qcow2 ${Math.round(image.build.qcow2Bytes / 2 ** 20)} MiB), mirror ${image.build.mirror}`);
  return image;
}
