// What a libvirt host says about the fleet's domains: which exist, their state and UUID, and whether
// cloudseed made them for this fleet (the `<cloudseed:vm fleet=...>` element every domain.xml carries).
import { createHash } from 'node:crypto';
import { XMLParser } from 'fast-xml-parser';
import { cloudseedXmlNamespace } from '../host/libvirt-network-xml.js';
import { tryVirsh, virsh, type Connection } from '../host/virsh.js';

/** The mark's namespace: the same for domains (templates/domain.xml.hbs) and networks. */
export const metadataNamespace = cloudseedXmlNamespace;
/** Live-only metadata: the definition a running domain was started with (gone when it stops). */
const runNamespace = 'https://cloudseed.dev/xmlns/libvirt/run/1';

export interface DomainRecord {
  name: string;
  /** `running`, `shut off`, `paused`, … as virsh says it. */
  state: string;
  /** A start that never finished (its client killed while libvirt set QEMU up): paused, never run. */
  startInterrupted: boolean;
  uuid: string;
  /** The fleet its cloudseed mark names, or null for a domain cloudseed did not define. */
  fleet: string | null;
}

function field(info: string, name: string): string {
  return new RegExp(`^${name}:\\s*(.*)$`, 'm').exec(info)?.[1]?.trim() ?? '';
}

/** The fleet named by the mark, read with a real XML parser: the value is the user's fleet name, escaped. */
function markedFleet(metadata: string): string | null {
  const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(metadata) as Record<string, { fleet?: unknown }>;
  const element = Object.values(parsed)[0];
  return typeof element?.fleet === 'string' ? element.fleet : null;
}

export async function readDomain(connection: Connection, name: string): Promise<DomainRecord | null> {
  const info = await tryVirsh(connection, ['dominfo', '--domain', name]);
  if (!info.ok) {
    if (/failed to get domain|Domain not found/i.test(info.stderr)) return null;
    await virsh(connection, ['dominfo', '--domain', name], `reading domain ${name}`);
  }
  const metadata = await tryVirsh(connection, ['metadata', '--domain', name, '--uri', metadataNamespace, '--config']);
  const state = field(info.stdout, 'State');
  const reason = state === 'paused' ? (await tryVirsh(connection, ['domstate', '--reason', '--domain', name])).stdout : '';
  return {
    name,
    state,
    startInterrupted: /starting up/.test(reason),
    uuid: field(info.stdout, 'UUID'),
    fleet: metadata.ok ? markedFleet(metadata.stdout) : null,
  };
}

/** The domains among `names` that exist on the host, by name. */
export async function readDomains(connection: Connection, names: string[]): Promise<Map<string, DomainRecord>> {
  const listed = new Set((await virsh(connection, ['list', '--all', '--name'], 'listing domains')).split('\n').map((line) => line.trim()));
  const records = new Map<string, DomainRecord>();
  for (const name of names) {
    if (!listed.has(name)) continue;
    const record = await readDomain(connection, name);
    if (record !== null) records.set(name, record);
  }
  return records;
}

/** The persistent definition as libvirt keeps it: compared before and after `define` to see a change. */
export async function inactiveXml(connection: Connection, name: string): Promise<string | null> {
  const result = await tryVirsh(connection, ['dumpxml', '--inactive', '--security-info', '--domain', name]);
  return result.ok ? result.stdout : null;
}

export const isRunning = (record: DomainRecord | null | undefined) => record?.state === 'running' || record?.state === 'paused';

export function definitionHash(xml: string): string {
  return createHash('sha256').update(xml).digest('hex');
}

/**
 * Starts the domain and notes, in its live metadata, the definition it runs with: a later `up` tells a
 * guest that still runs an older definition from one that runs the current, even after a redefine.
 */
export async function startDomain(connection: Connection, name: string, definition: string): Promise<void> {
  await virsh(connection, ['start', '--domain', name], `starting VM ${name}`);
  await markDefinition(connection, name, definition);
}

/** Notes in a running domain's live metadata the definition it runs with (a sha256 in hex: nothing to escape). */
export async function markDefinition(connection: Connection, name: string, definition: string): Promise<void> {
  await virsh(connection, ['metadata', '--domain', name, '--live', '--uri', runNamespace, '--key', 'cloudseed-run', '--set', `<run definition="${definition}"/>`], `marking VM ${name}`);
}

/** The definition hash a running domain was started with by cloudseed, or null (started by someone else). */
export async function runningDefinition(connection: Connection, name: string): Promise<string | null> {
  const result = await tryVirsh(connection, ['metadata', '--domain', name, '--live', '--uri', runNamespace]);
  return result.ok ? (/definition="([0-9a-f]{64})"/.exec(result.stdout)?.[1] ?? null) : null;
}

/**
 * Waits while a domain is paused in `starting up`: libvirt finishes a start whose client was killed on
 * its own, in a second or two. Returns whether it is still stuck there after that (then it never will).
 */
export async function settleStart(connection: Connection, name: string, seconds = 30): Promise<boolean> {
  for (let waited = 0; waited < seconds * 2; waited++) {
    const reason = await tryVirsh(connection, ['domstate', '--reason', '--domain', name]);
    if (!/paused \(starting up\)/.test(reason.stdout)) return false;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return true;
}
