// Validates Kubernetes manifests against the OpenAPI schemas that their upstream projects publish,
// vendored under test/fixtures/kube-schemas/ (see SOURCE.md there for the tags, commits and licences),
// with ajv, the way a structural schema is enforced by the API server: every object schema that lists
// its properties rejects any other property (the API server prunes unknown fields, or rejects them
// under strict field validation, which kubectl uses by default; we always reject). Maps (labels,
// annotations, `additionalProperties: {...}` in the schema) stay maps.
//
// On top of the schema check, a few rules the API server or an admission webhook enforces in code
// and no schema expresses: Kubernetes' name and label syntax, the Secret size limit, that a
// NetworkAttachmentDefinition's `spec.config` is a CNI config, and a small subset of KubeVirt's
// admission webhook. Every problem says which of these it came from (`rule`), so a caller can tell a
// schema violation from a rule violation.
//
//   const problems = kubeSchemaProblems(parse(yamlText));   // [] when the manifest is valid
//
// The schemas are compiled once per kind, on first use, and reused: validating a thousand
// VirtualMachines costs a thousand runs of the compiled validator, not a thousand compilations.
import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject, type SchemaObject, type ValidateFunction } from 'ajv';
import { parse as parseYaml } from 'yaml';

export type ProblemRule = 'openapi' | 'metadata' | 'secret' | 'nad-config' | 'kubevirt-admission';

export interface SchemaProblem {
  /** Where in the manifest, as `spec.template.spec.domain.devices.interfaces[0].macAddress`;
   * keys that are not plain identifiers are quoted: `metadata.labels["kubevirt.io/vm"]`. */
  path: string;
  message: string;
  /** `openapi`: the vendored schema; the others: the extra rules described at the top of this file. */
  rule: ProblemRule;
}

/** `apiVersion/kind` of every kind kubeSchemaProblems knows. */
export const validatedKinds: readonly string[] = [
  'kubevirt.io/v1/VirtualMachine',
  'cdi.kubevirt.io/v1beta1/DataVolume',
  'k8s.cni.cncf.io/v1/NetworkAttachmentDefinition',
  'v1/Secret',
  'v1/Namespace',
];

/** Kubernetes' limit on a Secret's data (k8s.io/kubernetes pkg/apis/core/types.go, MaxSecretSize). */
export const maxSecretBytes = 1024 * 1024;
/** KubeVirt's limit on inline cloud-init user data and on inline network data, each, in bytes:
 * cloudInitUserMaxLen and cloudInitNetworkMaxLen in kubevirt/kubevirt
 * pkg/virt-api/webhooks/validating-webhook/admitters/vmi-create-admitter.go (v1.9.0). */
export const kubevirtInlineCloudInitMaxBytes = 2048;

/** Kubernetes' quantity syntax, as the API server enforces it for a resource.Quantity in a custom
 * resource's schema (and as resource.ParseQuantity accepts it): a decimal number and an optional
 * binary suffix (Ki … Ei), decimal suffix (n u m k M G T P E) or decimal exponent (e3, E-2). */
export const quantityPattern =
  '^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$';

/** Which upstream release each vendored schema file comes from, read from the files' own headers. */
export function vendoredSchemaVersions(): Record<string, { repository: string; tag: string; commit: string; path: string }> {
  const versions: Record<string, { repository: string; tag: string; commit: string; path: string }> = {};
  for (const [name, file] of Object.entries(swaggerFiles)) {
    const header = loadSwagger(file)['x-vendored-from'];
    versions[name] = { repository: header.repository, tag: header.tag, commit: header.commit, path: header.path };
  }
  return versions;
}

/** `apiVersion/kind` of a manifest, or undefined when it has no string apiVersion and kind. */
export function manifestKind(manifest: unknown): string | undefined {
  const object = asObject(manifest);
  const apiVersion = object?.apiVersion;
  const kind = object?.kind;
  return typeof apiVersion === 'string' && typeof kind === 'string' ? `${apiVersion}/${kind}` : undefined;
}

/** Whether kubeSchemaProblems validates this manifest's kind (a Kustomization, say, it does not). */
export function hasKubeSchema(manifest: unknown): boolean {
  const kind = manifestKind(manifest);
  return kind !== undefined && validatedKinds.includes(kind);
}

/** Validates one manifest (a parsed YAML document) by its apiVersion and kind; throws on a kind it has
 * no schema for. Returns the problems found, none when the manifest is valid. */
