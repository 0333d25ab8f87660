// Maps a field path such as ['vms', 2, 'network'] back to a line and column in the YAML file, so every
// problem found later (by zod or by plan/) can point at the place the user has to change.
import { isMap, isNode, isPair, isScalar, isSeq, LineCounter, type Document, type Node } from 'yaml';
import type { SourceLocation } from '../errors.js';

export type FieldPath = readonly (string | number)[];

export interface SpecSource {
  /** The spec file as the user named it (for messages). */
  file: string;
  locate(path: FieldPath, key?: string): SourceLocation;
  /** Where a YAML error at character `offset` is, with the field it falls in, when there is one. */
  locateOffset(offset: number): SourceLocation;
}

export function formatFieldPath(path: FieldPath): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${part}` : part;
  }
  return out;
}

/** The deepest node that exists along `path`, and for a map key, the key's own node. */
function deepestNode(document: Document, path: FieldPath, key?: string): Node | null {
  let node: unknown = document.contents;
  let found: Node | null = isNode(node) ? node : null;
  const steps: (string | number)[] = key === undefined ? [...path] : [...path, key];
  for (const [index, step] of steps.entries()) {
    const isLast = index === steps.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && item.key.value === step);
      if (!pair) break;
      // For an unknown key the key itself is the place; for a value, the value.
      if (isLast && key !== undefined && isNode(pair.key)) return pair.key;
      node = pair.value;
      found = isNode(node) ? node : isNode(pair.key) ? pair.key : found;
    } else if (isSeq(node) && typeof step === 'number') {
      node = node.items[step];
      if (!isNode(node)) break;
      found = node;
    } else {
      break;
    }
  }
  return found;
}

/** Whether `offset` falls inside `node`'s own text. */
function holds(node: unknown, offset: number): node is Node {
  return isNode(node) && node.range != null && node.range[0] <= offset && offset < node.range[1];
}

/**
 * The field a YAML error at `offset` is in: a key (a duplicate key's error) or a value. An error at a
 * value's first character is about the whole value, so the path stops at its key.
 */
function pathAt(document: Document, offset: number): FieldPath {
  const path: (string | number)[] = [];
  let node: unknown = document.contents;
  while (isMap(node) || isSeq(node)) {
    let next: unknown;
    for (const [index, item] of (node.items as unknown[]).entries()) {
      if (isPair(item) && (holds(item.key, offset) || holds(item.value, offset))) {
        if (!isScalar(item.key)) return path;
        path.push(String(item.key.value));
        next = holds(item.value, offset) ? item.value : undefined;
        break;
      }
      if (holds(item, offset)) {
        path.push(index);
        next = item;
        break;
      }
    }
    if (!isNode(next) || next.range?.[0] === offset) break;
    node = next;
  }
  return path;
}

/** Where a spec's bytes stop being UTF-8: 1-based line and column (in characters) of the first bad byte. */
export interface InvalidUtf8 {
  line: number;
  column: number;
}

/** The length of the UTF-8 sequence starting at `index`, or 0 when it is not a valid one (RFC 3629). */
function utf8SequenceLength(bytes: Uint8Array, index: number): number {
  const lead = bytes[index] ?? 0;
  if (lead < 0x80) return 1;
  // Per lead byte: how many continuation bytes, and the range the first of them must be in (which
  // rules out overlong forms, UTF-16 surrogates and code points above U+10FFFF).
  const [count, low, high] = lead >= 0xc2 && lead <= 0xdf ? [1, 0x80, 0xbf]
    : lead === 0xe0 ? [2, 0xa0, 0xbf] : lead === 0xed ? [2, 0x80, 0x9f] : lead >= 0xe1 && lead <= 0xef ? [2, 0x80, 0xbf]
    : lead === 0xf0 ? [3, 0x90, 0xbf] : lead === 0xf4 ? [3, 0x80, 0x8f] : lead >= 0xf1 && lead <= 0xf3 ? [3, 0x80, 0xbf]
    : [0, 0, 0];
  if (count === 0) return 0;
  for (let offset = 1; offset <= count; offset++) {
    const byte = bytes[index + offset];
    const [min, max] = offset === 1 ? [low, high] : [0x80, 0xbf];
    if (byte === undefined || byte < min || byte > max) return 0;
  }
  return count + 1;
}

/**
 * A spec file's text, or where it is not UTF-8. Node's lenient decoding would turn a Latin-1 "é" into
 * U+FFFD, and a password hashed from that is not the one the user typed. A byte order mark is kept:
 * yaml skips it, and the text stays the file's for the manifest's checksum.
 */
export function decodeSpecBytes(bytes: Uint8Array): string | InvalidUtf8 {
  let lineStart = 0;
  let line = 1;
  for (let index = 0; index < bytes.length;) {
    const length = utf8SequenceLength(bytes, index);
    if (length === 0) {
      const before = Buffer.from(bytes.subarray(lineStart, index)).toString('utf8').replace(/^\uFEFF/, '');
      return { line, column: before.length + 1 };
    }
    if (bytes[index] === 0x0a) {
      line++;
      lineStart = index + 1;
    }
    index += length;
  }
  return Buffer.from(bytes).toString('utf8');
}

/**
 * Where the tag of a node starting at `nodeStart` begins. yaml gives a node's range without its
 * properties (and an empty tagged value sits at the line's end), so look back over whitespace for the
 * `!…` token, past an `&anchor` written after it. Falls back to the node's own start.
 */
export function tagStart(text: string, nodeStart: number): number {
  let position = nodeStart;
  for (let token = 0; token < 2; token++) {
    let end = position;
    while (end > 0 && /\s/.test(text[end - 1] ?? '')) end--;
    let start = end;
    while (start > 0 && !/\s/.test(text[start - 1] ?? '')) start--;
    const word = text.slice(start, end);
    const bang = word.indexOf('!');
    if (bang >= 0) return start + bang;
    if (!word.startsWith('&')) break;
    position = start;
  }
  return nodeStart;
}

export function createSpecSource(file: string, document: Document | null, lineCounter: LineCounter): SpecSource {
  return {
    file,
    locate(path, key) {
      const field = formatFieldPath(key === undefined ? path : [...path, key]) || null;
      const node = document ? deepestNode(document, path, key) : null;
      const offset = node?.range?.[0];
      if (offset === undefined) return { file, line: null, column: null, field };
      const { line, col } = lineCounter.linePos(offset);
      return { file, line, column: col, field };
    },
    locateOffset(offset) {
      const { line, col } = lineCounter.linePos(offset);
      const field = document ? formatFieldPath(pathAt(document, offset)) || null : null;
      return { file, line, column: col, field };
    },
  };
}
