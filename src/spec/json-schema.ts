// The spec's JSON Schema, for editors (yaml-language-server) and other tools: generated from the zod
// schema, so schema.ts stays the one source of truth. zod's own converter drops refinements (a
// superRefine is code, not a shape); the patterns below put each format's rule back where a regular
// expression can say it, and a description where it cannot.
import { z } from 'zod';
import * as formats from './formats.js';
import * as schemas from './schema.js';
import { fleetSpecSchema, groupSchema } from './schema.js';

type JsonSchema = Record<string, unknown>;

/** The file the package ships, relative to its root (node_modules/cloudseed/schema/cloudseed.schema.json). */
export const specSchemaFile = 'schema/cloudseed.schema.json';

const octet = '(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])';
const ipv4 = `${octet}(\\.${octet}){3}`;
const cidr = `${ipv4}/([0-9]|[12][0-9]|3[0-2])`;
const hostLabel = '[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
const hostname = `(?=.{1,253}$)${hostLabel}(\\.${hostLabel})*`;
const noControl = '[^\\u0000-\\u001f\\u007f]';
const noControlButTab = '[^\\u0000-\\u0008\\u000a-\\u001f\\u007f]';
/** A lookahead: no control character anywhere after this point (DEL is no whitespace, so \\S lets it by). */
const noControlAhead = '(?![\\s\\S]*[\\u0000-\\u001f\\u007f])';
const userName = '[a-zA-Z_][a-zA-Z0-9_.-]{0,31}\\$?';
const vmName = '(?!.*\\.\\.)(?![Mm][Aa][Nn][Ii][Ff][Ee][Ss][Tt]\\.[Jj][Ss][Oo][Nn]$)[A-Za-z0-9][A-Za-z0-9_.-]{0,63}';
const cryptHash = [
  '\\$1\\$[./0-9A-Za-z]{0,8}\\$[./0-9A-Za-z]{22}',
  '\\$5\\$(rounds=[1-9][0-9]{0,8}\\$)?[./0-9A-Za-z]{0,16}\\$[./0-9A-Za-z]{43}',
  '\\$6\\$(rounds=[1-9][0-9]{0,8}\\$)?[./0-9A-Za-z]{0,16}\\$[./0-9A-Za-z]{86}',
  '\\$2[aby]\\$(0[4-9]|[12][0-9]|3[01])\\$[./0-9A-Za-z]{53}',
  '\\$g?y\\$[./0-9A-Za-z]+\\$[./0-9A-Za-z]{1,86}\\$[./0-9A-Za-z]{43}',
  '\\$7\\$[./0-9A-Za-z]{12,}\\$[./0-9A-Za-z]{43}',
].join('|');
/** A file path: not ending in /, /. or /.. (or being . or ..), one line. */
const filePath = `(?!(.*/)?\\.{0,2}$)${noControl}+`;
const kubernetesName = '[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?';

const whole = (pattern: string): JsonSchema => ({ pattern: `^(${pattern})$` });

/**
 * What each format's refinement checks, in JSON Schema. A check no pattern can state (a range's first
 * address before its last, a pattern's names within 64 characters) is left to `cloudseed validate`.
 */