export function kubeSchemaProblems(manifest: unknown): SchemaProblem[] {
  const kind = manifestKind(manifest);
  const check = kind === undefined ? undefined : KIND_CHECKS[kind];
  if (check === undefined) {
    throw new Error(
      `kube-schema: no schema for ${kind === undefined ? 'a manifest without a string apiVersion and kind' : kind}; validated kinds: ${validatedKinds.join(', ')}`,
    );
  }
  const problems = new Problems(manifest);
  problems.addSchemaErrors(validator(check.root), manifest, []);
  check.rules(manifest as Record<string, unknown>, problems);
  return problems.list();
}

/** Problems of many manifests as readable lines, `Kind name: path: message`, for a test's failure message. */
export function formatKubeSchemaProblems(manifests: readonly unknown[]): string[] {
  const lines: string[] = [];
  for (const manifest of manifests) {
    if (!hasKubeSchema(manifest)) continue;
    const object = manifest as Record<string, unknown>;
    const name = asString(asObject(object.metadata)?.name) ?? '(unnamed)';
    for (const problem of kubeSchemaProblems(manifest)) {
      lines.push(`${String(object.kind)} ${name}: ${problem.path}: ${problem.message} [${problem.rule}]`);
    }
  }
  return lines;
}

// ---------------------------------------------------------------------------------------------------
// Loading the vendored schemas and making them ajv schemas

const fixturesFolder = new URL('../fixtures/kube-schemas/', import.meta.url);
const swaggerFiles = {
  kubevirt: 'kubevirt.swagger.json',
  cdi: 'cdi.swagger.json',
  kubernetes: 'kubernetes-core-v1.swagger.json',
} as const;
type SwaggerSource = keyof typeof swaggerFiles;
const nadCrdFile = 'nad-networks-crd.yaml';

const schemaBase = 'https://cloudseed.invalid/kube-schemas/';
const documentId = (source: SwaggerSource | 'nad'): string => `${schemaBase}${source}.json`;
const definitionRef = (source: SwaggerSource | 'nad', name: string): string => `${documentId(source)}#/definitions/${name}`;

interface VendoredSwagger {
  'x-vendored-from': { repository: string; tag: string; commit: string; path: string; sha256: string; roots: string[] };
  definitions: Record<string, Record<string, unknown>>;
}

const swaggerCache = new Map<string, VendoredSwagger>();
function loadSwagger(file: string): VendoredSwagger {
  let document = swaggerCache.get(file);
  if (document === undefined) {
    document = JSON.parse(readFileSync(new URL(file, fixturesFolder), 'utf8')) as VendoredSwagger;
    swaggerCache.set(file, document);
  }
  return document;
}

// Types whose swagger description does not say what JSON they take; replaced by what the API server
// accepts. A Quantity is a string (`1Gi`) or, in YAML/JSON, a plain number (`cpu: 2`).
const QUANTITY: SchemaObject = { type: ['string', 'number'], pattern: quantityPattern };
const INT_OR_STRING: SchemaObject = { type: ['integer', 'string'] };
const TIME: SchemaObject = { type: ['string', 'null'], format: 'date-time' };
const DURATION: SchemaObject = { type: 'string' };
const ANYTHING: SchemaObject = {};

function apimachineryTypes(prefix: string): Record<string, SchemaObject> {
  return {
    [`${prefix}api.resource.Quantity`]: QUANTITY,
    [`${prefix}util.intstr.IntOrString`]: INT_OR_STRING,
    [`${prefix}apis.meta.v1.Time`]: TIME,
    [`${prefix}apis.meta.v1.MicroTime`]: TIME,
    [`${prefix}apis.meta.v1.Duration`]: DURATION,
    [`${prefix}apis.meta.v1.FieldsV1`]: ANYTHING,
    [`${prefix}apis.meta.v1.Patch`]: ANYTHING,
    [`${prefix}runtime.RawExtension`]: ANYTHING,
  };
}
const SPECIAL_DEFINITIONS: Record<SwaggerSource, Record<string, SchemaObject>> = {
  kubevirt: apimachineryTypes('k8s.io.apimachinery.pkg.'),
  kubernetes: apimachineryTypes('io.k8s.apimachinery.pkg.'),
  // CDI's swagger names the apimachinery types by their last two segments only.
  cdi: {
    'resource.Quantity': QUANTITY,
    'intstr.IntOrString': INT_OR_STRING,
    'v1.Time': TIME,
    'v1.Duration': DURATION,
    'v1.FieldsV1': ANYTHING,
    'v1.Patch': ANYTHING,
    'runtime.RawExtension': ANYTHING,
  },
};

