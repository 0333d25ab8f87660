// `cloudseed init [FILE] [--fleet]`: writes a starter spec. An existing file is never replaced: the
// write is exclusive (O_EXCL), so not even a file that appears meanwhile is overwritten.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CloudseedError } from '../errors.js';
import { optionNames } from './command-help.js';
import { optionProblem } from './option-problems.js';
import { starterSpec } from './starter-specs.js';

/** The shipped JSON Schema: the package root is two folders up, from src/cli and from dist/cli alike. */
const shippedSchema = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'schema', 'cloudseed.schema.json');

function parseInit(argv: string[]): { file: string; fleet: boolean } {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { fleet: { type: 'boolean', default: false } } });
  } catch (cause) {
    throw optionProblem(cause, { command: 'init', options: optionNames('init') });
  }
  const [file = 'cloudseed.yaml', ...extra] = parsed.positionals;
  if (extra.length > 0) throw new CloudseedError('USAGE', `init writes one file: unexpected ${extra.join(' ')}`, { hint: 'cloudseed init fleet.yaml --fleet' });
  return { file, fleet: parsed.values.fleet };
}

/**
 * The schema as the spec's modeline names it: relative within one project (a checkout, or
 * node_modules/cloudseed beside the spec), absolute when the two share no folder but the root.
 */
function schemaPathFrom(specFile: string): string {
  const folder = path.dirname(path.resolve(specFile));
  const relative = path.relative(folder, shippedSchema);
  const climbs = relative.split(path.sep).filter((part) => part === '..').length;
  return path.resolve(folder, ...Array<string>(climbs).fill('..')) === path.parse(folder).root ? shippedSchema : relative;
}

export async function runInit(argv: string[]): Promise<void> {
  const { file, fleet } = parseInit(argv);
  const schemaPath = schemaPathFrom(file);
  try {
    // 0600: a spec soon holds passwords.
    await writeFile(file, starterSpec({ fleet, schemaPath }), { flag: 'wx', mode: 0o600 });
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') {
      throw new CloudseedError('USAGE', `${file} exists already; cloudseed init never replaces a file`, { hint: `name another file: cloudseed init new-spec.yaml${fleet ? ' --fleet' : ''}`, cause });
    }
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') {
      throw new CloudseedError('USAGE', `cannot write ${file}: ${code === 'EISDIR' ? 'it is a folder' : `the folder ${path.dirname(file)} does not exist`}`, { cause });
    }
    throw new CloudseedError('IO_FAILED', `cannot write ${file}: ${(cause as Error).message}`, { cause });
  }
  console.log(`wrote ${file}: ${fleet ? 'a fleet of 4 VMs' : 'one VM'}; next: cloudseed validate ${file}, then cloudseed build ${file} -o out/`);
}