const refinements = new Map<z.ZodType, JsonSchema>([
  [formats.vmNameText, { ...whole(vmName), description: 'A VM name: letters, digits, _ . -, starting with a letter or digit, no "..", at most 64.' }],
  [formats.vmEntryNameText, {
    pattern: `^(${vmName}|[A-Za-z0-9_.-]*\\{[0-9]+\\.\\.[0-9]+\\}[A-Za-z0-9_.-]*)$`,
    description: 'A VM name, or a pattern with one range such as web-{01..20} that makes one VM per number.',
  }],
  [formats.hostnameText, whole(hostname)],
  [formats.domainNameText, whole(hostname)],
  [formats.ipv4Text, whole(ipv4)],
  [formats.ipv4CidrText, whole(cidr)],
  [formats.routeTargetText, whole(`default|${cidr}`)],
  [formats.nicAddressText, { ...whole(`dhcp|${cidr}|${ipv4}`), description: '"dhcp", an address in CIDR form such as 192.168.1.10/24, or (with a pool) a bare address in the pool.' }],
  [formats.ipRangeText, { ...whole(`${ipv4} *- *${ipv4}`), description: 'first-last, e.g. 10.0.0.10-10.0.0.200; the first address may not be above the last.' }],
  [formats.macText, { pattern: '^\\s*[0-9A-Fa-f][02468aceACE]([:-][0-9A-Fa-f]{2}){5}\\s*$', not: { pattern: '^\\s*00([:-]00){5}\\s*$' }, description: 'A unicast MAC address such as 52:54:00:12:34:56.' }],
  [formats.deviceNameText, whole('[A-Za-z0-9_.:-]{1,15}')],
  [formats.userNameText, whole(userName)],
  [formats.groupNameText, whole(userName)],
  [formats.cryptHashText, { ...whole(cryptHash), description: 'A complete crypt(3) hash: $6$ (mkpasswd -m sha-512), $5$, $y$, $2b$ or $1$.' }],
  [formats.guestPathText, whole(`(?!.*/$)(?!(.*/)?\\.{1,2}(/|$))/${noControl}*`)],
  [formats.instanceIdText, whole('[^\\s\\u0000]+')],
  [formats.sudoRuleText, whole(`${noControlButTab}+`)],
  [formats.hostFilePathText, whole(`(?=/)${filePath}`)],
  [formats.shellPathText, whole(`(?=/)${filePath}`)],
  [formats.specFilePathText, whole(filePath)],
  [formats.specFolderPathText, whole(`${noControl}+`)],
  [formats.kernelCommandLineText, whole(`${noControlButTab}*`)],
  [formats.architectureText, { enum: [...formats.libvirtArchitectures] }],
  [formats.machineTypeText, whole('[A-Za-z0-9_.-]+')],
  [formats.nicModelText, whole('[A-Za-z0-9_-]+')],
  [formats.hostInterfaceNameText, { ...whole('(?!\\.{1,2}$)[A-Za-z0-9_.-]{1,15}') }],
  [formats.libvirtNetworkNameText, whole('[A-Za-z0-9_.:-]+')],
  [formats.passwordText, { ...whole('[^\\r\\n\\u0000]+'), description: 'A password in the clear; cloudseed hashes it. Not empty, one line.' }],
  [formats.libvirtUriText, whole(noControlAhead + '[a-z][a-z0-9]*(\\+[a-z0-9]+)?://[^\\s/]*/\\S*')],
  [formats.interfaceAddressText, whole(cidr)],
  [formats.kubernetesNameText, whole(kubernetesName)],
  [formats.httpUrlText, whole(noControlAhead + 'https?://[^\\s/]+(/\\S*)?')],
  [formats.registryImageText, whole(noControlAhead + '(docker|oci-archive)://\\S+')],
  [formats.pvcReferenceText, whole(`(${kubernetesName}/)?${kubernetesName}`)],
  [groupSchema.options[1], { propertyNames: whole(userName) }],
]);

/** A size is a number of bytes or a string with qemu-img's K, M, G, T suffixes (powers of 1024). */
const diskSize: JsonSchema = {
  anyOf: [{ type: 'integer', minimum: 1 }, { type: 'string', pattern: '^\\s*[0-9]+\\s*([KMGTkmgt](i?[Bb])?|[Bb])?\\s*$' }],
  description: 'A disk size: bytes, or a whole number with K, M, G or T (powers of 1024) such as 20G.',
};

/**
 * Every exported schema of schema.ts (`userSchema` → `user`) and formats.ts (`ipv4Text` → `ipv4Text`),
 * named after its export: definitions keep their names as fields come and go, and what schema.ts
 * gains appears here without a change to this file.
 */
function namedDefinitions(): z.core.$ZodRegistry<{ id: string }> {
  const registry = z.registry<{ id: string }>();
  const named = [
    ...Object.entries(schemas).map(([name, value]) => [name.replace(/Schema$/, ''), value] as const),
    ...Object.entries(formats),
  ];
  for (const [id, value] of named) {
    if (value instanceof z.ZodType && value !== fleetSpecSchema && !registry.has(value)) registry.add(value, { id });
  }
  return registry;
}

/** The spec's JSON Schema (draft-07, which every YAML and JSON editor reads). */
export function specJsonSchema(): JsonSchema {
  const generated = z.toJSONSchema(fleetSpecSchema, {
    target: 'draft-7',
    io: 'input',
    metadata: namedDefinitions(),
    reused: 'inline',
    unrepresentable: 'any',
    override: ({ zodSchema, jsonSchema }) => {
      const schema = zodSchema as unknown as z.ZodType;
      if (schema === formats.diskSizeText) {
        for (const key of Object.keys(jsonSchema)) delete (jsonSchema as JsonSchema)[key];
        Object.assign(jsonSchema, diskSize);
      }
      const extra = refinements.get(schema);
      if (extra !== undefined) Object.assign(jsonSchema, extra);
    },
  }) as JsonSchema;
  return {
    $schema: generated.$schema,
    title: 'cloudseed spec',
    description: 'A fleet of KVM guests for cloudseed build: cloud-init NoCloud seeds and libvirt domains.',
    ...generated,
  };
}

/** The schema as the shipped file holds it: two-space JSON with a final newline. */
export function specJsonSchemaText(): string {
  return `${JSON.stringify(specJsonSchema(), null, 2)}\n`;
}
