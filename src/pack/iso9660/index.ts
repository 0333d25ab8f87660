// Native ISO 9660 + Joliet + Rock Ridge writer for seed volumes; knows nothing about cloud-init.
export { writeIso9660, type Iso9660Options } from './write-iso9660.js';
export { MAX_LABEL_LENGTH, MAX_NAME_LENGTH, nameProblems } from './check-input.js';
