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
