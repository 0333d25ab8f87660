// What FAT can hold as a file name or a volume label, checked before anything is laid out, with
// FAT's own rules (Microsoft's "FAT: General Overview of On-Disk Format", "Name Limits and Character Sets").
import { CloudseedError } from '../../../errors.js';
import { maxLongNameUnits, shortNameLength } from '../fat-layout.js';

// The spec's whitelist for long names: letters, digits, anything above 127, the short-name punctuation
// ($ % ' - _ @ ~ ` ! ( ) { } ^ # &), the six long-name-only characters (+ , ; = [ ]), periods and spaces.
const longNamePattern = /^[A-Za-z0-9$%'\-_@~`!(){}^#&+,;=[\]. \u0080-\uffff]+$/;
const loneSurrogatePattern = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
// A volume label is stored like a short name; a space is allowed inside it (but not first).
const labelPattern = /^[A-Z0-9$%'\-_@~`!(){}^#&][A-Z0-9$%'\-_@~`!(){}^#& ]{0,10}$/;

const hint = 'seed files sit at the root of the FAT volume under names a FAT long name can hold';

/** Checks every name, then that no two are the same once case is ignored (FAT looks names up without case). */
export function checkFileNames(names: readonly string[]): void {
  const seen = new Map<string, string>();
  for (const name of names) {
    checkFileName(name);
    const key = caseFoldedName(name);
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      const message = `seed files ${quote(earlier)} and ${quote(name)} have the same name on FAT, which ignores case`;
      throw new CloudseedError('USAGE', message, { hint });
    }
    seen.set(key, name);
  }
}

function checkFileName(name: string): void {
  const problem = fileNameProblem(name);
  if (problem !== null) throw new CloudseedError('USAGE', `FAT cannot hold a file named ${quote(name)}: ${problem}`, { hint });
}

function fileNameProblem(name: string): string | null {
  if (name.includes('/')) return 'it names a folder, and the FAT writer only fills the root directory';
  if (name.length === 0) return 'the name is empty';
  if (name.length > maxLongNameUnits) return `it is longer than ${maxLongNameUnits} characters`;
  if (!longNamePattern.test(name)) return 'it holds a character FAT forbids (control characters and " * : < > ? \\ |)';
  if (loneSurrogatePattern.test(name)) return 'it is not well-formed Unicode';
  // FAT drivers drop leading and trailing spaces and trailing periods, so the name would not survive.
  if (name.startsWith(' ') || name.endsWith(' ')) return 'it starts or ends with a space';
  if (name.endsWith('.')) return 'it ends with a period';
  return null;
}

/**
 * The name as FAT compares it: each character upper-cased on its own (Unicode's simple case mapping), so
 * `ß` stays one character instead of becoming `SS`.
 */
export function caseFoldedName(name: string): string {
  let folded = '';
  for (const character of name) {
    const upper = character.toUpperCase();
    folded += [...upper].length === 1 ? upper : character;
  }
  return folded;
}

/**
 * The 11-byte label FAT stores in the boot sector and in the root directory, space-padded and in the
 * case given: cloud-localds (mkfs.vfat -n cidata) writes `cidata` in lower case, blkid reports it so,
 * and cloud-init looks for both cases.
 */
export function volumeLabel(label: string): string {
  if (!labelPattern.test(label.toUpperCase()) || /[^\x20-\x7e]/.test(label)) {
    throw new CloudseedError('USAGE', `FAT cannot hold the volume label ${quote(label)}`, {
      hint: 'a FAT label has 1 to 11 letters, digits or short-name punctuation, e.g. cidata',
    });
  }
  return label.padEnd(shortNameLength, ' ');
}

function quote(name: string): string {
  return JSON.stringify(name);
}
