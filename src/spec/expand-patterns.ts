// Turns the validated entries of `vms` into VMs: a plain entry is one VM, a pattern entry one VM per
// number of its range, with its override for that name merged over it. VMs of one pattern share the
// pattern's values (nothing is copied but the top level), so a 10,000-VM fleet costs little more than
// its entry. The spec's source map is wrapped so paths into the expanded `vms` find their lines.
import { hasFieldPath, mergeSettings } from './merge-settings.js';
import { isNamePattern, parseNamePattern, patternName, patternSize } from './name-pattern.js';
import type { FleetSpecDocument, FleetSpecInput, VmEntry, VmSettings, VmSpec } from './schema.js';
import type { FieldPath, SpecSource } from './source-map.js';

export interface ExpandedSpec {
  input: FleetSpecInput;
  /** Locates paths into `input` (e.g. `['vms', 4321, 'domain', 'memory']`) at the line that wrote them. */
  source: SpecSource;
}

export function expandSpec(document: FleetSpecDocument, documentSource: SpecSource): ExpandedSpec {
  const sizes = document.vms.map(entrySize);
  const vms: VmSpec[] = new Array(sizes.reduce((sum, size) => sum + size, 0));
  // For each VM, the index of the entry it came from: 4 bytes a VM, against an object each.
  const entryOf = new Uint32Array(vms.length);
  let next = 0;
  document.vms.forEach((entry, entryIndex) => {
    for (const vm of expandEntry(entry)) {
      entryOf[next] = entryIndex;
      vms[next++] = vm;
    }
  });
  const input: FleetSpecInput = { ...document, vms };
  return { input, source: expandedSource(documentSource, document, input, entryOf) };
}

function entrySize(entry: VmEntry): number {
  const pattern = parseNamePattern(entry.name);
  return isNamePattern(pattern) ? patternSize(pattern) : 1;
}

function* expandEntry(entry: VmEntry): Generator<VmSpec> {
  const { name, overrides, ...settings } = entry;
  const pattern = parseNamePattern(name);
  if (!isNamePattern(pattern)) {
    yield { name, ...settings };
    return;
  }
  for (let number = pattern.first; number <= pattern.last; number++) {
    const vmName = patternName(pattern, number);
    const override = overrides !== undefined && Object.hasOwn(overrides, vmName) ? overrides[vmName] : undefined;
    yield { name: vmName, ...(override === undefined ? settings : mergeSettings<VmSettings>(settings, override)) };
  }
}

/**
 * Where a path into the expanded `vms` is written: in the VM's override when the override sets that
 * field, else in its entry. Every other path is the document's own.
 */
function expandedSource(documentSource: SpecSource, document: FleetSpecDocument, input: FleetSpecInput, entryOf: Uint32Array): SpecSource {
  const documentPath = (fieldPath: FieldPath): FieldPath => {
    const [top, vmIndex, ...rest] = fieldPath;
    if (top !== 'vms' || typeof vmIndex !== 'number' || vmIndex >= entryOf.length) return fieldPath;
    const entryIndex = entryOf[vmIndex]!;
    const overrides = document.vms[entryIndex]?.overrides;
    const name = input.vms[vmIndex]!.name;
    const override = overrides !== undefined && Object.hasOwn(overrides, name) ? overrides[name] : undefined;
    if (rest.length > 0 && hasFieldPath(override, rest)) return ['vms', entryIndex, 'overrides', name, ...rest];
    return ['vms', entryIndex, ...rest];
  };
  return {
    file: documentSource.file,
    locate(fieldPath, key) {
      if (key === undefined) return documentSource.locate(documentPath(fieldPath));
      const mapped = documentPath([...fieldPath, key]);
      return documentSource.locate(mapped.slice(0, -1), key);
    },
    locateOffset: (offset) => documentSource.locateOffset(offset),
  };
}
