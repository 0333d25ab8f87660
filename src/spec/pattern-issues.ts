// What the schema cannot see about name patterns because it takes more than one field: overrides
// that name VMs their entry does not make, a fleet beyond maxFleetVms, and ranges written where
// nothing expands them. Checked on the document's plain value beside the schema, so that one run
// reports both, in the schema's issue shape, so that the report and salvaging treat them alike.
import type { z } from 'zod';
import { vmNameText } from './formats.js';
import { isPlainObject } from './merge-settings.js';
import { holdsRange, isNamePattern, maxFleetVms, parseNamePattern, patternMakes, patternName, patternSize, type NamePattern } from './name-pattern.js';
import type { FieldPath } from './source-map.js';

type Issue = z.core.$ZodIssue;

/**
 * Fields of free text, where `{1..3}` is the user's own (a shell loop in runcmd, a password): a range
 * there is left alone. Anywhere else in a VM's settings it is refused rather than silently kept as
 * literal text, e.g. a root disk `web-{01..20}.qcow2` that twenty VMs would share.
 */
const freeTextFields = new Set(['runcmd', 'content', 'cmdline', 'gecos', 'sudo', 'sshAuthorizedKeys', 'password', 'passwordHash', 'rootPassword']);

const rangeOutsideNameMessage = 'a range such as {01..20} is expanded only in a VM\'s name; here every VM would get it as written ' +
  '(left out, the hostname follows the VM\'s name and each VM gets its own instance-id)';

export function patternIssues(value: unknown): Issue[] {
  if (!isPlainObject(value)) return [];
  const issues: Issue[] = [];
  if (value.defaults !== undefined) issues.push(...rangesOutsideNames(value.defaults, ['defaults']));
  const entries = Array.isArray(value.vms) ? (value.vms as unknown[]) : [];
  entries.forEach((entry, index) => {
    if (!isPlainObject(entry)) return;
    const { name, overrides, ...settings } = entry;
    issues.push(...rangesOutsideNames(settings, ['vms', index]));
    // Without a name (the schema says so) which VMs the overrides may name is unknown.
    if (overrides !== undefined && typeof name === 'string') issues.push(...overrideIssues(overrides, parseNamePattern(name), index));
  });
  issues.push(...fleetSizeIssues(entries));
  return issues;
}

/** Every string of `value` holding a range, outside the free-text fields. */
function rangesOutsideNames(value: unknown, fieldPath: FieldPath): Issue[] {
  if (typeof value === 'string') {
    // The value is not quoted: it may be anything, and the field's line is where to look.
    return holdsRange(value) ? [{ code: 'custom', path: [...fieldPath], message: rangeOutsideNameMessage }] : [];
  }
  if (Array.isArray(value)) return value.flatMap((item, index) => rangesOutsideNames(item, [...fieldPath, index]));
  if (!isPlainObject(value)) return [];
  return Object.entries(value).flatMap(([key, item]) => (freeTextFields.has(key) ? [] : rangesOutsideNames(item, [...fieldPath, key])));
}

function overrideIssues(overrides: unknown, pattern: ReturnType<typeof parseNamePattern>, index: number): Issue[] {
  const fieldPath = ['vms', index, 'overrides'];
  if (pattern === null) {
    return [{ code: 'custom', path: fieldPath, message: 'overrides belong to an entry whose name holds a range, such as web-{01..20}; a single VM says its settings itself' }];
  }
  // A bad range is reported on the name; which names it makes is then unknown.
  if (!isNamePattern(pattern) || !isPlainObject(overrides)) return [];
  const issues: Issue[] = [];
  for (const [key, override] of Object.entries(overrides)) {
    if (!patternMakes(pattern, key)) issues.push(unknownOverrideIssue(key, pattern, fieldPath));
    else issues.push(...rangesOutsideNames(override, [...fieldPath, key]));
  }
  return issues;
}

/** The issue is placed at the key (params.key); the key is quoted only when it looks like a VM name. */
function unknownOverrideIssue(key: string, pattern: NamePattern, fieldPath: FieldPath): Issue {
  const made = `${patternName(pattern, pattern.first)} to ${patternName(pattern, pattern.last)}`;
  const message = holdsRange(key)
    ? `an override names one VM; its key is not expanded as a range (this entry makes ${made})`
    : vmNameText.safeParse(key).success
      ? `"${key}" is not a name this entry makes (${made}); an override's key is the name of one of its VMs`
      : `this key is not a name this entry makes (${made}); it is not shown: it does not look like a VM name`;
  return { code: 'custom', path: [...fieldPath], message, params: { key } };
}

/** One issue, at the entry that takes the fleet past maxFleetVms. */
function fleetSizeIssues(entries: unknown[]): Issue[] {
  const sizes = entries.map((entry) => {
    const pattern = isPlainObject(entry) && typeof entry.name === 'string' ? parseNamePattern(entry.name) : null;
    return isNamePattern(pattern) ? patternSize(pattern) : 1;
  });
  const total = sizes.reduce((sum, size) => sum + size, 0);
  if (total <= maxFleetVms) return [];
  let running = 0;
  const crossing = sizes.findIndex((size) => (running += size) > maxFleetVms);
  return [{
    code: 'custom',
    path: ['vms', crossing, 'name'],
    message: `the vms make ${total.toLocaleString('en')} VMs in all, past ${maxFleetVms.toLocaleString('en')} here; a fleet has at most ${maxFleetVms.toLocaleString('en')}`,
  }];
}
