// cloudseed's library: every stage the CLI uses, by name. This file only re-exports.
export * from './errors.js';
export { printable } from './printable-text.js';
export * from './spec/index.js';
export * from './plan/index.js';
export * from './render/index.js';
export * from './pack/index.js';
export * from './output/index.js';
export * from './inspect/index.js';
export * from './kubevirt/index.js';
