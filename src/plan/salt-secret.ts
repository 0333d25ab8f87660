// The secret password salts are derived from: CLOUDSEED_SALT_SECRET, else one random secret per machine
// kept in the user's config folder, made on first use. It keeps salts unpredictable to anyone without
// it while a rebuild on the same machine (or with the same configured secret) gives the same bytes.
import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CloudseedError } from '../errors.js';
import type { FleetSpec } from '../spec/load-spec.js';
import { hasPasswordsToHash } from './hash-passwords.js';

/** Random bytes in a new machine secret; stored as hex. */
const secretBytes = 32;
/** Shorter than this is not a secret made here, nor one worth having. */
const minimumSecretLength = 16;

/** `$XDG_CONFIG_HOME/cloudseed/salt-secret`, with the XDG default `~/.config` (a relative XDG_CONFIG_HOME is ignored, as the spec says). */
export function machineSecretFile(env: NodeJS.ProcessEnv = process.env): string {
  const configHome = env.XDG_CONFIG_HOME && path.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : path.join(os.homedir(), '.config');
  return path.join(configHome, 'cloudseed', 'salt-secret');
}

/**
 * The salt secret for `spec`: CLOUDSEED_SALT_SECRET when set, else the machine's secret. A spec with no
 * password to hash needs none and gets '' (which passwordSalt refuses), so it never touches the file.
 */
export async function loadSaltSecret(spec: FleetSpec, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  if (env.CLOUDSEED_SALT_SECRET) return env.CLOUDSEED_SALT_SECRET;
  if (!hasPasswordsToHash(spec)) return '';
  return readOrCreateMachineSecret(machineSecretFile(env));
}

/** Reads the secret file, or makes it: 0600 in a 0700 folder, whole or not at all, one winner per race. */
export async function readOrCreateMachineSecret(file: string): Promise<string> {
  const existing = await readSecret(file);
  if (existing !== null) return existing;
  const folder = path.dirname(file);
  const temporary = path.join(folder, `.salt-secret.${process.pid}.${randomBytes(6).toString('hex')}`);
  try {
    await mkdir(folder, { recursive: true, mode: 0o700 });
    await writeFile(temporary, `${randomBytes(secretBytes).toString('hex')}\n`, { mode: 0o600, flag: 'wx', flush: true });
    // link() fails when the name exists, unlike rename(): of two first runs, the second reads the first's.
    await link(temporary, file).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    });
  } catch (cause) {
    throw secretError(file, 'cannot be created', cause);
  } finally {
    await unlink(temporary).catch(() => undefined);
  }
  const created = await readSecret(file);
  if (created === null) throw secretError(file, 'vanished while it was being created');
  return created;
}

async function readSecret(file: string): Promise<string | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw secretError(file, 'cannot be read', cause);
  }
  const secret = text.trim();
  if (secret.length < minimumSecretLength) throw secretError(file, `holds fewer than ${minimumSecretLength} characters`);
  return secret;
}

function secretError(file: string, what: string, cause?: unknown): CloudseedError {
  return new CloudseedError('IO_FAILED', `the salt secret ${file} ${what}`, {
    hint: 'set CLOUDSEED_SALT_SECRET, or XDG_CONFIG_HOME to a folder you can write; changing the secret changes every password hash, and so every instance-id',
    cause,
  });
}
