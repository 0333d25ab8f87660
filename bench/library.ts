// The library as users get it: cloudseed's built dist/, typed by its sources. The benchmark measures
// what `npm run build` made, which is also what the CLI runs.
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export type Cloudseed = typeof import('../src/internal.js');

export const repoDir = path.resolve(import.meta.dirname, '..');

export async function loadCloudseed(distDir = path.join(repoDir, 'dist')): Promise<Cloudseed> {
  return (await import(pathToFileURL(path.join(distDir, 'internal.js')).href)) as Cloudseed;
}
