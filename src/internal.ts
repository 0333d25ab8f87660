// Every stage's functions, for cloudseed's own benchmark (which loads them from dist/) and tools. Not
// the package's API: package.json's `exports` keeps dist/internal.js out of reach; src/index.ts is that.
export * from './errors.js';
export { printable } from './printable-text.js';
export * from './spec/index.js';
export * from './plan/index.js';
export * from './render/index.js';
export * from './pack/index.js';
export * from './output/index.js';
export * from './inspect/index.js';
export * from './kubevirt/index.js';
