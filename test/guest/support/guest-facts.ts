// What the guest's report says, as plain data the tests compare with what the spec asked for:
// cloud-init's outcome and datasource search, accounts, sshd's effective settings, files and network.
import { commandOutput, fileNames, fileText, type GuestReport } from './guest-report.js';

export interface CloudInitFacts {
  /** First line of `cloud-init status --long`: done, error, running, disabled. */
  status: string;
  statusText: string;
  datasource: string;
  errors: string[];
  /** WARNING lines of /var/log/cloud-init.log. */
  warnings: string[];
  instanceId: string | null;
  failedUnits: string[];
}

/** WARNING lines, each with the lines that continue it (schema warnings list their keys below). */
function warningsOf(log: string): string[] {
  const warnings: string[] = [];
  let current: string[] | null = null;
  for (const line of log.split('\n')) {
    if (/^\d{4}-\d\d-\d\d /.test(line)) {
      if (current) warnings.push(current.join('\n'));
      current = /\[WARNING\]/.test(line) ? [line] : null;
    } else if (current && line.trim()) {
      current.push(line);
    }
  }
  if (current) warnings.push(current.join('\n'));
  return warnings;
}

export function cloudInitFacts(report: GuestReport): CloudInitFacts {
  const statusText = commandOutput(report, 'cloudInitStatus');
  const result = JSON.parse(fileText(report, '/run/cloud-init/result.json') ?? '{"v1":{}}') as { v1: { datasource?: string; errors?: string[] } };
  const instanceData = JSON.parse(fileText(report, '/run/cloud-init/instance-data.json') ?? '{"v1":{}}') as { v1: { instance_id?: string } };
  const log = fileText(report, '/var/log/cloud-init.log') ?? '';
  return {
    status: /^status: (\S+)/m.exec(statusText)?.[1] ?? 'unknown',
    statusText,
    datasource: result.v1.datasource ?? '',
    errors: result.v1.errors ?? [],
    warnings: warningsOf(log),
    instanceId: instanceData.v1.instance_id ?? null,
    failedUnits: commandOutput(report, 'failedUnits').split('\n').filter(Boolean),
  };
}

export interface TimedEvent {
  name: string;
  seconds: number;
}

export interface DatasourceSearch {
  /** "Searching for network data source in: [...]": cloud-init went looking for a metadata service. */
  networkSearches: string[];
  /** Requests cloud-init made over HTTP (metadata services). */
  urlRequests: string[];
  /** Where NoCloud found its data, from result.json's datasource: dmi (the SMBIOS serial), /dev/vdb... */
  seeds: string[];
  /** cloud-init's start/finish events, longest first: what `cloud-init analyze blame` shows. */
  blame: TimedEvent[];
}

const eventPattern = /^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d),(\d{3}) - handlers\.py\[DEBUG\]: (start|finish): ([^:]+):/;

function blameOf(log: string): TimedEvent[] {
  const started = new Map<string, number>();
  const events: TimedEvent[] = [];
  for (const line of log.split('\n')) {
    const match = eventPattern.exec(line);
    if (!match) continue;
    const at = Date.parse(`${match[1]!.replace(' ', 'T')}Z`) + Number(match[2]);
    const name = match[4]!;
    if (match[3] === 'start') started.set(name, at);
    else if (started.has(name)) events.push({ name, seconds: (at - started.get(name)!) / 1000 });
  }
  return events.sort((a, b) => b.seconds - a.seconds);
}

export function datasourceSearch(report: GuestReport): DatasourceSearch {
  const log = fileText(report, '/var/log/cloud-init.log') ?? '';
  const lines = log.split('\n');
  return {
    networkSearches: lines.filter((line) => /Searching for network data source/.test(line)),
    urlRequests: lines.filter((line) => /url_helper\.py|Calling 'https?:/.test(line)),
    seeds: (/\[seed=([^\]]+)\]/.exec(cloudInitFacts(report).datasource)?.[1] ?? '').split(',').filter(Boolean),
    blame: blameOf(log),
  };
}

export interface AccountFacts {
  users: Map<string, { uid: number; gecos: string; home: string; shell: string }>;
  /** Group name to its members (supplementary, as /etc/group lists them). */
  groups: Map<string, string[]>;
  /** User name to the password field of /etc/shadow. */
  shadow: Map<string, string>;
}

