// Before any test: bundle the command line into dist/cli exactly as `npm run build` does, so the tests
// that run cloudseed as a program run what users run (the bundle, with its precompiled templates), built
// from the sources under test.
// @ts-expect-error: a plain JavaScript build script without type declarations.
import { bundleCli } from '../scripts/bundle-cli.mjs';

export default async function setup(): Promise<void> {
  await (bundleCli as () => Promise<void>)();
}
