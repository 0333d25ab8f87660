// The Handlebars helpers that put values into documents. Nothing is pasted raw: every value goes
// through the quoting of its target language, so a password with `: # ' " \` reaches the guest unchanged.
import Handlebars from 'handlebars';
import { Document, isScalar, visit, type Tags } from 'yaml';
import type { CloudInitTarget, NicPlan } from '../plan/types.js';
import { hasUnprintable, printable, replaceUnprintable } from '../printable-text.js';

/**
 * cloud-init reads YAML with PyYAML, i.e. YAML 1.1, where `yes`, `on`, `0644` and `1_000` are not
 * strings. Serialising as 1.1 makes the yaml library quote exactly those.
 */
const yamlOptions = {
  version: '1.1',
  lineWidth: 0,
  indent: 2,
  flowCollectionPadding: false,
  // Multi-line double-quoted strings stay on one line with `\n` escapes: the library's folding of them
  // writes a space that both follows and precedes a line break as `\\ `, which reads back as a backslash.
  doubleQuotedMinMultiLineLength: Number.MAX_SAFE_INTEGER,
  // The 1.1 schema's merge tag writes the string `<<` bare whatever its quoting type, and PyYAML then
  // fails on a merge key it cannot build. Without the tag, `<<` is a string and gets its quotes.
  customTags: (tags: Tags) => tags.filter((tag) => (typeof tag === 'string' ? tag !== 'merge' : tag.tag !== 'tag:yaml.org,2002:merge')),
} as const;

/**
 * Characters PyYAML will not read raw: C1 controls, U+FFFE/U+FFFF (not printable to it) and NEL, LS, PS
 * (line breaks to it, so they fold). The yaml library double-quotes strings with C1 controls but leaves
 * the characters raw inside the quotes, so every string holding one is double-quoted and each such
 * character is written as an escape, which double quotes are the only style to have.
 */
const pyyamlUnsafe = /[\x7f-\x9f\u2028\u2029\ufffe\uffff]/g;

/**
 * Strings whose plain or block form the yaml library would write in a way PyYAML reads differently.
 * PyYAML resolves a bare `=` (the YAML 1.1 value key) and `<<` (merge) to tags it cannot build; it ends
 * a plain scalar at a tab, and inside a flow sequence at `?` or a leading `:`; and the yaml library
 * writes whitespace-only text as a block scalar whose lines read back empty.
 */
function needsDoubleQuotes(text: string): boolean {
  if (text === '=' || text === '<<' || text.search(pyyamlUnsafe) >= 0) return true;
  return text.includes('\n') ? /^\s*$/.test(text) : /[\t?]|^:/.test(text);
}

/**
 * A value as the YAML for the right-hand side of a `key: ` whose key starts at column `indent`.
 * The value is serialised as the value of a key at column 0 and then shifted, so block scalars keep
 * their indentation indicators relative to the key, which is what YAML measures them against.
 */
