// How the command line counts and names VMs in one line: "1 VM", "24 VMs", and a list cut down to its
// first and last names, so a 1000-VM fleet still fits on a line.
import { printable } from '../printable-text.js';

/** "1 VM", "24 VMs"; `noun` for other things counted the same way. */
export function countOf(count: number, noun = 'VM'): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** "a", "a, b", or "a … z" for three or more. */
export function vmNames(names: readonly string[]): string {
  const shown = names.length <= 2 ? names.join(', ') : `${names[0]} … ${names.at(-1)}`;
  return printable(shown);
}
