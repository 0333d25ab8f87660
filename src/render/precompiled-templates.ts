// Built-in templates compiled ahead of time. Empty here: the bundling step (scripts/bundle-cli.mjs)
// replaces this module with one that holds Handlebars' precompiled form of every file in templates/,
// which spares the command line ~50 ms of compiling at each start. Each entry carries the hash of the
// source it was made from, so an edited templates/ file is compiled afresh rather than ignored.
import type Handlebars from 'handlebars';

export interface PrecompiledTemplate {
  /** SHA-256 of the template file's text, hex. */
  sourceHash: string;
  specification: Parameters<typeof Handlebars.template>[0];
}

/** By file name within templates/. */
export const precompiledTemplates: ReadonlyMap<string, PrecompiledTemplate> = new Map();