// Swagger keywords that only document or steer code generation: dropped.
const documentationKeywords = new Set(['description', 'default', 'example', 'title', 'readOnly', 'externalDocs', 'discriminator']);
// JSON Schema keywords with the same meaning in Swagger 2.0 / OpenAPI v3: kept as they are.
const plainKeywords = new Set([
  'type', 'required', 'enum', 'pattern', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf',
  'minLength', 'maxLength', 'minItems', 'maxItems', 'uniqueItems', 'minProperties', 'maxProperties',
]);
// Formats the vendored schemas use; each is given to ajv below. Any other format is dropped.
const knownFormats = new Set(['int32', 'int64', 'float', 'double', 'byte', 'date-time', 'int-or-string']);

/** One Swagger 2.0 / OpenAPI v3 schema node as an ajv (draft-07) schema, structural: an object schema
 * that lists properties, or an object schema with none and no additionalProperties (an empty Go
 * struct, like KubeVirt's `bridge: {}`), rejects properties it does not list, unless it says
 * `x-kubernetes-preserve-unknown-fields: true`. Throws on a keyword it does not know, so that a new
 * upstream keyword is noticed instead of silently ignored. */
function toAjvSchema(node: unknown, where: string, refBase: string): SchemaObject {
  const schema = asObject(node);
  if (schema === undefined) throw new Error(`kube-schema: ${where} is not a schema object`);
  const out: SchemaObject = {};
  let nullable = false;
  let preserveUnknownFields = false;
  let intOrString = false;
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'x-kubernetes-preserve-unknown-fields') preserveUnknownFields = value === true;
    else if (key === 'x-kubernetes-int-or-string') intOrString = value === true;
    else if (key.startsWith('x-') || documentationKeywords.has(key)) continue;
    else if (key === '$ref') {
      const match = typeof value === 'string' ? /^#\/definitions\/(.+)$/.exec(value) : null;
      if (match === null) throw new Error(`kube-schema: unsupported $ref ${JSON.stringify(value)} at ${where}`);
      out.$ref = `${refBase}#/definitions/${match[1]}`;
    } else if (key === 'properties') {
      const properties: Record<string, SchemaObject> = {};
      for (const [property, propertySchema] of Object.entries(asObject(value) ?? {})) {
        properties[property] = toAjvSchema(propertySchema, `${where}.properties.${property}`, refBase);
      }
      out.properties = properties;
    } else if (key === 'additionalProperties') {
      out.additionalProperties = typeof value === 'boolean' ? value : toAjvSchema(value, `${where}.additionalProperties`, refBase);
    } else if (key === 'items') {
      out.items = toAjvSchema(value, `${where}.items`, refBase);
    } else if (key === 'allOf' || key === 'anyOf' || key === 'oneOf') {
      out[key] = (value as unknown[]).map((item, index) => toAjvSchema(item, `${where}.${key}[${index}]`, refBase));
    } else if (key === 'not') {
      out.not = toAjvSchema(value, `${where}.not`, refBase);
    } else if (key === 'nullable') {
      nullable = value === true;
    } else if (key === 'format') {
      if (typeof value === 'string' && knownFormats.has(value)) out.format = value;
    } else if (plainKeywords.has(key)) {
      out[key] = value;
    } else {
      throw new Error(`kube-schema: unsupported keyword ${JSON.stringify(key)} at ${where}`);
    }
  }
  if (intOrString) out.type = ['integer', 'string'];
  if (nullable && out.type !== undefined) {
    const types = Array.isArray(out.type) ? (out.type as string[]) : [out.type as string];
    if (!types.includes('null')) out.type = [...types, 'null'];
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
  }
  const isObjectSchema = out.properties !== undefined || out.type === 'object';
  if (isObjectSchema && out.additionalProperties === undefined && out.$ref === undefined && !preserveUnknownFields) {
    out.additionalProperties = false;
  }
  return out;
}

function swaggerDocument(source: SwaggerSource): SchemaObject {
  const vendored = loadSwagger(swaggerFiles[source]);
  const special = SPECIAL_DEFINITIONS[source];
  const definitions: Record<string, SchemaObject> = {};
  for (const [name, definition] of Object.entries(vendored.definitions)) {
    definitions[name] = special[name] ?? toAjvSchema(definition, `${swaggerFiles[source]} ${name}`, documentId(source));
  }
  return { $id: documentId(source), definitions };
}

