// The executable users run is a bundle (scripts/bundle-cli.mjs) with the built-in templates
// precompiled into it. It must build every example byte for byte as the library does from the sources,
// and it must really carry the precompiled templates (else it would quietly compile them at each start).
import { createHash } from 'node:crypto';
import { readdir, readFile, rm } from 'node:fs/promises';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFleet } from '../../src/output/index.js';
import { visibleFiles } from '../output/support/output-state.js';
import { cliCommand, repositoryRoot } from './support/run-cloudseed.js';

const seedsDir = path.join(repositoryRoot, 'seeds');
const templatesDir = path.join(repositoryRoot, 'templates');
const sourceDateEpoch = 1_700_000_000;
let work = '';

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'cloudseed-bundle-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** Every file under `dir`, by path relative to it, with its bytes. */
function digests(files: Map<string, Buffer>): Record<string, string> {
  return Object.fromEntries([...files].sort(([a], [b]) => a.localeCompare(b)).map(([name, bytes]) => [name, createHash('sha256').update(bytes).digest('hex')]));
}

describe('the bundled executable', async () => {
  const examples = (await readdir(seedsDir)).filter((name) => name.endsWith('.yaml'));

  it.each(examples)('builds %s exactly as the library does', async (example) => {
    // Both write to the same folder in turn: domain.xml names the seed by its absolute path.
    const outputDir = path.join(work, example);
    const spec = path.join(seedsDir, example);
    await execa('node', [...cliCommand, 'build', spec, '-o', outputDir, '-q'], { env: { SOURCE_DATE_EPOCH: String(sourceDateEpoch) } });
    const fromExecutable = digests(visibleFiles(outputDir));
    await rm(outputDir, { recursive: true });
    await buildFleet(spec, { outputDir, sourceDateEpoch });
    const fromLibrary = digests(visibleFiles(outputDir));
    expect(Object.keys(fromExecutable).length).toBeGreaterThan(4);
    expect(fromExecutable).toEqual(fromLibrary);
  });

  it('carries every built-in template precompiled, made from the current text', async () => {
    const bundleDir = path.dirname(cliCommand[0]!);
    const bundle = (await Promise.all((await readdir(bundleDir)).filter((name) => name.endsWith('.js')).map((name) => readFile(path.join(bundleDir, name), 'utf8')))).join('\n');
    const templates = (await readdir(templatesDir)).filter((name) => name.endsWith('.hbs'));
    expect(templates.length).toBeGreaterThan(5);
    for (const name of templates) {
      const sourceHash = createHash('sha256').update(await readFile(path.join(templatesDir, name))).digest('hex');
      expect(bundle, name).toContain(`${JSON.stringify(name)}, { sourceHash: ${JSON.stringify(sourceHash)}`);
    }
  });
});
