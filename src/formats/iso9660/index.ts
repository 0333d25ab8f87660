// ISO 9660 with Joliet and Rock Ridge: the native writer for seed volumes and the reader that reads any
// seed ISO back. Both follow the one layout in iso9660-layout.ts and rock-ridge-layout.ts; neither knows
// anything about cloud-init.
export { writeIso9660, type Iso9660Options } from './writer/write-iso9660.js';
export { maxLabelLength, maxNameLength, nameProblems } from './writer/check-input.js';
export { readIso9660 } from './reader/read-iso9660.js';