/** The NetworkAttachmentDefinition CRD's v1 openAPIV3Schema. A CRD's schema leaves out apiVersion, kind
 * and metadata, which the API server checks itself (metadata as ObjectMeta); they are added here. */
function nadDocument(): SchemaObject {
  const crd = asObject(parseYaml(readFileSync(new URL(nadCrdFile, fixturesFolder), 'utf8')));
  const versions = asArray(asObject(crd?.spec)?.versions);
  const v1 = versions.map(asObject).find((version) => version?.name === 'v1');
  const openApi = asObject(asObject(v1?.schema)?.openAPIV3Schema);
  if (openApi === undefined) throw new Error(`kube-schema: ${nadCrdFile} has no v1 openAPIV3Schema`);
  const root = toAjvSchema(openApi, `${nadCrdFile} openAPIV3Schema`, documentId('nad'));
  root.properties = {
    ...(root.properties as Record<string, SchemaObject>),
    apiVersion: { type: 'string' },
    kind: { type: 'string' },
    metadata: { $ref: definitionRef('kubernetes', 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta') },
  };
  return { $id: documentId('nad'), definitions: { NetworkAttachmentDefinition: root } };
}

const int32Min = -(2 ** 31);
const int32Max = 2 ** 31 - 1;
const base64Text = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
// RFC 3339, as metav1.Time takes it.
const dateTime = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

let ajvInstance: Ajv | undefined;
function ajv(): Ajv {
  if (ajvInstance === undefined) {
    const instance = new Ajv({
      allErrors: true,
      verbose: true, // errors carry the offending value, for messages like `must be integer (got "two")`
      strictSchema: true, // an unknown keyword is a bug in toAjvSchema, not something to ignore
      strictNumbers: true,
      strictTypes: false,
      strictTuples: false,
      strictRequired: false,
      allowUnionTypes: true,
    });
    instance.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= int32Min && n <= int32Max });
    instance.addFormat('int64', { type: 'number', validate: (n: number) => Number.isInteger(n) });
    instance.addFormat('float', { type: 'number', validate: (n: number) => Number.isFinite(n) });
    instance.addFormat('double', { type: 'number', validate: (n: number) => Number.isFinite(n) });
    instance.addFormat('byte', { type: 'string', validate: (s: string) => base64Text.test(s) });
    instance.addFormat('date-time', { type: 'string', validate: (s: string) => dateTime.test(s) });
    instance.addFormat('int-or-string', { type: 'string', validate: () => true });
    for (const source of Object.keys(swaggerFiles) as SwaggerSource[]) instance.addSchema(swaggerDocument(source));
    instance.addSchema(nadDocument());
    ajvInstance = instance;
  }
  return ajvInstance;
}

const validators = new Map<string, ValidateFunction>();
function validator(ref: string): ValidateFunction {
  let validate = validators.get(ref);
  if (validate === undefined) {
    validate = ajv().compile({ $ref: ref });
    validators.set(ref, validate);
  }
  return validate;
}

// ---------------------------------------------------------------------------------------------------
// Problems and their paths

type Segment = string | number;

class Problems {
  private readonly found = new Map<string, SchemaProblem>();

  constructor(private readonly manifest: unknown) {}

  add(segments: readonly Segment[], message: string, rule: ProblemRule): void {
    const path = formatPath(this.manifest, segments);
    const key = `${path}\u0000${message}`;
    if (!this.found.has(key)) this.found.set(key, { path, message, rule });
  }

  /** Runs `validate` on `value`, which sits at `prefix` in the manifest, and records its errors. */
  addSchemaErrors(validate: ValidateFunction, value: unknown, prefix: readonly Segment[]): void {
    if (validate(value)) return;
    for (const error of validate.errors ?? []) {
      const segments: Segment[] = [...prefix, ...pointerSegments(error.instancePath)];
      const { extra, message } = describeError(error);
      if (extra !== undefined) segments.push(extra);
      this.add(segments, message, 'openapi');
    }
  }

  list(): SchemaProblem[] {
    return [...this.found.values()];
  }
}

function pointerSegments(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer.slice(1).split('/').map((segment) => segment.replaceAll('~1', '/').replaceAll('~0', '~'));
}

