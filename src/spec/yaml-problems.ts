// What is wrong with a spec's YAML before its schema is looked at: syntax errors and warnings with the
// parser's reason but never its excerpt of the source (which may hold a password), tags, which the spec
// language has none of, and aliases that point nowhere, into themselves, or expand to too much.
import { isAlias, isCollection, isPair, isScalar, isSeq, visit, type Document, type Node, type YAMLError } from 'yaml';
import { CloudseedError, type Problem } from '../errors.js';
import { formatFieldPath, tagStart, type FieldPath, type SpecSource } from './source-map.js';

/**
 * Aliases may share a block between VMs, but a few lines of nested aliases can expand to billions of
 * nodes ("billion laughs"). A 1,000-VM fleet written out in full is far below both limits.
 */
const maxExpandedNodes = 1_000_000;
const maxAliasCount = 100_000;

/** The document as plain data. */
export function documentValue(document: Document, source: SpecSource): unknown {
  try {
    return document.toJS({ maxAliasCount });
  } catch (cause) {
    // aliasProblems caught what it could with a place; this is yaml's own guard behind it.
    throw new CloudseedError('SPEC_INVALID', `${source.file} has one problem`, {
      problems: [{ location: source.locateOffset(firstAlias(document)?.range?.[0] ?? 0), message: 'the aliases in this spec cannot be resolved, or expand to too much data' }],
      cause,
    });
  }
}

// ---- YAML syntax: the parser's reason, never its excerpt of the source ----

/** yaml's messages that never quote the source; any other message is replaced by its code's reason. */
const quotableMessages = [
  /^(A block sequence may not be used as an implicit map key|A node can have at most one (anchor|tag)|Alias cannot be an empty string|Anchor cannot be an empty string)$/,
  /^(All (mapping|sequence) items must start at the same column|An alias node must not specify any properties)$/,
  /^(Block collection cannot start on same line with directives-end marker|Block collections are not allowed within flow collections)$/,
  /^(Block scalar values in collections must be indented|Block scalars with more-indented leading empty lines must use an explicit indentation indicator)$/,
  /^(Comments must be separated from other tokens by white space characters|Flow end indicator should be more indented than parent)$/,
  /^(Implicit keys need to be on a single line|Implicit keys of flow sequence pairs need to be on a single line|Implicit map keys need to be followed by map values)$/,
  /^(Map keys must be unique|Missing closing ["']quote|Missing directives-end indicator line|Missing directives-end\/doc-start indicator line)$/,
  /^(Missing newline after block sequence props|Nested mappings are not allowed in compact mappings|Sequence item without - indicator)$/,
  /^(Tabs are not allowed as indentation|Tags and anchors must be separated from the next token by white space)$/,
  /^(The : indicator must be at most 1024 chars after the start of an implicit (block mapping|flow sequence) key|Unexpected doc-end without preceding document)$/,
  /^Flow (map|sequence) in block collection must be sufficiently indented and end with a [}\]]$/,
  /^(Missing , between|Missing , or : between) flow (map|sequence) items$/,
  /^(Missing space after : in|Unexpected , in|Unexpected empty item in) flow (map|sequence)$/,
  /^(Unexpected [a-z-]+ at node end|Unexpected [a-z-]+ token|Unexpected token in block scalar header: [a-z-]+|Expected a flow scalar value, but found: [a-z-]+)$/,
];

const reasonsByCode: Partial<Record<YAMLError['code'], string>> = {
  BAD_DQ_ESCAPE: 'invalid escape sequence in a double-quoted string (single quotes take backslashes as they are)',
  BAD_SCALAR_START: 'a plain value cannot start with @, ` or %: quote it',
  BAD_DIRECTIVE: 'unknown or malformed directive (a line starting with %)',
  BAD_PROP_ORDER: 'anchors and tags must come after the ?, : or - indicator',
  BAD_ALIAS: 'a malformed anchor or alias name',
  MULTIPLE_DOCS: 'the spec must be a single YAML document',
  UNEXPECTED_TOKEN: 'unexpected text here: a value starting with one of ! & * | > % @ ` { [ needs quotes',
};

function syntaxReason(error: YAMLError): string {
  if (quotableMessages.some((pattern) => pattern.test(error.message))) return error.message;
  if (error.message.startsWith('Block scalar header includes extra characters')) {
    return 'Block scalar header includes extra characters: a value starting with | or > needs quotes';
  }
  return reasonsByCode[error.code] ?? `YAML syntax error (${error.code})`;
}