export function yamlValue(value: unknown, indent: number): string {
  const document = new Document({ v: value }, yamlOptions);
  visit(document, {
    Scalar(_key, node) {
      if (typeof node.value === 'string' && needsDoubleQuotes(node.value)) node.type = 'QUOTE_DOUBLE';
    },
    // Short lists of scalars read best on one line: `- centos: [root]`, `- [systemctl, restart, sshd]`.
    Seq(_key, node) {
      if (node.items.every((item) => isScalar(item) && !String(item.value).includes('\n'))) node.flow = true;
    },
  });
  const text = document.toString(yamlOptions).replace(/^v:/, '').replace(/\n$/, '')
    .replace(pyyamlUnsafe, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`);
  const shifted = text.replace(/\n(?=.)/g, `\n${' '.repeat(indent)}`);
  return shifted.startsWith(' ') ? shifted.slice(1) : shifted;
}

/**
 * Characters XML 1.0 has no way to write, not even as a character reference: C0 controls other than tab,
 * newline and carriage return, U+FFFE, U+FFFF and unpaired surrogates. libvirt's parser refuses a
 * document holding one, so a value with one cannot reach domain.xml intact.
 */
const xmlUnwritable = /[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** The first character of `text` that XML 1.0 cannot carry, as U+XXXX, or null when it has none. */
export function xmlUnwritableCharacter(text: string): string | null {
  const found = xmlUnwritable.exec(text);
  return found === null ? null : `U+${found[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * A value for XML text or a single- or double-quoted attribute. Tab, newline and carriage return are
 * written as character references: a parser turns them raw into spaces in attributes (attribute-value
 * normalisation) and a raw carriage return into a newline in text. A value XML cannot carry is an error,
 * never a document that libvirt would refuse or read differently.
 */
export function xmlValue(value: unknown): string {
  const text = String(value);
  const unwritable = xmlUnwritableCharacter(text);
  if (unwritable !== null) throw new Error(`${JSON.stringify(text)} holds ${unwritable}, which XML 1.0 cannot carry`);
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/[\t\n\r]/g, (character) => `&#${character.charCodeAt(0)};`);
}

/**
 * A shell word (a command's argument, or a value in a shell-sourced KEY=value file such as ifcfg): bare
 * when safe, else single-quoted, inside which only the quote itself needs care. No shell word holds NUL.
 */
export function shellValue(value: unknown): string {
  const text = String(value);
  if (text.includes('\0')) throw new Error(`${JSON.stringify(text)} holds NUL, which no shell word or argument can carry`);
  if (/^[A-Za-z0-9_./:@%+,=-]+$/.test(text)) return text;
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/**
 * A value for a `#` comment of a shell script (or any line-based format): on one line whatever it holds,
 * control and bidi characters shown as visible escapes. A newline would end the comment and run the
 * rest as a command. For people to read only: a comment is not parsed.
 */
export function commentText(value: unknown): string {
  return printable(String(value));
}

/**
 * A word of a bash script (qemu.sh): as shellValue, except that a value holding control characters is
 * written `$'...'` with each of them as `\xHH` bytes, so the script holds none raw: a raw carriage
 * return or ESC would redraw what someone reading the file sees, and a raw newline splits a command's
 * look over lines. NUL is refused: no argument can hold it.
 */
const utf8 = new TextEncoder();

export function shellWord(value: unknown): string {
  const text = String(value);
  if (text.includes('\0') || !hasUnprintable(text)) return shellValue(text);
  const quoted = text.replace(/[\\']/g, (character) => `\\${character}`);
  const escaped = replaceUnprintable(quoted, (character) => [...utf8.encode(character)].map((byte) => `\\x${byte.toString(16).padStart(2, '0')}`).join(''));
  return `$'${escaped}'`;
}

interface HelperOptions {
  hash: Record<string, unknown>;
}

/** JSON without loss: strings, booleans, finite numbers other than -0, null, arrays, plain objects. */
function isPlainData(value: unknown): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean' || Array.isArray(value)) return true;
  if (typeof value === 'number') return Number.isFinite(value) && !Object.is(value, -0);
  return typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype && !('toJSON' in value);
}

/** The cache key of `value` at `indent`, or null when JSON would not tell it from another value. */
function plainDataKey(value: unknown, indent: number): string | null {
  let plain = true;
  const json = JSON.stringify(value, function (this: Record<string, unknown>, key: string, item: unknown) {
    // `this[key]` is the value before toJSON, which would turn a Date into a string.
    if (!isPlainData(this[key])) plain = false;
    return item;
  });
  return plain ? `${indent}\0${json}` : null;
}

/**
 * yamlValue builds a yaml Document per call (20-40 µs), and a fleet repeats most values (users, keys,
 * files, commands) in every VM, so the helper remembers texts by value: a 1000-VM render takes about a
 * third less time. Emptied past a few million characters, so a long-lived process does not grow.
 */
const yamlValueCache = new Map<string, string>();
const yamlValueCacheLimit = 4_000_000;
let yamlValueCacheSize = 0;

/**
 * Letters, digits and `. _ / - :` (no colon last): text of this shape is a plain scalar to any YAML
 * reader, so yamlValue writes it bare unless YAML 1.1 would resolve it to something other than a
 * string (a boolean, null, a number in any of 1.1's notations, a date). Whether it would is asked of
 * the yaml library's own 1.1 resolvers, the ones that make yamlValue quote. Names, hostnames, MAC and
 * IP addresses differ in every VM and are mostly such words; this spares each a yaml Document. A
 * property test holds it to yamlValue's own text.
 */
const bareWordShape = /^[A-Za-z0-9][A-Za-z0-9._/:-]*$/;
const yaml11Resolvers: RegExp[] = new Document(null, { version: '1.1' }).schema.tags
  .map((tag) => ('test' in tag ? tag.test : undefined))
  .filter((test): test is RegExp => test instanceof RegExp);

export function isBareWord(text: string): boolean {
  return bareWordShape.test(text) && !text.endsWith(':') && !yaml11Resolvers.some((test) => test.test(text));
}

function cachedYamlValue(value: unknown, indent: number): string {
  if (typeof value === 'string' && isBareWord(value)) return value;
  const key = plainDataKey(value, indent);
  if (key === null) return yamlValue(value, indent);
  let text = yamlValueCache.get(key);
  if (text === undefined) {
    text = yamlValue(value, indent);
    if (yamlValueCacheSize > yamlValueCacheLimit) {
      yamlValueCache.clear();
      yamlValueCacheSize = 0;
    }
    yamlValueCache.set(key, text);
    yamlValueCacheSize += key.length + text.length;
  }
  return text;
}

/**
 * libvirt spells the macvtap modes as `ip link` does except one: `passthru` is `passthrough` in a
 * domain's `<source mode>` (libvirt's schema refuses `passthru`, and virsh define with it).
 */
const libvirtMacvtapModes: ReadonlyMap<string, string> = new Map([['passthru', 'passthrough']]);

export function libvirtMacvtapMode(mode: string): string {
  return libvirtMacvtapModes.get(mode) ?? mode;
}

export function registerHelpers(handlebars: typeof Handlebars): void {
  handlebars.registerHelper('yaml', (value: unknown, options: HelperOptions) =>
    cachedYamlValue(value, Number(options.hash.indent ?? 0)),
  );
  // `key: value`, or for a block collection `key:` and the lines below it, with no trailing space.
  handlebars.registerHelper('yamlKey', (key: unknown, value: unknown, options: HelperOptions) => {
    const text = cachedYamlValue(value, Number(options.hash.indent ?? 0));
    return `${String(key)}:${text.startsWith('\n') ? '' : ' '}${text}`;
  });
  handlebars.registerHelper('xml', (value: unknown) => xmlValue(value));
  handlebars.registerHelper('shell', (value: unknown) => shellValue(value));
  handlebars.registerHelper('shellWord', (value: unknown) => shellWord(value));
  handlebars.registerHelper('comment', (value: unknown) => commentText(value));
  handlebars.registerHelper('libvirtMacvtapMode', (mode: unknown) => libvirtMacvtapMode(String(mode)));
  handlebars.registerHelper('eq', (left: unknown, right: unknown) => left === right);
  handlebars.registerHelper('inc', (value: unknown) => Number(value) + 1);
  handlebars.registerHelper('or', (...args: unknown[]) => args.slice(0, -1).some(Boolean));
  handlebars.registerHelper('join', (values: unknown, separator: unknown) => (values as unknown[]).join(String(separator)));
  handlebars.registerHelper('cidr', (addressing: { address: string; prefix: number }) => `${addressing.address}/${addressing.prefix}`);
  handlebars.registerHelper('v2routes', (nic: NicPlan, target: CloudInitTarget) => networkV2Routes(nic, target));
}

/**
 * The routes of a v2 ethernet. Current cloud-init wants the default route as a route (`gateway4` is
 * deprecated); cloud-init 18.x of el7 images reads `gateway4`, which the template writes instead.
 */
export function networkV2Routes(nic: NicPlan, target: CloudInitTarget): { to: string; via: string; metric: number | null }[] {
  const routes = nic.routes.map((route) => ({ to: `${route.network}/${route.prefix}`, via: route.via, metric: route.metric }));
  if (nic.gateway !== null && target !== 'el7') routes.unshift({ to: '0.0.0.0/0', via: nic.gateway, metric: null });
  return routes;
}