/** `spec.dataVolumeTemplates[0].spec`, `metadata.labels["kubevirt.io/vm"]`; `(root)` for the manifest itself. */
function formatPath(root: unknown, segments: readonly Segment[]): string {
  let path = '';
  let value: unknown = root;
  for (const segment of segments) {
    if (Array.isArray(value)) {
      path += `[${segment}]`;
      value = value[Number(segment)];
    } else {
      const key = String(segment);
      path += /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `${path === '' ? '' : '.'}${key}` : `[${JSON.stringify(key)}]`;
      value = asObject(value)?.[key];
    }
  }
  return path === '' ? '(root)' : path;
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function describeError(error: ErrorObject): { extra?: string; message: string } {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties':
      return { extra: String(params.additionalProperty), message: `unknown field "${String(params.additionalProperty)}" (not in the schema)` };
    case 'required':
      return { extra: String(params.missingProperty), message: `required field "${String(params.missingProperty)}" is missing` };
    case 'type':
      return { message: `must be ${String(params.type)} (got ${describeValue(error.data)})` };
    case 'enum':
      return { message: `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')} (got ${describeValue(error.data)})` };
    case 'pattern':
      if (params.pattern === quantityPattern) {
        return { message: `${describeValue(error.data)} is not a Kubernetes quantity (like 2, 500m, 1.5, 1Gi, 512Mi)` };
      }
      return { message: `${describeValue(error.data)} must match ${String(params.pattern)}` };
    case 'format':
      if (params.format === 'byte') return { message: `must be base64 (format "byte"; got ${describeValue(error.data)})` };
      return { message: `must match format "${String(params.format)}" (got ${describeValue(error.data)})` };
    default:
      return { message: error.message ?? error.keyword };
  }
}

// ---------------------------------------------------------------------------------------------------
// The kinds, and the rules beyond the schemas

interface KindCheck {
  root: string;
  rules: (manifest: Record<string, unknown>, problems: Problems) => void;
}

const KIND_CHECKS: Record<string, KindCheck> = {
  'kubevirt.io/v1/VirtualMachine': {
    root: definitionRef('kubevirt', 'v1.VirtualMachine'),
    rules: virtualMachineRules,
  },
  'cdi.kubevirt.io/v1beta1/DataVolume': {
    root: definitionRef('cdi', 'v1beta1.DataVolume'),
    rules: (manifest, problems) => objectMetaRules(manifest.metadata, ['metadata'], 'subdomain', problems),
  },
  'k8s.cni.cncf.io/v1/NetworkAttachmentDefinition': {
    root: definitionRef('nad', 'NetworkAttachmentDefinition'),
    rules: (manifest, problems) => {
      objectMetaRules(manifest.metadata, ['metadata'], 'subdomain', problems);
      nadConfigRules(manifest, problems);
    },
  },
  'v1/Secret': {
    root: definitionRef('kubernetes', 'io.k8s.api.core.v1.Secret'),
    rules: (manifest, problems) => {
      objectMetaRules(manifest.metadata, ['metadata'], 'subdomain', problems);
      secretRules(manifest, problems);
    },
  },
  'v1/Namespace': {
    root: definitionRef('kubernetes', 'io.k8s.api.core.v1.Namespace'),
    rules: (manifest, problems) => objectMetaRules(manifest.metadata, ['metadata'], 'label', problems),
  },
};

// Kubernetes' name syntaxes (k8s.io/apimachinery/pkg/util/validation).
const dns1123Label = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const dns1123Subdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const qualifiedNamePart = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const labelValue = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const configMapKey = /^[-._a-zA-Z0-9]+$/;
const maxAnnotationsBytes = 256 * 1024; // TotalAnnotationSizeLimitB in apimachinery's ObjectMeta validation

function dnsLabelProblem(value: string): string | undefined {
  if (value.length > 63) return `must be at most 63 characters (is ${value.length})`;
  if (!dns1123Label.test(value)) return 'must be an RFC 1123 label: lowercase letters, digits and "-", starting and ending with a letter or digit';
  return undefined;
}

function dnsSubdomainProblem(value: string): string | undefined {
  if (value.length > 253) return `must be at most 253 characters (is ${value.length})`;
  if (!dns1123Subdomain.test(value)) return 'must be an RFC 1123 subdomain: lowercase letters, digits, "-" and ".", each part starting and ending with a letter or digit';
  return undefined;
}

