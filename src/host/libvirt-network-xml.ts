// A libvirt network's XML both ways: rendered from templates/libvirt-network.xml.hbs for `net-define`,
// and read back from `net-dumpxml` for the two things cloudseed asks of it: whose mark it carries
// (libvirt keeps a network's <metadata>, checked with libvirt 9.0) and how it differs from the plan.
import { XMLParser } from 'fast-xml-parser';
import type { LibvirtNetworkPlan } from '../plan/index.js';
import { checkRenderedXml } from '../render/check-document.js';
import { loadTemplate } from '../render/template-store.js';
import { maskOf, parseIpv4 } from '../spec/ipv4.js';

/** The namespace of cloudseed's elements in libvirt metadata. */
export const cloudseedXmlNamespace = 'https://cloudseed.dev/xmlns/libvirt/1';

export function renderLibvirtNetworkXml(network: LibvirtNetworkPlan, fleet: string): string {
  const template = loadTemplate('libvirt-network.xml.hbs', null);
  const text = template.render({ network, fleet, namespace: cloudseedXmlNamespace });
  checkRenderedXml(text, template.file);
  return text;
}

type XmlElement = Record<string, unknown>;

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', parseTagValue: false, parseAttributeValue: false });

function element(value: unknown): XmlElement | null {
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'object' && first !== null ? (first as XmlElement) : null;
}

function attribute(node: XmlElement | null, name: string): string | null {
  const value = node?.[`@${name}`];
  return typeof value === 'string' ? value : null;
}

/** The parsed `<network>` element of net-dumpxml's output. */
export function parseNetworkXml(xml: string): XmlElement {
  return element((parser.parse(xml) as XmlElement).network) ?? {};
}

/**
 * The fleet named by cloudseed's metadata element, or null when it has none. Found by namespace, not by
 * prefix: the prefix is only the writer's choice.
 */
export function networkMarkFleet(network: XmlElement): string | null {
  const metadata = element(network.metadata);
  for (const [name, value] of Object.entries(metadata ?? {})) {
    const child = element(value);
    const localName = name.split(':').pop();
    const declared = Object.entries(child ?? {}).some(([key, uri]) => key.startsWith('@xmlns') && uri === cloudseedXmlNamespace);
    if (localName === 'network' && declared) return attribute(child, 'fleet');
  }
  return null;
}

/** libvirt writes `prefix` as given, or `netmask` when the network was written with one. */
function prefixOf(ip: XmlElement): number | null {
  const prefix = attribute(ip, 'prefix');
  if (prefix !== null) return Number(prefix);
  const netmask = parseIpv4(attribute(ip, 'netmask') ?? '');
  if (netmask === null) return null;
  const prefixLength = Array.from({ length: 33 }, (_, length) => length).find((length) => maskOf(length) === netmask);
  return prefixLength ?? null;
}

/** How a defined network differs from the plan, in words; empty when it does not. */
export function networkDifferences(plan: LibvirtNetworkPlan, network: XmlElement): string[] {
  const differences: string[] = [];
  const forward = attribute(element(network.forward), 'mode') ?? (network.forward === undefined ? 'none' : 'nat');
  if (forward !== plan.forward) differences.push(`forward ${forward}, the spec says ${plan.forward}`);
  const ip = element(network.ip);
  const address = ip === null ? null : `${attribute(ip, 'address')}/${prefixOf(ip)}`;
  const planned = plan.address === null ? null : `${plan.address.address}/${plan.address.prefix}`;
  if (address !== planned) differences.push(`address ${address ?? 'none'}, the spec says ${planned ?? 'none'}`);
  const range = element(element(ip?.dhcp)?.range);
  const dhcp = range === null ? null : `${attribute(range, 'start')}-${attribute(range, 'end')}`;
  const plannedDhcp = plan.dhcp === null ? null : `${plan.dhcp.start}-${plan.dhcp.end}`;
  if (dhcp !== plannedDhcp) differences.push(`dhcp ${dhcp ?? 'none'}, the spec says ${plannedDhcp ?? 'none'}`);
  return differences;
}
