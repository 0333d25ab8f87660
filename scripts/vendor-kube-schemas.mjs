#!/usr/bin/env node
// Extracts the Kubernetes/KubeVirt/CDI schemas that test/support/kube-schema.ts validates manifests
// against, from upstream OpenAPI files, into test/fixtures/kube-schemas/. Plain Node, no dependencies.
//
// Usage (each upstream file is read from a path given on the command line; see
// test/fixtures/kube-schemas/SOURCE.md for the exact tags, commits and `git show` commands):
//
//   node scripts/vendor-kube-schemas.mjs \
//     --kubevirt=/tmp/kubevirt-swagger.json     --kubevirt-ref=v1.9.0@<commit> \
//     --cdi=/tmp/cdi-swagger.json               --cdi-ref=v1.66.0@<commit> \
//     --kubernetes=/tmp/swagger.json.unprocessed --kubernetes-ref=v36.0.3@<commit> \
//     --nad=/tmp/networks-crd.yaml              --nad-ref=v1.7.7@<commit> \
//     [--out=test/fixtures/kube-schemas]
//
// Any subset of the four sources may be given; only those are (re)written.
//
// What it does for a Swagger 2.0 source: starts at the root definitions listed below, walks every
// `$ref: "#/definitions/…"` transitively, and writes only the definitions reached, unchanged, as
// pretty-printed JSON with object keys sorted (so a diff between two upstream versions is readable),
// under a small "x-vendored-from" header naming the upstream repository, tag, commit, path and the
// sha256 of the input. The NetworkAttachmentDefinition CRD is tiny and is copied byte for byte.
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import process from 'node:process';

/** The upstream sources: where each file lives upstream, and which definitions the tests need. */
const vendoredSources = {
  kubevirt: {
    repository: 'https://github.com/kubevirt/kubevirt',
    upstreamPath: 'api/openapi-spec/swagger.json',
    output: 'kubevirt.swagger.json',
    roots: ['v1.VirtualMachine'],
  },
  cdi: {
    repository: 'https://github.com/kubevirt/containerized-data-importer',
    upstreamPath: 'api/openapi-spec/swagger.json',
    output: 'cdi.swagger.json',
    roots: ['v1beta1.DataVolume'],
  },
  kubernetes: {
    repository: 'https://github.com/kubernetes-client/python',
    upstreamPath: 'kubernetes/swagger.json.unprocessed',
    output: 'kubernetes-core-v1.swagger.json',
    roots: [
      'io.k8s.api.core.v1.Secret',
      'io.k8s.api.core.v1.Namespace',
      // NetworkAttachmentDefinition is a CRD: the API server validates a custom resource's metadata
      // as ObjectMeta, which the CRD's own schema does not spell out.
      'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta',
    ],
  },
  nad: {
    repository: 'https://github.com/k8snetworkplumbingwg/network-attachment-definition-client',
    upstreamPath: 'artifacts/networks-crd.yaml',
    output: 'nad-networks-crd.yaml',
    roots: null, // copied verbatim
  },
};

function parseArgs(argv) {
  const args = { out: 'test/fixtures/kube-schemas' };
  for (const arg of argv) {
    const match = /^--([a-z-]+)=(.*)$/.exec(arg);
    if (!match) throw new Error(`unexpected argument ${JSON.stringify(arg)} (expected --name=value)`);
    args[match[1]] = match[2];
  }
  return args;
}

function sha256(bytes) {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Deep copy with every object's keys sorted; arrays keep their order. */
function sortKeys(value) {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const sorted = {};
    for (const key of Object.keys(value).sort()) sorted[key] = sortKeys(value[key]);
    return sorted;
  }
  return value;
}

/** Every definition name reachable from `roots` through `$ref: "#/definitions/NAME"`. */
function reachableDefinitions(definitions, roots) {
  const seen = new Set();
  const queue = [...roots];
  while (queue.length > 0) {
    const name = queue.pop();
    if (seen.has(name)) continue;
    const definition = definitions[name];
    if (definition === undefined) throw new Error(`definition ${name} is not in the upstream file`);
    seen.add(name);
    collectRefs(definition, (ref) => {
      const target = /^#\/definitions\/(.+)$/.exec(ref);
      if (!target) throw new Error(`unsupported $ref ${ref} in ${name}`);
      queue.push(decodeURIComponent(target[1]).replaceAll('~1', '/').replaceAll('~0', '~'));
    });
  }
  return [...seen].sort();
}

function collectRefs(node, onRef) {
  if (Array.isArray(node)) {
    for (const item of node) collectRefs(item, onRef);
  } else if (node !== null && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') onRef(value);
      else collectRefs(value, onRef);
    }
  }
}

function parseRef(value, name) {
  const match = /^([^@]+)@([0-9a-f]{40})$/.exec(value ?? '');
  if (!match) throw new Error(`--${name}-ref must be <tag>@<40-hex commit>, got ${JSON.stringify(value)}`);
  return { tag: match[1], commit: match[2] };
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  const given = Object.keys(vendoredSources).filter((name) => args[name] !== undefined);
  if (given.length === 0) {
    console.error('usage: node scripts/vendor-kube-schemas.mjs --kubevirt=FILE --kubevirt-ref=TAG@COMMIT [--cdi=… --kubernetes=… --nad=…] [--out=DIR]');
    process.exit(2);
  }
  mkdirSync(args.out, { recursive: true });
  for (const name of given) {
    const source = vendoredSources[name];
    const { tag, commit } = parseRef(args[`${name}-ref`], name);
    const input = readFileSync(args[name]);
    const target = path.join(args.out, source.output);
    if (source.roots === null) {
      copyFileSync(args[name], target);
      console.log(`${target}: verbatim copy of ${source.upstreamPath} at ${tag} (sha256 ${sha256(input)})`);
      continue;
    }
    const upstream = JSON.parse(input.toString('utf8'));
    const names = reachableDefinitions(upstream.definitions, source.roots);
    const definitions = {};
    for (const definitionName of names) definitions[definitionName] = upstream.definitions[definitionName];
    const document = {
      'x-vendored-from': {
        repository: source.repository,
        tag,
        commit,
        path: source.upstreamPath,
        sha256: sha256(input),
        roots: source.roots,
        extractedBy: 'scripts/vendor-kube-schemas.mjs',
      },
      swagger: upstream.swagger,
      info: upstream.info,
      definitions,
    };
    writeFileSync(target, `${JSON.stringify(sortKeys(document), null, 2)}\n`);
    console.log(`${target}: ${names.length} of ${Object.keys(upstream.definitions).length} definitions from ${source.upstreamPath} at ${tag}`);
  }
}

main();
