// The package as npm users get it: packed from a fresh build of these sources (in a copy, so the
// repository's dist/ is left alone), installed into a scratch project without the network, type-checked
// as a strict TypeScript consumer with skipLibCheck off, and run as TypeScript and as plain ESM. Offline
// works because the scratch project's lock file is the repository's own, cut down to the package's
// dependencies, whose tarballs `npm ci` left in npm's cache.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain JavaScript build script without type declarations.
import { bundleCli } from '../../scripts/bundle-cli.mjs';
import { missingTools } from '../support/tools.js';

const repoDir = path.resolve(import.meta.dirname, '..', '..');
const tsc = path.join(repoDir, 'node_modules', 'typescript', 'bin', 'tsc');
const schemaFile = 'schema/cloudseed.schema.json';

interface PackageJson {
  version: string;
  license: string;
  bin: Record<string, string>;
  engines: Record<string, string>;
  dependencies: Record<string, string>;
}
interface LockEntry {
  dev?: boolean;
}

const manifest = JSON.parse(readFileSync(path.join(repoDir, 'package.json'), 'utf8')) as PackageJson;

function run(command: string, args: string[], cwd: string): string {
  try {
    return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const failure = error as { status: number | null; stdout: string; stderr: string };
    throw new Error(`${command} ${args.join(' ')} exited ${failure.status} in ${cwd}\n${failure.stdout}\n${failure.stderr}`);
  }
}

