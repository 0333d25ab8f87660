// Bundles the command line into dist/cli/: main.js plus chunks for what only some commands load
// (inspect, localds, fleet commands), replacing tsc's unbundled main.js. Unbundled, Node resolves and
// reads about 300 module files at every start, which took longer than the work of a one-VM build. The
// library (dist/index.js) stays unbundled. The built-in templates are precompiled into the bundle.
//
// The package's dependencies are installed beside it anyway, so the bundle copies only those that cost
// start-up time when loaded from node_modules (Node 20 has no compile cache): zod, yaml, handlebars and
// fast-xml-parser are each dozens of module files that every `build` loads. All of them from
// node_modules made a one-VM build about 170 ms slower (README *Dependencies*). execa, tar-stream and js-yaml (one ES
// module file) are imported from node_modules at no measurable cost.
//
// Everything lands directly in dist/cli/, two levels below the package root like every compiled module,
// because the code finds templates/ and package.json relative to its own file.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import Handlebars from 'handlebars';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const templatesDir = path.join(root, 'templates');

/** The source of src/render/precompiled-templates.ts's replacement: every template, precompiled. */
function precompiledModule() {
  const entries = readdirSync(templatesDir)
    .filter((name) => name.endsWith('.hbs'))
    .sort()
    .map((name) => {
      const source = readFileSync(path.join(templatesDir, name), 'utf8');
      const sourceHash = createHash('sha256').update(source).digest('hex');
      // The same options as template-store.ts's compileOptions; a test compares the two paths' output.
      const specification = Handlebars.precompile(source, { strict: true, noEscape: true });
      return `[${JSON.stringify(name)}, { sourceHash: ${JSON.stringify(sourceHash)}, specification: ${specification} }]`;
    });
  return `export const precompiledTemplates = new Map([\n${entries.join(',\n')}\n]);\n`;
}

/** Dependencies imported from node_modules rather than copied into the bundle; see the header. */
const externalPackages = ['execa', 'js-yaml', 'tar-stream'];

/**
 * zod's message translations (about 60 locales, half of its code in the bundle: 337 KB) are unused:
 * cloudseed's messages are English (zod registers English itself, from locales/en.js) and nothing calls
 * z.config with another locale. `z.locales` becomes an empty namespace in the bundle.
 */
const withoutZodLocales = {
  name: 'without-zod-locales',
  setup(bundler) {
    bundler.onLoad({ filter: /[\\/]node_modules[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/ }, () => ({ contents: 'export {};', loader: 'js' }));
  },
};

const precompiledTemplates = {
  name: 'precompiled-templates',
  setup(bundler) {
    bundler.onLoad({ filter: /[\\/]src[\\/]render[\\/]precompiled-templates\.ts$/ }, () => ({
      contents: precompiledModule(),
      loader: 'js',
      watchFiles: readdirSync(templatesDir).map((name) => path.join(templatesDir, name)),
    }));
  },
};

export async function bundleCli(outdir = path.join(root, 'dist', 'cli')) {
  // Chunk names carry content hashes: without this, every bundling would leave the last one's behind.
  rmSync(outdir, { recursive: true, force: true });
  await build({
    absWorkingDir: root,
    // Worker modules are entries of their own, found next to the chunk that starts them.
    entryPoints: { main: 'src/cli/main.ts', 'hash-worker': 'src/plan/hash-worker.ts' },
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    minifySyntax: true,
    chunkNames: '[name]-[hash]',
    plugins: [precompiledTemplates, withoutZodLocales],
    external: externalPackages,
    // CommonJS dependencies (handlebars) call require() for Node's built-ins.
    banner: { js: "import { createRequire as __cloudseedCreateRequire } from 'node:module'; const require = __cloudseedCreateRequire(import.meta.url);" },
    logLevel: 'warning',
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await bundleCli(process.argv[2] && path.resolve(process.argv[2]));
