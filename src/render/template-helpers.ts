// The Handlebars helpers that put values into documents. Nothing is pasted raw: every value goes
// through the quoting of its target language, so a password with `: # ' " \` reaches the guest unchanged.
import Handlebars from 'handlebars';
import { Document, isScalar, visit } from 'yaml';
import type { CloudInitTarget, NicPlan } from '../plan/types.js';

/**
 * cloud-init reads YAML with PyYAML, i.e. YAML 1.1, where `yes`, `on`, `0644` and `1_000` are not
 * strings. Serialising as 1.1 makes the yaml library quote exactly those.
 */
const yamlOptions = { version: '1.1', lineWidth: 0, indent: 2, flowCollectionPadding: false } as const;

/**
 * A value as the YAML for the right-hand side of a `key: ` whose key starts at column `indent`.
 * The value is serialised as the value of a key at column 0 and then shifted, so block scalars keep
 * their indentation indicators relative to the key, which is what YAML measures them against.
 */
export function yamlValue(value: unknown, indent: number): string {
  const document = new Document({ v: value }, yamlOptions);
  // Short lists of scalars read best on one line: `- centos: [root]`, `- [systemctl, restart, sshd]`.
  visit(document, {
    Scalar(_key, node) {
      // PyYAML resolves a bare `=` (the YAML 1.1 value key) and `<<` (merge) to tags it cannot build.
      if (node.value === '=' || node.value === '<<') node.type = 'QUOTE_DOUBLE';
    },
    Seq(_key, node) {
      if (node.items.every((item) => isScalar(item) && !String(item.value).includes('\n'))) node.flow = true;
    },
  });
  const text = document.toString(yamlOptions).replace(/^v:/, '').replace(/\n$/, '');
  const shifted = text.replace(/\n(?=.)/g, `\n${' '.repeat(indent)}`);
  return shifted.startsWith(' ') ? shifted.slice(1) : shifted;
}

/** A value for XML text or a single- or double-quoted attribute. */
export function xmlValue(value: unknown): string {
  return String(value)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** A value for a shell-sourced KEY=value file (ifcfg): bare when safe, else single-quoted. */
export function shellValue(value: unknown): string {
  const text = String(value);
  if (/^[A-Za-z0-9_./:@%+,=-]+$/.test(text)) return text;
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

interface HelperOptions {
  hash: Record<string, unknown>;
}

export function registerHelpers(handlebars: typeof Handlebars): void {
  handlebars.registerHelper('yaml', (value: unknown, options: HelperOptions) =>
    yamlValue(value, Number(options.hash.indent ?? 0)),
  );
  handlebars.registerHelper('xml', (value: unknown) => xmlValue(value));
  handlebars.registerHelper('shell', (value: unknown) => shellValue(value));
  handlebars.registerHelper('eq', (left: unknown, right: unknown) => left === right);
  handlebars.registerHelper('inc', (value: unknown) => Number(value) + 1);
  handlebars.registerHelper('or', (...args: unknown[]) => args.slice(0, -1).some(Boolean));
  handlebars.registerHelper('join', (values: unknown, separator: unknown) => (values as unknown[]).join(String(separator)));
  handlebars.registerHelper('cidr', (addressing: { address: string; prefix: number }) => `${addressing.address}/${addressing.prefix}`);
  handlebars.registerHelper('v2routes', (nic: NicPlan, target: CloudInitTarget) => networkV2Routes(nic, target));
}

/**
 * The routes of a v2 ethernet. Current cloud-init wants the default route as a route (`gateway4` is
 * deprecated); cloud-init 18.x of el7 images reads `gateway4`, which the template writes instead.
 */
export function networkV2Routes(nic: NicPlan, target: CloudInitTarget): { to: string; via: string; metric: number | null }[] {
  const routes = nic.routes.map((route) => ({ to: `${route.network}/${route.prefix}`, via: route.via, metric: route.metric }));
  if (nic.gateway !== null && target !== 'el7') routes.unshift({ to: '0.0.0.0/0', via: nic.gateway, metric: null });
  return routes;
}
