// Every test file gets its own empty XDG_CONFIG_HOME: a build without a salt secret makes the machine's
// salt secret there (see src/plan/salt-secret.ts), and tests must never write into the real home. Child
// processes started with process.env inherit it.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';

const configHome = mkdtempSync(path.join(os.tmpdir(), 'cloudseed-config-home-'));
process.env.XDG_CONFIG_HOME = configHome;
delete process.env.CLOUDSEED_SALT_SECRET;

afterAll(() => rmSync(configHome, { recursive: true, force: true }));