/** The parser's errors and its warnings, which are errors here too: a warning means a value was lost. */
export function syntaxProblems(document: Document, source: SpecSource): Problem[] {
  return [...document.errors, ...document.warnings]
    // Every tag is reported once, by tagProblems, whether yaml resolved it or not.
    .filter((error) => error.code !== 'TAG_RESOLVE_FAILED' && error.code !== 'BAD_COLLECTION_TYPE')
    .map((error) => ({ location: source.locateOffset(error.pos[0]), message: `YAML syntax: ${syntaxReason(error)}` }));
}

/**
 * The spec language has no tags. yaml drops a tag it does not know and keeps the value, which for
 * `password: !Secret` is the empty string: a password nobody typed.
 */
export function tagProblems(document: Document, text: string, source: SpecSource): Problem[] {
  const problems: Problem[] = [];
  visit(document, {
    Node(_key, node, ancestors) {
      if (!node.tag || node.range == null) return;
      // The place is the tag's (the node's range leaves it out); the field is the tagged value's.
      const location = { ...source.locateOffset(tagStart(text, node.range[0])), field: formatFieldPath(fieldPathOf(ancestors, node)) || null };
      problems.push({ location, message: 'YAML tags (! or !!) are not part of the spec language: quote a value that starts with !' });
    },
  });
  return problems;
}

/** The field path of `node` from visit's ancestors: a pair's key, a sequence's index. */
function fieldPathOf(ancestors: readonly unknown[], node: Node): FieldPath {
  const fieldPath: (string | number)[] = [];
  ancestors.forEach((ancestor, index) => {
    const child = ancestors[index + 1] ?? node;
    if (isPair(ancestor) && isScalar(ancestor.key)) fieldPath.push(String(ancestor.key.value));
    else if (isSeq(ancestor)) fieldPath.push(ancestor.items.indexOf(child as Node));
  });
  return fieldPath;
}

// ---- aliases: unresolved, recursive, or too big ----

function firstAlias(document: Document): Node | null {
  let found: Node | null = null;
  visit(document, { Alias(_key, node) { found ??= node; } });
  return found;
}

/** What each alias refers to: the last node before it with its anchor, in document order, as yaml does. */
function resolveAliases(document: Document): Map<Node, Node | undefined> {
  const anchors = new Map<string, Node>();
  const targets = new Map<Node, Node | undefined>();
  visit(document, {
    Node(_key, node) {
      if (isAlias(node)) targets.set(node, anchors.get(node.source));
      else if (node.anchor) anchors.set(node.anchor, node);
    },
  });
  return targets;
}

interface Expansion {
  targets: Map<Node, Node | undefined>;
  /** Per node, its size once expanded; null while it is being measured, and for a recursive one. */
  sizes: Map<unknown, number | null>;
}

/** How many nodes `node` stands for once every alias in it is expanded; null for a recursive alias. */
function expandedSize(node: unknown, expansion: Expansion): number | null {
  const { targets, sizes } = expansion;
  if (sizes.has(node)) return sizes.get(node) ?? null;
  sizes.set(node, null);
  let size: number | null = 1;
  if (isAlias(node)) size = expandedSize(targets.get(node), expansion);
  else if (isPair(node)) size = sumSizes([expandedSize(node.key, expansion), expandedSize(node.value, expansion)]);
  else if (isCollection(node)) size = sumSizes([1, ...node.items.map((item) => expandedSize(item, expansion))]);
  sizes.set(node, size);
  return size;
}

function sumSizes(sizes: (number | null)[]): number | null {
  return sizes.some((size) => size === null) ? null : (sizes as number[]).reduce((sum, size) => sum + size, 0);
}

export function aliasProblems(document: Document, source: SpecSource): Problem[] {
  const expansion: Expansion = { targets: resolveAliases(document), sizes: new Map() };
  const problems: Problem[] = [];
  let largest: { offset: number; size: number } | null = null;
  for (const [alias, target] of expansion.targets) {
    const offset = alias.range?.[0] ?? 0;
    const size = target === undefined ? null : expandedSize(alias, expansion);
    // Never the alias's name: `password: *Secret` is an alias to an anchor nobody set.
    if (target === undefined) problems.push({ location: source.locateOffset(offset), message: 'this alias (*) refers to no anchor (&) set before it: quote a value that starts with *' });
    else if (size === null) problems.push({ location: source.locateOffset(offset), message: 'this alias is inside the node its anchor names: the data would never end' });
    else if (largest === null || size > largest.size) largest = { offset, size };
  }
  if (problems.length === 0 && largest !== null && (expandedSize(document.contents, expansion) ?? 0) > maxExpandedNodes) {
    problems.push({ location: source.locateOffset(largest.offset), message: `the aliases in this spec expand to more than ${maxExpandedNodes.toLocaleString('en')} values` });
  }
  return problems;
}
