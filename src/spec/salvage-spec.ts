// After the schema refused some fields of a spec: the same spec with those fields left out, so that
// planning can still look at the rest and one run reports the schema's problems and the planner's
// together. Only fields are left out, never list items, so every index the planner reports stays true.
import type { z } from 'zod';
import { checkSpecValue, readDocument, specOf, type FleetSpec } from './load-spec.js';
import { formatFieldPath, type FieldPath } from './source-map.js';

type Issue = z.core.$ZodIssue;

/** A refused field can make its parent refused in turn (a required field left out); a few rounds settle it. */
const maxRounds = 4;

export interface SalvagedSpec {
  spec: FleetSpec;
  /** The fields left out, as problems name them: `vms[2].domain.memory`. */
  leftOut: string[];
}

/** The spec less every field its schema refuses, or null when that leaves no valid spec. */
export function salvageSpec(text: string, file: string): SalvagedSpec | null {
  let document;
  try {
    document = readDocument(text, file);
  } catch {
    return null;
  }
  const leftOut: string[] = [];
  for (let round = 0; round < maxRounds; round++) {
    const checked = checkSpecValue(document.value);
    if (checked.success) return { spec: specOf(checked.data, text, file, document.source), leftOut };
    for (const issue of checked.issues) {
      const fields = leaveOut(document.value, issue);
      if (fields === null) return null;
      leftOut.push(...fields.map(formatFieldPath));
    }
  }
  return null;
}

/**
 * Deletes the fields `issue` is about from `value`; null when that is the whole spec or a list item.
 * A required field that is missing takes its parent with it.
 */
function leaveOut(value: unknown, issue: Issue): FieldPath[] | null {
  const issuePath = issue.path.filter((part): part is string | number => typeof part !== 'symbol');
  if (issue.code === 'unrecognized_keys') return deleteFields(value, issuePath, issue.keys);
  // An issue about one key of a map (an override for a VM its pattern does not make).
  if (issue.code === 'custom' && typeof issue.params?.key === 'string') return deleteFields(value, issuePath, [issue.params.key]);
  for (let depth = issuePath.length; depth > 0; depth--) {
    const parentPath = issuePath.slice(0, depth - 1);
    const name = issuePath[depth - 1]!;
    const parent = objectAt(value, parentPath);
    if (parent === null) return null;
    if (name in parent) return deleteFields(value, parentPath, [name]);
  }
  return null;
}

function objectAt(value: unknown, fieldPath: FieldPath): Record<PropertyKey, unknown> | null {
  let node: unknown = value;
  for (const key of fieldPath) node = (node as Record<PropertyKey, unknown> | undefined)?.[key];
  return node !== null && typeof node === 'object' && !Array.isArray(node) ? (node as Record<PropertyKey, unknown>) : null;
}

function deleteFields(value: unknown, parentPath: FieldPath, names: readonly (string | number)[]): FieldPath[] | null {
  const parent = objectAt(value, parentPath);
  if (parent === null) return null;
  for (const name of names) delete parent[name];
  return names.map((name) => [...parentPath, name]);
}
