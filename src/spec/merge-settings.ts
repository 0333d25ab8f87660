// How one layer of VM settings overlays another: maps merge key by key, lists and scalars replace.
// `defaults` under a VM and a pattern's `overrides` over its VMs both merge this way, from this one place.

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Keys that choose between alternatives: a root disk is an image the VM writes (`path`) or an overlay
 * over a base (`base`, with its `size`), so a VM that picks one drops what its defaults said of the other.
 */
const alternativesByMap: Record<string, Record<string, string[]>> = {
  // Also `kubevirt.rootDisk`, whose sources are alternatives the same way.
  rootDisk: { path: ['base', 'size'], base: ['path'], http: ['registry', 'pvc'], registry: ['http', 'pvc'], pvc: ['http', 'registry'] },
};

/** `override` over `base`. What the override does not touch stays shared with `base`, not copied. */
export function mergeSettings<T>(base: T | undefined, override: T | undefined, key?: string): T | undefined {
  if (override === undefined) return base;
  if (!isPlainObject(base) || !isPlainObject(override)) return override;
  const merged: Record<string, unknown> = { ...base };
  for (const [chosen, dropped] of Object.entries(alternativesByMap[key ?? ''] ?? {})) {
    if (chosen in override) for (const name of dropped) delete merged[name];
  }
  for (const [name, value] of Object.entries(override)) {
    merged[name] = mergeSettings(merged[name], value, name);
  }
  return merged as T;
}

/** Whether `root` holds a value at `fieldPath` (map keys and list indexes). */
export function hasFieldPath(root: unknown, fieldPath: readonly (string | number)[]): boolean {
  let node = root;
  for (const step of fieldPath) {
    if (Array.isArray(node) && typeof step === 'number') node = node[step];
    else if (isPlainObject(node) && typeof step === 'string') node = node[step];
    else return false;
    if (node === undefined) return false;
  }
  return true;
}