/** `npm run build`, into a copy of the package's files instead of the repository's own dist/. */
async function buildPackageCopy(stageDir: string): Promise<void> {
  for (const name of ['package.json', 'README.md', 'LICENSE', 'templates', 'schema']) {
    if (existsSync(path.join(repoDir, name))) cpSync(path.join(repoDir, name), path.join(stageDir, name), { recursive: true });
  }
  run(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', path.join(stageDir, 'dist')], repoDir);
  await (bundleCli as (outdir: string) => Promise<void>)(path.join(stageDir, 'dist', 'cli'));
}

/**
 * A scratch project that depends on the tarball, with a lock file that pins every dependency to the
 * version and integrity of the repository's lock, so `npm ci --offline` takes them all from the cache.
 */
function writeConsumerProject(consumerDir: string, tarball: string): void {
  const lock = JSON.parse(readFileSync(path.join(repoDir, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
  const spec = `file:${tarball}`;
  const integrity = `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`;
  const packages: Record<string, unknown> = {
    '': { name: 'consumer', version: '1.0.0', dependencies: { cloudseed: spec } },
    'node_modules/cloudseed': {
      version: manifest.version,
      resolved: spec,
      integrity,
      license: manifest.license,
      dependencies: manifest.dependencies,
      bin: manifest.bin,
      engines: manifest.engines,
    },
  };
  // The repository's own dependencies are the package's: its lock already resolved exactly their tree.
  for (const [location, entry] of Object.entries(lock.packages)) {
    if (location !== '' && !entry.dev) packages[location] = entry;
  }
  const project = { name: 'consumer', version: '1.0.0', private: true, type: 'module', dependencies: { cloudseed: spec } };
  writeFileSync(path.join(consumerDir, 'package.json'), `${JSON.stringify(project, null, 2)}\n`);
  writeFileSync(path.join(consumerDir, 'package-lock.json'), `${JSON.stringify({ name: 'consumer', version: '1.0.0', lockfileVersion: 3, requires: true, packages }, null, 2)}\n`);
}

const oneVmSpec = `fleet: consumer
vms:
  - name: vm1
    domain:
      rootDisk: { path: /var/lib/libvirt/images/vm1.qcow2 }
`;

// Compiled strict with skipLibCheck off (every declaration file the package's types reach is checked),
// without the DOM library and without @types/node unless the package itself brings it.
const typescriptConsumer = `import { buildFleet, CloudseedError, inspectImage, renderVm, validateSpec, writeIso9660, type BuildResult, type SeedFile, type VmPlan } from 'cloudseed';

const result: BuildResult = await buildFleet('spec.yaml', { outputDir: 'out-ts', saltSecret: 'consumer' });
const vm: VmPlan = result.plan.vms[0]!;
const { plan } = await validateSpec('spec.yaml', { outputDir: 'out-ts', saltSecret: 'consumer' });
const documents = renderVm(plan.vms[0]!);
const files: SeedFile[] = [{ path: 'user-data', bytes: new TextEncoder().encode(documents.userData), mode: 0o600 }];
const image: Uint8Array = writeIso9660(files, { label: 'cidata', timestamp: 0 });
const inspection = await inspectImage(\`out-ts/\${vm.name}/my-seed.img\`);
try {
  await buildFleet('missing.yaml', { outputDir: 'out-ts', saltSecret: 'consumer' });
} catch (error) {
  if (!(error instanceof CloudseedError)) throw error;
  console.log(JSON.stringify({ vm: vm.name, status: result.vms[0]!.status, isoBytes: image.length, label: inspection.volume.label, code: error.code }));
}
`;

const moduleConsumer = `import { buildFleet, writeFat } from 'cloudseed';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const result = await buildFleet('spec.yaml', { outputDir: 'out-mjs', saltSecret: 'consumer' });
const fat = writeFat([{ path: 'meta-data', bytes: new TextEncoder().encode('instance-id: a\\n'), mode: 0o644 }], { label: 'CIDATA', timestamp: 0 });
const deepImport = await import('cloudseed/dist/output/stage-generation.js').then(() => 'allowed', (error) => error.code);
const packageJson = await import('cloudseed/package.json', { with: { type: 'json' } });
const schema = existsSync(fileURLToPath(import.meta.resolve('cloudseed/${schemaFile}')));
console.log(JSON.stringify({ seed: existsSync('out-mjs/vm1/my-seed.img'), vms: result.vms.length, fatBytes: fat.length, deepImport, version: packageJson.default.version, schema }));
`;

describe.skipIf(missingTools('npm').length > 0)('the npm package', () => {
  let workDir: string;
  let packedFiles: string[];
  let consumerDir: string;

  beforeAll(async () => {
    workDir = mkdtempSync(path.join(tmpdir(), 'cloudseed-npm-pack-'));
    const stageDir = path.join(workDir, 'package');
    const packDir = path.join(workDir, 'packed');
    consumerDir = path.join(workDir, 'consumer');
    for (const dir of [stageDir, packDir, consumerDir]) mkdirSync(dir);
    await buildPackageCopy(stageDir);
    // --ignore-scripts: `prepare` would build again, and into the copy's missing sources.
    const packed = JSON.parse(run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', packDir], stageDir)) as [{ filename: string; files: { path: string }[] }];
    packedFiles = packed[0].files.map((file) => file.path);
    writeConsumerProject(consumerDir, path.join(packDir, packed[0].filename));
    run('npm', ['ci', '--offline', '--ignore-scripts', '--no-audit', '--no-fund'], consumerDir);
    writeFileSync(path.join(consumerDir, 'spec.yaml'), oneVmSpec);
  }, 180_000);

  afterAll(() => rmSync(workDir, { recursive: true, force: true }));

  it('ships LICENSE, README, templates and the schema, and no source map that points at unshipped sources', () => {
    expect(packedFiles).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'package.json', 'dist/index.js', 'dist/index.d.ts', 'dist/cli/main.js']));
    const templates = readdirSync(path.join(repoDir, 'templates')).map((name) => `templates/${name}`);
    expect(packedFiles).toEqual(expect.arrayContaining(templates));
    if (existsSync(path.join(repoDir, schemaFile))) expect(packedFiles).toContain(schemaFile);
    expect(packedFiles.filter((file) => file.startsWith('src/') || file.startsWith('test/'))).toEqual([]);
    const mapsWithoutSources = packedFiles
      .filter((file) => file.endsWith('.map'))
      .filter((file) => !(JSON.parse(readFileSync(path.join(consumerDir, 'node_modules', 'cloudseed', file), 'utf8')) as { sourcesContent?: unknown }).sourcesContent);
    expect(mapsWithoutSources).toEqual([]);
  });

  it('installs only declared dependencies: @types/node only when the package depends on it', () => {
    const typesNode = existsSync(path.join(consumerDir, 'node_modules', '@types', 'node'));
    expect(typesNode).toBe('@types/node' in manifest.dependencies);
  });

  it('type-checks in a strict TypeScript consumer with skipLibCheck off, and runs', () => {
    const tsconfig = {
      compilerOptions: { target: 'ES2022', lib: ['ES2022'], types: [], module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, skipLibCheck: false, outDir: 'build' },
      files: ['consumer.ts'],
    };
    writeFileSync(path.join(consumerDir, 'tsconfig.json'), JSON.stringify(tsconfig));
    writeFileSync(path.join(consumerDir, 'consumer.ts'), typescriptConsumer);
    run(process.execPath, [tsc, '-p', 'tsconfig.json'], consumerDir);
    const output = JSON.parse(run(process.execPath, ['build/consumer.js'], consumerDir)) as Record<string, unknown>;
    expect(output).toEqual({ vm: 'vm1', status: 'built', isoBytes: expect.any(Number), label: 'cidata', code: 'SPEC_INVALID' });
    expect(existsSync(path.join(consumerDir, 'out-ts', 'vm1', 'my-seed.img'))).toBe(true);
  });

  it('runs as plain ESM, resolves the schema, and refuses imports from inside dist/', () => {
    writeFileSync(path.join(consumerDir, 'consumer.mjs'), moduleConsumer);
    const output = JSON.parse(run(process.execPath, ['consumer.mjs'], consumerDir)) as Record<string, unknown>;
    const schema = existsSync(path.join(repoDir, schemaFile));
    expect(output).toEqual({ seed: true, vms: 1, fatBytes: expect.any(Number), deepImport: 'ERR_PACKAGE_PATH_NOT_EXPORTED', version: manifest.version, schema });
  });

  it('installs a working cloudseed command, whose bundle finds its external dependencies', () => {
    const bin = path.join(consumerDir, 'node_modules', '.bin', 'cloudseed');
    expect(run(bin, ['--version'], consumerDir).trim()).toBe(manifest.version);
    run(bin, ['build', 'spec.yaml', '-o', 'out-cli', '-q'], consumerDir);
    expect(existsSync(path.join(consumerDir, 'out-cli', 'vm1', 'my-seed.img'))).toBe(true);
  });
});
