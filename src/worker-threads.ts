// cloudseed's own worker threads (password hashing), started from whichever
// form the code runs as: the bundled command line, the compiled library, or the TypeScript sources
// under tsx or vitest. The caller names its worker module next to itself, so the path holds in all three.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/** The worker module `baseName` in the caller's folder, with the caller's own extension (.js or .ts). */
export function siblingModule(callerUrl: string, baseName: string): URL {
  return new URL(`./${baseName}${path.extname(fileURLToPath(callerUrl))}`, callerUrl);
}

export function startWorker(moduleUrl: URL, options: WorkerOptions): Worker {
  // No flags of the parent's (a loader such as tsx, --cpu-prof): the worker is plain JavaScript.
  if (!moduleUrl.pathname.endsWith('.ts')) return new Worker(moduleUrl, { ...options, execArgv: [] });
  // The TypeScript sources run only where tsx (a devDependency) is installed: load the module through it.
  const load = `import('tsx/esm/api').then((tsx) => tsx.tsImport(${JSON.stringify(moduleUrl.href)}, ${JSON.stringify(moduleUrl.href)}))`;
  return new Worker(load, { ...options, eval: true });
}