/** Label and annotation keys: `[prefix/]name`, the prefix a DNS subdomain, the name ≤ 63 characters. */
function qualifiedNameProblem(key: string): string | undefined {
  const parts = key.split('/');
  if (parts.length > 2) return 'must be a name with at most one "/" ([prefix/]name)';
  const name = parts[parts.length - 1] ?? '';
  if (parts.length === 2) {
    const prefix = parts[0] ?? '';
    if (prefix === '') return 'has an empty prefix before "/"';
    const prefixProblem = dnsSubdomainProblem(prefix);
    if (prefixProblem !== undefined) return `prefix ${JSON.stringify(prefix)} ${prefixProblem}`;
  }
  if (name === '') return 'has an empty name';
  if (name.length > 63) return `name part must be at most 63 characters (is ${name.length})`;
  if (!qualifiedNamePart.test(name)) return 'name part must be letters, digits, "-", "_" and ".", starting and ending with a letter or digit';
  return undefined;
}

type NameRule = 'label' | 'subdomain' | 'none';

/** Name, namespace, label and annotation syntax of one ObjectMeta (the schema only says they are strings). */
function objectMetaRules(metadata: unknown, at: readonly Segment[], nameRule: NameRule, problems: Problems): void {
  const meta = asObject(metadata);
  if (nameRule !== 'none') {
    const name = meta?.name;
    if (typeof name !== 'string' || name === '') {
      if (meta === undefined || meta.generateName === undefined) problems.add([...at, 'name'], 'a name is required', 'metadata');
    } else {
      const problem = nameRule === 'label' ? dnsLabelProblem(name) : dnsSubdomainProblem(name);
      if (problem !== undefined) problems.add([...at, 'name'], `${JSON.stringify(name)} ${problem}`, 'metadata');
    }
  }
  if (meta === undefined) return;
  if (typeof meta.namespace === 'string') {
    const problem = dnsLabelProblem(meta.namespace);
    if (problem !== undefined) problems.add([...at, 'namespace'], `${JSON.stringify(meta.namespace)} ${problem}`, 'metadata');
  }
  for (const [key, value] of Object.entries(asObject(meta.labels) ?? {})) {
    const keyProblem = qualifiedNameProblem(key);
    if (keyProblem !== undefined) problems.add([...at, 'labels', key], `label key ${JSON.stringify(key)} ${keyProblem}`, 'metadata');
    if (typeof value !== 'string') continue; // the schema reports it
    if (value.length > 63) problems.add([...at, 'labels', key], `label value must be at most 63 characters (is ${value.length})`, 'metadata');
    else if (!labelValue.test(value)) {
      problems.add([...at, 'labels', key], `label value ${JSON.stringify(value)} must be empty or letters, digits, "-", "_" and ".", starting and ending with a letter or digit`, 'metadata');
    }
  }
  let annotationBytes = 0;
  for (const [key, value] of Object.entries(asObject(meta.annotations) ?? {})) {
    const keyProblem = qualifiedNameProblem(key.toLowerCase());
    if (keyProblem !== undefined) problems.add([...at, 'annotations', key], `annotation key ${JSON.stringify(key)} ${keyProblem}`, 'metadata');
    annotationBytes += Buffer.byteLength(key) + (typeof value === 'string' ? Buffer.byteLength(value) : 0);
  }
  if (annotationBytes > maxAnnotationsBytes) {
    problems.add([...at, 'annotations'], `annotations total ${annotationBytes} bytes; Kubernetes allows at most ${maxAnnotationsBytes}`, 'metadata');
  }
}

/** Secret keys and the 1 MiB limit (k8s.io/kubernetes pkg/apis/core/validation ValidateSecret). The API
 * server merges stringData into data before checking, so the limit is on both together. */
function secretRules(manifest: Record<string, unknown>, problems: Problems): void {
  const data = asObject(manifest.data) ?? {};
  const stringData = asObject(manifest.stringData) ?? {};
  const sizes = new Map<string, number>();
  for (const [field, map] of [['data', data], ['stringData', stringData]] as const) {
    for (const [key, value] of Object.entries(map)) {
      let problem: string | undefined;
      if (key.length > 253) problem = `must be at most 253 characters (is ${key.length})`;
      else if (!configMapKey.test(key)) problem = 'must be letters, digits, "-", "_" and "."';
      else if (key === '.' || key === '..') problem = 'must not be "." or ".."';
      else if (key.startsWith('..')) problem = 'must not start with ".."';
      if (problem !== undefined) problems.add([field, key], `Secret key ${JSON.stringify(key)} ${problem}`, 'secret');
      if (typeof value !== 'string') continue;
      sizes.set(key, field === 'data' ? Buffer.from(value, 'base64').length : Buffer.byteLength(value, 'utf8'));
    }
  }
  let total = 0;
  for (const size of sizes.values()) total += size;
  if (total > maxSecretBytes) {
    const where = Object.keys(stringData).length > 0 && Object.keys(data).length === 0 ? 'stringData' : 'data';
    problems.add([where], `Secret holds ${total} bytes of data (data and stringData together); Kubernetes allows at most ${maxSecretBytes} (1 MiB)`, 'secret');
  }
}

