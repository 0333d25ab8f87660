// A command line parseArgs refused, said in cloudseed's words: which option, for which command, and
// the nearest option the command does take. parseArgs' own text ("place it at the end of the command
// after '--', as in '-- "--x"") is about its syntax, not about what the user meant.
import { CloudseedError } from '../errors.js';

/** Edits (insert, delete, replace, swap two neighbours) between two words. */
function editDistance(from: string, to: string): number {
  const rows = Array.from({ length: from.length + 1 }, (_, i) => Array.from({ length: to.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= from.length; i++) {
    for (let j = 1; j <= to.length; j++) {
      const cost = from[i - 1] === to[j - 1] ? 0 : 1;
      let best = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && from[i - 1] === to[j - 2] && from[i - 2] === to[j - 1]) best = Math.min(best, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = best;
    }
  }
  return rows[from.length]![to.length]!;
}

/** The candidate `given` most likely meant: a prefix of it, or one a few edits away; else undefined. */
export function nearestName(given: string, candidates: readonly string[]): string | undefined {
  const prefixed = candidates.filter((candidate) => given.length >= 2 && candidate.startsWith(given));
  if (prefixed.length === 1) return prefixed[0];
  const limit = Math.max(1, Math.floor(given.length / 3));
  const scored = candidates.map((candidate) => ({ candidate, distance: editDistance(given, candidate) })).filter((entry) => entry.distance <= limit);
  scored.sort((a, b) => a.distance - b.distance);
  return scored[0]?.candidate;
}

export interface OptionContext {
  /** The command, as in `cloudseed build --help`. */
  command: string;
  /** The long option names it takes, without dashes. */
  options: readonly string[];
}

/** The option a parseArgs message is about: `--output` from `Option '-o, --output <value>' …`. */
function optionOf(message: string): string | null {
  const match = /'(-[^',<\s]+)(?:, (--[^',<\s]+))?/.exec(message);
  return match === null ? null : (match[2] ?? match[1]!);
}

/** The USAGE error (exit 2) for what parseArgs threw; anything else is passed on. */
export function optionProblem(cause: unknown, context: OptionContext): unknown {
  const code = (cause as NodeJS.ErrnoException | null)?.code;
  if (typeof code !== 'string' || !code.startsWith('ERR_PARSE_ARGS')) return cause;
  const message = (cause as Error).message;
  const option = optionOf(message) ?? '';
  const helpHint = `cloudseed ${context.command} --help lists its options`;
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const near = option.startsWith('--') ? nearestName(option.slice(2), context.options) : undefined;
    const hint = near === undefined ? helpHint : `did you mean --${near}? (${helpHint})`;
    return new CloudseedError('USAGE', `${context.command} has no option ${option}`, { hint, cause });
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    if (/does not take an argument/.test(message)) {
      return new CloudseedError('USAGE', `${option} takes no value`, { hint: `write ${option} alone; ${helpHint}`, cause });
    }
    const written = /argument is ambiguous/.test(message) ? 'is followed by an option, not by its value' : 'needs a value';
    return new CloudseedError('USAGE', `${option} ${written}`, { hint: `write ${option} VALUE, or ${option}=VALUE for a value that starts with -; ${helpHint}`, cause });
  }
  return new CloudseedError('USAGE', `${context.command}: ${message.split('\n')[0]}`, { hint: helpHint, cause });
}