export function accountFacts(report: GuestReport): AccountFacts {
  const fields = (text: string) => text.split('\n').filter(Boolean).map((line) => line.split(':'));
  const users = new Map(fields(commandOutput(report, 'getentPasswd')).map(([name, , uid, , gecos, home, shell]) =>
    [name!, { uid: Number(uid), gecos: gecos ?? '', home: home ?? '', shell: shell ?? '' }]));
  const groups = new Map(fields(commandOutput(report, 'getentGroup')).map(([name, , , members]) =>
    [name!, members ? members.split(',').filter(Boolean) : []]));
  const shadow = new Map(fields(fileText(report, '/etc/shadow') ?? '').map(([name, hash]) => [name!, hash ?? '']));
  return { users, groups, shadow };
}

/** `sshd -T`: the settings sshd really runs with, keys in lower case. */
export function sshdSettings(report: GuestReport): Map<string, string> {
  return new Map(commandOutput(report, 'sshdT').split('\n').filter(Boolean).map((line) => {
    const [key, ...value] = line.split(' ');
    return [key!.toLowerCase(), value.join(' ')];
  }));
}

export interface FileFacts {
  content: string;
  mode: string;
  owner: string;
}

export function fileFacts(report: GuestReport, path: string): FileFacts | null {
  const file = report.files[path];
  const content = fileText(report, path);
  if (!file?.exists || content === null) return null;
  return { content, mode: file.mode ?? '', owner: `${file.owner}:${file.group}` };
}

export interface LinkFacts {
  mac: string;
  mtu: number;
  /** IPv4 addresses in CIDR form. */
  addresses: string[];
  dnsServers: string[];
  dnsSearch: string[];
}

interface IpAddress {
  ifname: string;
  address: string;
  mtu: number;
  addr_info: { family: string; local: string; prefixlen: number }[];
}

/** systemd-resolved's per-link lines: `Link 2 (eth0): 192.0.2.53 198.51.100.53`. */
function resolvedValues(text: string, device: string): string[] {
  const line = text.split('\n').find((candidate) => candidate.includes(`(${device}):`));
  return line ? line.split(':').slice(1).join(':').trim().split(/\s+/).filter(Boolean) : [];
}

export function linkFacts(report: GuestReport, device: string): LinkFacts | null {
  const links = JSON.parse(commandOutput(report, 'ipAddr')) as IpAddress[];
  const link = links.find((candidate) => candidate.ifname === device);
  if (!link) return null;
  return {
    mac: link.address,
    mtu: link.mtu,
    addresses: link.addr_info.filter((info) => info.family === 'inet').map((info) => `${info.local}/${info.prefixlen}`),
    dnsServers: resolvedValues(commandOutput(report, 'resolvectlDns'), device),
    dnsSearch: resolvedValues(commandOutput(report, 'resolvectlDomain'), device),
  };
}

/**
 * The DNS settings of a device's stanza in the ENI file cloud-init renders (`dns-nameservers`,
 * `dns-search`). ifupdown hands them to resolvconf, so they reach the resolver only where that is installed.
 */
export function eniDnsFacts(report: GuestReport, device: string): { servers: string[]; search: string[] } {
  const text = fileText(report, '/etc/network/interfaces.d/50-cloud-init') ?? '';
  const stanza = new RegExp(`^iface ${device} [^\\n]*\\n((?:[ \\t]+[^\\n]*\\n?)*)`, 'm').exec(text)?.[1] ?? '';
  const values = (key: string) => new RegExp(`^\\s*${key}\\s+(.*)$`, 'm').exec(stanza)?.[1]?.trim().split(/\s+/) ?? [];
  return { servers: values('dns-nameservers'), search: values('dns-search') };
}

export interface RouteFacts {
  dst: string;
  gateway: string | null;
  dev: string;
  metric: number | null;
}

export function routeFacts(report: GuestReport): RouteFacts[] {
  const routes = JSON.parse(commandOutput(report, 'ipRoute')) as { dst: string; gateway?: string; dev: string; metric?: number }[];
  return routes.map((route) => ({ dst: route.dst, gateway: route.gateway ?? null, dev: route.dev, metric: route.metric ?? null }));
}

/** Network configuration files cloud-init renders (netplan, ENI, networkd, sysconfig), where present. */
export function cloudInitNetworkFiles(report: GuestReport): string[] {
  const written = [
    ...fileNames(report, '/etc/netplan').map((name) => `/etc/netplan/${name}`),
    ...fileNames(report, '/etc/network/interfaces.d').map((name) => `/etc/network/interfaces.d/${name}`),
    ...fileNames(report, '/etc/systemd/network').map((name) => `/etc/systemd/network/${name}`),
  ];
  const sysconfig = fileNames(report, '/etc/sysconfig/network-scripts').map((name) => `/etc/sysconfig/network-scripts/${name}`)
    .filter((path) => /Created by cloud-init/.test(fileText(report, path) ?? ''));
  return [...written, ...sysconfig];
}