/** Not in the CRD's schema (there `spec.config` is just a string): that it is a CNI config Multus can
 * use, JSON with a cniVersion and either a plugin `type` or a `plugins` list of them. */
function nadConfigRules(manifest: Record<string, unknown>, problems: Problems): void {
  const config = asObject(manifest.spec)?.config;
  if (config === undefined) {
    problems.add(['spec', 'config'], 'spec.config is missing: cloudseed always writes the CNI config inline', 'nad-config');
    return;
  }
  if (typeof config !== 'string') return; // the schema reports it
  let parsed: unknown;
  try {
    parsed = JSON.parse(config);
  } catch (error) {
    problems.add(['spec', 'config'], `is not JSON: ${(error as Error).message}`, 'nad-config');
    return;
  }
  const cni = asObject(parsed);
  if (cni === undefined) {
    problems.add(['spec', 'config'], 'must be a JSON object', 'nad-config');
    return;
  }
  if (typeof cni.cniVersion !== 'string' || cni.cniVersion === '') problems.add(['spec', 'config'], 'the CNI config has no "cniVersion" string', 'nad-config');
  if (cni.plugins !== undefined) {
    const plugins = asArray(cni.plugins);
    if (plugins.length === 0) problems.add(['spec', 'config'], 'the CNI config list has no plugins', 'nad-config');
    plugins.forEach((plugin, index) => {
      const type = asObject(plugin)?.type;
      if (typeof type !== 'string' || type === '') problems.add(['spec', 'config'], `plugins[${index}] has no "type" string`, 'nad-config');
    });
  } else if (typeof cni.type !== 'string' || cni.type === '') {
    problems.add(['spec', 'config'], 'the CNI config has no "type" string (nor a "plugins" list)', 'nad-config');
  }
}

const runStrategies = ['Always', 'Halted', 'Manual', 'RerunOnFailure', 'Once'];

function virtualMachineRules(manifest: Record<string, unknown>, problems: Problems): void {
  // KubeVirt copies the VM's name into the guest's hostname, cut at the first "." and to 63 characters
  // (kubevirt pkg/util/net/dns/sanitize.go); a name that is a DNS label is its hostname unchanged.
  objectMetaRules(manifest.metadata, ['metadata'], 'label', problems);
  const spec = asObject(manifest.spec);
  if (spec === undefined) return;

  // The schema gives every dataVolumeTemplates[].spec KubeVirt's copy of CDI's DataVolumeSpec; the
  // DataVolume that KubeVirt creates from it must also be valid for CDI itself.
  asArray(spec.dataVolumeTemplates).forEach((template, index) => {
    const templateObject = asObject(template);
    if (templateObject === undefined) return;
    const at: Segment[] = ['spec', 'dataVolumeTemplates', index];
    objectMetaRules(templateObject.metadata, [...at, 'metadata'], 'subdomain', problems);
    if (templateObject.spec !== undefined) {
      problems.addSchemaErrors(validator(definitionRef('cdi', 'v1beta1.DataVolumeSpec')), templateObject.spec, [...at, 'spec']);
    }
  });

  const template = asObject(spec.template);
  objectMetaRules(template?.metadata, ['spec', 'template', 'metadata'], 'none', problems);

  // A subset of KubeVirt's admission webhook (kubevirt v1.9.0):
  // pkg/virt-api/webhooks/validating-webhook/admitters/vms-admitter.go validateRunStrategy.
  if (spec.running !== undefined && spec.runStrategy !== undefined) {
    problems.add(['spec', 'running'], 'running and runStrategy are mutually exclusive (running is deprecated)', 'kubevirt-admission');
  } else if (spec.running === undefined && spec.runStrategy === undefined) {
    problems.add(['spec', 'runStrategy'], 'runStrategy must be specified', 'kubevirt-admission');
  }
  if (typeof spec.runStrategy === 'string' && !runStrategies.includes(spec.runStrategy)) {
    problems.add(['spec', 'runStrategy'], `${JSON.stringify(spec.runStrategy)} is not one of ${runStrategies.join(', ')}`, 'kubevirt-admission');
  }

  const vmi = asObject(template?.spec);
  if (vmi === undefined) return;
  const vmiAt: Segment[] = ['spec', 'template', 'spec'];
  const devices = asObject(asObject(vmi.domain)?.devices);
  const names = (list: unknown): Set<string> => new Set(asArray(list).map((item) => asString(asObject(item)?.name)).filter((n): n is string => n !== undefined));
  const volumeNames = names(vmi.volumes);
  const diskNames = names(devices?.disks);
  const filesystemNames = names(devices?.filesystems);
  const networkNames = names(vmi.networks);
  const interfaceNames = names(devices?.interfaces);

  // vmi-create-admitter.go: every disk has a volume (an empty CD-ROM aside), every volume a disk or filesystem.
  asArray(devices?.disks).forEach((disk, index) => {
    const name = asString(asObject(disk)?.name);
    if (name !== undefined && !volumeNames.has(name) && asObject(disk)?.cdrom === undefined) {
      problems.add([...vmiAt, 'domain', 'devices', 'disks', index, 'name'], `disk ${JSON.stringify(name)} has no volume of that name`, 'kubevirt-admission');
    }
  });
  asArray(vmi.volumes).forEach((volume, index) => {
    const object = asObject(volume);
    const name = asString(object?.name);
    if (name !== undefined && !diskNames.has(name) && !filesystemNames.has(name) && object?.memoryDump === undefined) {
      problems.add([...vmiAt, 'volumes', index, 'name'], `volume ${JSON.stringify(name)} has no disk (or filesystem) of that name`, 'kubevirt-admission');
    }
  });
  // pkg/network/admitter/netiface.go: every interface has a network and every network an interface.
  asArray(devices?.interfaces).forEach((iface, index) => {
    const name = asString(asObject(iface)?.name);
    if (name !== undefined && !networkNames.has(name)) {
      problems.add([...vmiAt, 'domain', 'devices', 'interfaces', index, 'name'], `interface ${JSON.stringify(name)} has no network of that name`, 'kubevirt-admission');
    }
  });
  asArray(vmi.networks).forEach((network, index) => {
    const name = asString(asObject(network)?.name);
    if (name !== undefined && !interfaceNames.has(name)) {
      problems.add([...vmiAt, 'networks', index, 'name'], `network ${JSON.stringify(name)} has no interface of that name`, 'kubevirt-admission');
    }
  });

  // vmi-create-admitter.go: at most one user-data and one network-data source per cloud-init volume,
  // at least one of them, and inline data of at most cloudInitUserMaxLen / cloudInitNetworkMaxLen bytes.
  asArray(vmi.volumes).forEach((volume, index) => {
    for (const sourceName of ['cloudInitNoCloud', 'cloudInitConfigDrive']) {
      const source = asObject(asObject(volume)?.[sourceName]);
      if (source === undefined) continue;
      const at: Segment[] = [...vmiAt, 'volumes', index, sourceName];
      const sources = { user: 0, network: 0 };
      for (const [kind, secretRef, base64, inline] of [
        ['user', 'secretRef', 'userDataBase64', 'userData'],
        ['network', 'networkDataSecretRef', 'networkDataBase64', 'networkData'],
      ] as const) {
        let bytes = 0;
        if (asString(asObject(source[secretRef])?.name)) sources[kind] += 1;
        if (typeof source[base64] === 'string' && source[base64] !== '') {
          sources[kind] += 1;
          bytes = Buffer.from(source[base64], 'base64').length;
        }
        if (typeof source[inline] === 'string' && source[inline] !== '') {
          sources[kind] += 1;
          bytes = Buffer.byteLength(source[inline], 'utf8');
        }
        if (sources[kind] > 1) problems.add(at, `has more than one ${kind}-data source (${secretRef}, ${base64}, ${inline})`, 'kubevirt-admission');
        if (bytes > kubevirtInlineCloudInitMaxBytes) {
          problems.add(at, `inline ${kind} data is ${bytes} bytes; KubeVirt allows at most ${kubevirtInlineCloudInitMaxBytes} (use ${secretRef})`, 'kubevirt-admission');
        }
      }
      if (sources.user === 0 && sources.network === 0) problems.add(at, 'has neither user data nor network data', 'kubevirt-admission');
    }
  });
}

// ---------------------------------------------------------------------------------------------------

function asObject(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
