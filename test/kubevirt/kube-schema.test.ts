// Tests of the manifest validator in test/support/kube-schema.ts itself: realistic manifests pass,
// and each kind of mistake a manifest generator can make is caught, at the right path.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  kubevirtInlineCloudInitMaxBytes,
  maxSecretBytes,
  formatKubeSchemaProblems,
  hasKubeSchema,
  kubeSchemaProblems,
  validatedKinds,
  vendoredSchemaVersions,
  type SchemaProblem,
} from '../support/kube-schema.js';

const fixturesFolder = new URL('../fixtures/kube-schemas/', import.meta.url);

// A VM the way a generator could write it: a root disk imported over HTTP, a tools disk from a
// container registry, a cache disk cloned from a PVC, cloud-init from Secrets, the pod network
// (masquerade) and a Multus bridge network.
const vmYaml = `
apiVersion: kubevirt.io/v1
kind: VirtualMachine
metadata:
  name: build-runner-07
  namespace: ci-fleet
  labels:
    app.kubernetes.io/managed-by: cloudseed
    cloudseed.dev/fleet: ci
  annotations:
    cloudseed.dev/spec-hash: 3f9a0c
spec:
  runStrategy: RerunOnFailure
  dataVolumeTemplates:
    - metadata:
        name: build-runner-07-root
      spec:
        source:
          http:
            url: http://images.lab.internal/noble-server-cloudimg-amd64.img
        storage:
          accessModes: [ReadWriteOnce]
          resources:
            requests:
              storage: 20Gi
    - metadata:
        name: build-runner-07-tools
      spec:
        source:
          registry:
            url: docker://registry.lab.internal/disks/toolbox:2024.1
        storage:
          resources:
            requests:
              storage: 5Gi
    - metadata:
        name: build-runner-07-cache
      spec:
        source:
          pvc:
            namespace: ci-fleet
            name: warm-cache-template
        storage:
          volumeMode: Filesystem
          resources:
            requests:
              storage: 40Gi
  template:
    metadata:
      labels:
        kubevirt.io/vm: build-runner-07
    spec:
      domain:
        cpu:
          cores: 2
          sockets: 1
          threads: 1
        memory:
          guest: 4Gi
        resources:
          requests:
            cpu: 2
            memory: 4Gi
        devices:
          disks:
            - name: root
              bootOrder: 1
              disk:
                bus: virtio
            - name: tools
              disk:
                bus: virtio
            - name: cache
              disk:
                bus: virtio
            - name: cloudinitdisk
              disk:
                bus: virtio
          interfaces:
            - name: default
              masquerade: {}
              macAddress: "02:5e:10:00:07:01"
            - name: lab
              bridge: {}
              macAddress: "02:5e:10:00:07:02"
      networks:
        - name: default
          pod: {}
        - name: lab
          multus:
            networkName: ci-fleet/lab-bridge
      volumes:
        - name: root
          dataVolume:
            name: build-runner-07-root
        - name: tools
          dataVolume:
            name: build-runner-07-tools
        - name: cache
          dataVolume:
            name: build-runner-07-cache
        - name: cloudinitdisk
          cloudInitNoCloud:
            secretRef:
              name: build-runner-07-userdata
            networkDataSecretRef:
              name: build-runner-07-networkdata
`;

const sampleUserData = `#cloud-config
hostname: build-runner-07
ssh_authorized_keys:
  - ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKq5yXh7Yb0Zp1c2Ew9b6cQwTnRk3m4rSgVvUd8aLfJx ci@lab
packages: [git, make]
`;
const sampleNetworkData = `version: 2
ethernets:
  lab0:
    match:
      macaddress: "02:5e:10:00:07:02"
    addresses: [10.20.0.7/24]
`;

const secretYaml = `
apiVersion: v1
kind: Secret
metadata:
  name: build-runner-07-userdata
  namespace: ci-fleet
  labels:
    app.kubernetes.io/managed-by: cloudseed
type: Opaque
stringData:
  userdata: |
${sampleUserData.replace(/^/gm, '    ').trimEnd()}
`;

const nadConfig = {
  cniVersion: '0.3.1',
  name: 'lab-bridge',
  type: 'bridge',
  bridge: 'br-lab',
  isGateway: false,
  ipam: {},
};

const nadYaml = `
apiVersion: k8s.cni.cncf.io/v1
kind: NetworkAttachmentDefinition
metadata:
  name: lab-bridge
  namespace: ci-fleet
spec:
  config: '${JSON.stringify(nadConfig)}'
`;

const dataVolumeYaml = `
apiVersion: cdi.kubevirt.io/v1beta1
kind: DataVolume
metadata:
  name: golden-noble
  namespace: ci-fleet
spec:
  source:
    http:
      url: http://images.lab.internal/noble-server-cloudimg-amd64.img
      checksum: sha256:9d1e7b2c4f6a8e0d3b5c7a9f1e3d5b7c9a1f3e5d7b9c1a3e5f7d9b1c3a5e7f9d
  storage:
    resources:
      requests:
        storage: 12Gi
`;

const namespaceYaml = `
apiVersion: v1
kind: Namespace
metadata:
  name: ci-fleet
  labels:
    app.kubernetes.io/managed-by: cloudseed
`;

type Manifest = Record<string, unknown>;

function load(yaml: string): Manifest {
  return parse(yaml) as Manifest;
}

/** The object at a dotted path (`spec.template.spec.volumes.3`), to change it in a test. */
function at(root: unknown, path: string): Record<string, unknown> {
  let value: unknown = root;
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object') throw new Error(`${path}: no object at ${key}`);
    value = (value as Record<string, unknown>)[key];
  }
  if (value === null || typeof value !== 'object') throw new Error(`${path} is not an object`);
  return value as Record<string, unknown>;
}

/** A copy of `base` changed by `change`. */
function variant(base: Manifest, change: (manifest: Manifest) => void): Manifest {
  const copy = structuredClone(base);
  change(copy);
  return copy;
}

function inlineCloudInitVm(userData = sampleUserData, networkData = sampleNetworkData): Manifest {
  return variant(load(vmYaml), (vm) => {
    at(vm, 'spec.template.spec.volumes.3').cloudInitNoCloud = { userData, networkData };
  });
}

function expectProblem(problems: SchemaProblem[], path: string, message: string | RegExp): void {
  const matcher = typeof message === 'string' ? expect.stringContaining(message) : expect.stringMatching(message);
  expect(problems).toContainEqual(expect.objectContaining({ path, message: matcher }));
}

describe('realistic manifests pass', () => {
  it('a VirtualMachine with DataVolume templates (http, registry, pvc), cloud-init from Secrets, a pod and a Multus interface', () => {
    expect(kubeSchemaProblems(load(vmYaml))).toEqual([]);
  });

  it('a VirtualMachine with inline cloud-init user and network data', () => {
    expect(kubeSchemaProblems(inlineCloudInitVm())).toEqual([]);
  });

  it('a Secret with stringData, and one with base64 data', () => {
    expect(kubeSchemaProblems(load(secretYaml))).toEqual([]);
    const withData = variant(load(secretYaml), (secret) => {
      delete secret.stringData;
      secret.data = { networkdata: Buffer.from(sampleNetworkData).toString('base64'), empty: '' };
    });
    expect(kubeSchemaProblems(withData)).toEqual([]);
  });

  it('a NetworkAttachmentDefinition with a bridge CNI config, and one with a CNI config list', () => {
    expect(kubeSchemaProblems(load(nadYaml))).toEqual([]);
    const list = variant(load(nadYaml), (nad) => {
      at(nad, 'spec').config = JSON.stringify({ cniVersion: '1.0.0', name: 'lab', plugins: [{ type: 'bridge', bridge: 'br-lab' }, { type: 'tuning' }] });
    });
    expect(kubeSchemaProblems(list)).toEqual([]);
  });

  it('a standalone DataVolume (with http.checksum, which CDI v1.66 has) and a Namespace', () => {
    expect(kubeSchemaProblems(load(dataVolumeYaml))).toEqual([]);
    expect(kubeSchemaProblems(load(namespaceYaml))).toEqual([]);
  });

  it('quantities as YAML numbers and as strings with any of the Kubernetes suffixes', () => {
    const vm = variant(load(vmYaml), (manifest) => {
      at(manifest, 'spec.template.spec.domain.resources').requests = { cpu: 1.5, memory: '4096Mi' };
      at(manifest, 'spec.template.spec.domain.resources').limits = { cpu: '1500m', memory: '4.5e9' };
      at(manifest, 'spec.template.spec.domain.memory').guest = 4294967296;
    });
    expect(kubeSchemaProblems(vm)).toEqual([]);
  });

  it('a fleet of 1000 VirtualMachines, quickly (the schemas are compiled once)', () => {
    const base = load(vmYaml);
    kubeSchemaProblems(base); // compiles
    const started = performance.now();
    for (let index = 0; index < 1000; index++) {
      const name = `runner-${String(index).padStart(4, '0')}`;
      const vm = variant(base, (manifest) => {
        at(manifest, 'metadata').name = name;
      });
      expect(kubeSchemaProblems(vm)).toEqual([]);
    }
    expect(performance.now() - started).toBeLessThan(10_000);
  });
});

describe('unknown fields are rejected at any depth', () => {
  it.each([
    ['spec.runStrategyy', (vm: Manifest) => { at(vm, 'spec').runStrategyy = 'Always'; }],
    ['metadata.labelz', (vm: Manifest) => { at(vm, 'metadata').labelz = { a: 'b' }; }],
    ['spec.template.spec.domain.devices.interfaces[0].bogus', (vm: Manifest) => { at(vm, 'spec.template.spec.domain.devices.interfaces.0').bogus = true; }],
    // bridge is an empty Go struct: nothing may go in it
    ['spec.template.spec.domain.devices.interfaces[1].bridge.vlan', (vm: Manifest) => { at(vm, 'spec.template.spec.domain.devices.interfaces.1').bridge = { vlan: 3 }; }],
    // secretRef is a LocalObjectReference: a name, no namespace
    ['spec.template.spec.volumes[3].cloudInitNoCloud.secretRef.namespace', (vm: Manifest) => { at(vm, 'spec.template.spec.volumes.3.cloudInitNoCloud.secretRef').namespace = 'ci-fleet'; }],
    ['spec.dataVolumeTemplates[0].spec.source.http.uri', (vm: Manifest) => { at(vm, 'spec.dataVolumeTemplates.0.spec.source.http').uri = 'http://x'; }],
    ['spec.template.metadata.labels', null],
  ] as const)('%s', (path, change) => {
    if (change === null) {
      // labels is a map, not a struct: any key is allowed (the counter-check for the cases above)
      const vm = variant(load(vmYaml), (manifest) => { at(manifest, 'spec.template.metadata.labels')['anything.example/goes'] = 'yes'; });
      expect(kubeSchemaProblems(vm)).toEqual([]);
      return;
    }
    const problems = kubeSchemaProblems(variant(load(vmYaml), change));
    expectProblem(problems, path, 'unknown field');
  });

  it('in a DataVolume template, a field CDI v1.66 has but KubeVirt v1.9.0\'s copy of its schema does not (the API server would prune it)', () => {
    const problems = kubeSchemaProblems(variant(load(vmYaml), (vm) => { at(vm, 'spec.dataVolumeTemplates.0.spec.source.http').checksum = 'sha256:00'; }));
    expect(problems).toEqual([{ path: 'spec.dataVolumeTemplates[0].spec.source.http.checksum', message: 'unknown field "checksum" (not in the schema)', rule: 'openapi' }]);
  });

  it('in a Secret, a NetworkAttachmentDefinition and a DataVolume', () => {
    expectProblem(kubeSchemaProblems(variant(load(secretYaml), (s) => { s.strinData = {}; })), 'strinData', 'unknown field');
    expectProblem(kubeSchemaProblems(variant(load(nadYaml), (n) => { at(n, 'spec').plugins = []; })), 'spec.plugins', 'unknown field');
    expectProblem(kubeSchemaProblems(variant(load(nadYaml), (n) => { at(n, 'metadata').label = {}; })), 'metadata.label', 'unknown field');
    expectProblem(kubeSchemaProblems(variant(load(dataVolumeYaml), (d) => { at(d, 'spec.storage').size = '1Gi'; })), 'spec.storage.size', 'unknown field');
  });
});

describe('wrong types and values', () => {
  it('cpu.cores: "two"', () => {
    const problems = kubeSchemaProblems(variant(load(vmYaml), (vm) => { at(vm, 'spec.template.spec.domain.cpu').cores = 'two'; }));
    expect(problems).toEqual([{ path: 'spec.template.spec.domain.cpu.cores', message: 'must be integer (got "two")', rule: 'openapi' }]);
  });

  it('memory.guest: "lots", and a storage request of "20 GB"', () => {
    const problems = kubeSchemaProblems(variant(load(vmYaml), (vm) => {
      at(vm, 'spec.template.spec.domain.memory').guest = 'lots';
      at(vm, 'spec.dataVolumeTemplates.0.spec.storage.resources.requests').storage = '20 GB';
    }));
    expectProblem(problems, 'spec.template.spec.domain.memory.guest', '"lots" is not a Kubernetes quantity');
    expectProblem(problems, 'spec.dataVolumeTemplates[0].spec.storage.resources.requests.storage', '"20 GB" is not a Kubernetes quantity');
    expect(problems).toHaveLength(2); // the template's spec is checked by KubeVirt's and CDI's schema: reported once
  });

  it('a missing required field, an int32 out of range, a value outside an enum', () => {
    const problems = kubeSchemaProblems(variant(load(vmYaml), (vm) => {
      delete at(vm, 'spec.template.spec.networks.1.multus').networkName;
      at(vm, 'spec.template.spec.domain.devices.disks.0').bootOrder = 2 ** 31;
      at(vm, 'spec.dataVolumeTemplates.2.spec.storage').volumeMode = 'Raw';
    }));
    expectProblem(problems, 'spec.template.spec.networks[1].multus.networkName', 'required field "networkName" is missing');
    expectProblem(problems, 'spec.template.spec.domain.devices.disks[0].bootOrder', 'must match format "int32"');
    expectProblem(problems, 'spec.dataVolumeTemplates[2].spec.storage.volumeMode', 'must be one of "Block", "Filesystem", "FromStorageProfile"');
  });

  it('a Secret data value that is not base64', () => {
    const problems = kubeSchemaProblems(variant(load(secretYaml), (s) => { s.data = { userdata: '#cloud-config' }; }));
    expectProblem(problems, 'data.userdata', 'must be base64');
  });

  it('apiVersion and kind select the schema; a kind without one throws', () => {
    expect(validatedKinds).toContain('kubevirt.io/v1/VirtualMachine');
    const kustomization = { apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: ['vm.yaml'] };
    expect(hasKubeSchema(kustomization)).toBe(false);
    expect(hasKubeSchema(load(vmYaml))).toBe(true);
    expect(() => kubeSchemaProblems(kustomization)).toThrow(/no schema for kustomize.config.k8s.io\/v1beta1\/Kustomization/);
    expect(() => kubeSchemaProblems(variant(load(vmYaml), (vm) => { vm.apiVersion = 'kubevirt.io/v1alpha3'; }))).toThrow(/no schema/);
    expect(() => kubeSchemaProblems('kind: Secret')).toThrow(/without a string apiVersion and kind/);
  });
});

describe('names and labels', () => {
  it.each([
    ['Build-Runner-07', 'RFC 1123 label'],
    ['a'.repeat(64), 'at most 63 characters'],
    ['runner.lab', 'RFC 1123 label'], // a subdomain, but the hostname would be cut at the dot
    ['runner-', 'RFC 1123 label'],
  ])('a VirtualMachine named %j is rejected', (name, message) => {
    const problems = kubeSchemaProblems(variant(load(vmYaml), (vm) => { at(vm, 'metadata').name = name; }));
    expect(problems).toEqual([{ path: 'metadata.name', message: expect.stringContaining(message), rule: 'metadata' }]);
  });

  it('a VirtualMachine name of 63 characters is fine; a Secret may be a dotted subdomain', () => {
    expect(kubeSchemaProblems(variant(load(vmYaml), (vm) => { at(vm, 'metadata').name = 'a'.repeat(63); }))).toEqual([]);
    expect(kubeSchemaProblems(variant(load(secretYaml), (s) => { at(s, 'metadata').name = 'runner.lab.userdata'; }))).toEqual([]);
    expectProblem(kubeSchemaProblems(variant(load(secretYaml), (s) => { at(s, 'metadata').name = 'Runner_Userdata'; })), 'metadata.name', 'RFC 1123 subdomain');
  });

  it('a missing name, a bad namespace, a bad DataVolume template name', () => {
    const problems = kubeSchemaProblems(variant(load(vmYaml), (vm) => {
      delete at(vm, 'metadata').name;
      at(vm, 'metadata').namespace = 'CI';
      at(vm, 'spec.dataVolumeTemplates.1.metadata').name = 'tools_disk';
    }));
    expectProblem(problems, 'metadata.name', 'a name is required');
    expectProblem(problems, 'metadata.namespace', 'RFC 1123 label');
    expectProblem(problems, 'spec.dataVolumeTemplates[1].metadata.name', 'RFC 1123 subdomain');
  });

  it('label keys and values, on the VM and on its template', () => {
    const problems = kubeSchemaProblems(variant(load(vmYaml), (vm) => {
      at(vm, 'metadata.labels').tier = 'web server';
      at(vm, 'metadata.labels')['cloudseed.dev/long'] = 'v'.repeat(64);
      at(vm, 'spec.template.metadata.labels')['Bad_Prefix/name'] = 'x';
      at(vm, 'spec.template.metadata.labels')['fine.example/empty-value'] = '';
    }));
    expectProblem(problems, 'metadata.labels.tier', 'label value "web server"');
    expectProblem(problems, 'metadata.labels["cloudseed.dev/long"]', 'at most 63 characters (is 64)');
    expectProblem(problems, 'spec.template.metadata.labels["Bad_Prefix/name"]', 'prefix "Bad_Prefix"');
    expect(problems).toHaveLength(3);
  });
});

describe('Secret size', () => {
  const secretOf = (bytes: number, field: 'stringData' | 'data'): Manifest =>
    variant(load(secretYaml), (secret) => {
      delete secret.stringData;
      const payload = 'x'.repeat(bytes);
      secret[field] = { big: field === 'data' ? Buffer.from(payload).toString('base64') : payload };
    });

  it('exactly 1 MiB is allowed, one byte more is not, in stringData and in data', () => {
    expect(kubeSchemaProblems(secretOf(maxSecretBytes, 'stringData'))).toEqual([]);
    expect(kubeSchemaProblems(secretOf(maxSecretBytes, 'data'))).toEqual([]);
    expectProblem(kubeSchemaProblems(secretOf(maxSecretBytes + 1, 'stringData')), 'stringData', `${maxSecretBytes + 1} bytes`);
    expectProblem(kubeSchemaProblems(secretOf(maxSecretBytes + 1, 'data')), 'data', 'at most 1048576 (1 MiB)');
  });

  it('data and stringData count together; a key stringData overrides counts once', () => {
    const half = maxSecretBytes / 2;
    const both = variant(load(secretYaml), (secret) => {
      secret.data = { a: Buffer.from('x'.repeat(half)).toString('base64') };
      secret.stringData = { b: 'y'.repeat(half + 1) };
    });
    expectProblem(kubeSchemaProblems(both), 'data', 'data and stringData together');
    const overridden = variant(load(secretYaml), (secret) => {
      secret.data = { a: Buffer.from('x'.repeat(half + 1)).toString('base64') };
      secret.stringData = { a: 'y'.repeat(half + 1) };
    });
    expect(kubeSchemaProblems(overridden)).toEqual([]);
  });

  it('Secret keys must be config-map keys', () => {
    const problems = kubeSchemaProblems(variant(load(secretYaml), (s) => { s.stringData = { 'user data': 'x', '..hidden': 'y' }; }));
    expectProblem(problems, 'stringData["user data"]', 'letters, digits');
    expectProblem(problems, 'stringData["..hidden"]', 'must not start with ".."');
  });
});

describe('NetworkAttachmentDefinition config (checked apart from the loose CRD schema)', () => {
  const nadWith = (config: unknown): Manifest => variant(load(nadYaml), (nad) => { at(nad, 'spec').config = config; });

  it('a config that is not JSON', () => {
    const problems = kubeSchemaProblems(nadWith('cniVersion: 0.3.1\ntype: bridge'));
    expect(problems).toEqual([{ path: 'spec.config', message: expect.stringContaining('is not JSON'), rule: 'nad-config' }]);
  });

  it('JSON without cniVersion or type; a list with a typeless plugin; no config at all', () => {
    expectProblem(kubeSchemaProblems(nadWith(JSON.stringify({ type: 'bridge' }))), 'spec.config', 'no "cniVersion"');
    expectProblem(kubeSchemaProblems(nadWith(JSON.stringify({ cniVersion: '0.3.1', bridge: 'br0' }))), 'spec.config', 'no "type"');
    expectProblem(kubeSchemaProblems(nadWith(JSON.stringify({ cniVersion: '1.0.0', plugins: [{ type: 'bridge' }, {}] }))), 'spec.config', 'plugins[1] has no "type"');
    expectProblem(kubeSchemaProblems(nadWith(JSON.stringify(['bridge']))), 'spec.config', 'must be a JSON object');
    expectProblem(kubeSchemaProblems(variant(load(nadYaml), (nad) => { nad.spec = {}; })), 'spec.config', 'missing');
  });

  it('the schema itself: config must be a string', () => {
    const problems = kubeSchemaProblems(nadWith(nadConfig));
    expect(problems).toEqual([{ path: 'spec.config', message: 'must be string (got an object)', rule: 'openapi' }]);
  });
});

describe('KubeVirt admission rules no schema expresses', () => {
  it(`inline cloud-init data of ${kubevirtInlineCloudInitMaxBytes} bytes is allowed, one byte more is not`, () => {
    const exactly = `#cloud-config\n#${'x'.repeat(kubevirtInlineCloudInitMaxBytes - 16)}\n`;
    expect(Buffer.byteLength(exactly)).toBe(kubevirtInlineCloudInitMaxBytes);
    expect(kubeSchemaProblems(inlineCloudInitVm(exactly))).toEqual([]);
    const problems = kubeSchemaProblems(inlineCloudInitVm(`${exactly}#`, `${sampleNetworkData}#${'é'.repeat(kubevirtInlineCloudInitMaxBytes / 2)}`));
    expectProblem(problems, 'spec.template.spec.volumes[3].cloudInitNoCloud', 'inline user data is 2049 bytes');
    expectProblem(problems, 'spec.template.spec.volumes[3].cloudInitNoCloud', /inline network data is \d+ bytes; KubeVirt allows at most 2048 \(use networkDataSecretRef\)/);
  });

  it('two user-data sources, or none at all, in one cloud-init volume', () => {
    const two = variant(inlineCloudInitVm(), (vm) => { at(vm, 'spec.template.spec.volumes.3.cloudInitNoCloud').secretRef = { name: 'also' }; });
    expectProblem(kubeSchemaProblems(two), 'spec.template.spec.volumes[3].cloudInitNoCloud', 'more than one user-data source');
    const none = variant(load(vmYaml), (vm) => { at(vm, 'spec.template.spec.volumes.3').cloudInitNoCloud = {}; });
    expectProblem(kubeSchemaProblems(none), 'spec.template.spec.volumes[3].cloudInitNoCloud', 'neither user data nor network data');
  });

  it('disks, volumes, interfaces and networks must pair up by name', () => {
    const problems = kubeSchemaProblems(variant(load(vmYaml), (vm) => {
      at(vm, 'spec.template.spec.domain.devices.disks.2').name = 'cache-disk';
      at(vm, 'spec.template.spec.networks.1').name = 'lab-net';
    }));
    expectProblem(problems, 'spec.template.spec.domain.devices.disks[2].name', 'disk "cache-disk" has no volume');
    expectProblem(problems, 'spec.template.spec.volumes[2].name', 'volume "cache" has no disk');
    expectProblem(problems, 'spec.template.spec.domain.devices.interfaces[1].name', 'interface "lab" has no network');
    expectProblem(problems, 'spec.template.spec.networks[1].name', 'network "lab-net" has no interface');
    expect(problems).toHaveLength(4);
  });

  it('runStrategy: a valid value, exactly one of running and runStrategy', () => {
    expectProblem(kubeSchemaProblems(variant(load(vmYaml), (vm) => { at(vm, 'spec').runStrategy = 'Sometimes'; })), 'spec.runStrategy', '"Sometimes" is not one of');
    expectProblem(kubeSchemaProblems(variant(load(vmYaml), (vm) => { at(vm, 'spec').running = true; })), 'spec.running', 'mutually exclusive');
    expectProblem(kubeSchemaProblems(variant(load(vmYaml), (vm) => { delete at(vm, 'spec').runStrategy; })), 'spec.runStrategy', 'must be specified');
    for (const runStrategy of ['Always', 'Halted', 'Manual', 'RerunOnFailure', 'Once']) {
      expect(kubeSchemaProblems(variant(load(vmYaml), (vm) => { at(vm, 'spec').runStrategy = runStrategy; }))).toEqual([]);
    }
  });
});

describe('reporting', () => {
  it('formats the problems of many manifests, skipping kinds without a schema', () => {
    const bad = variant(load(vmYaml), (vm) => { at(vm, 'spec.template.spec.domain.cpu').cores = 'two'; });
    const lines = formatKubeSchemaProblems([load(secretYaml), bad, { apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization' }]);
    expect(lines).toEqual(['VirtualMachine build-runner-07: spec.template.spec.domain.cpu.cores: must be integer (got "two") [openapi]']);
  });
});

describe('the vendored schemas', () => {
  const source = readFileSync(new URL('SOURCE.md', fixturesFolder), 'utf8');
  const sections = new Map<string, string>();
  for (const part of source.split(/^### /m).slice(1)) {
    const title = /^`([^`]+)`/.exec(part);
    if (title?.[1] !== undefined) sections.set(title[1], part);
  }
  const files = readdirSync(fixturesFolder).filter((file) => file !== 'SOURCE.md').sort();

  it('are the four files the validator reads', () => {
    expect(files).toEqual(['cdi.swagger.json', 'kubernetes-core-v1.swagger.json', 'kubevirt.swagger.json', 'nad-networks-crd.yaml']);
  });

  it.each(files)('%s has a SOURCE.md section naming its repository, tag, commit, sha256 and licence', (file) => {
    const section = sections.get(file);
    expect(section, `SOURCE.md has no "### \`${file}\`" section`).toBeDefined();
    expect(section).toContain('Licence: Apache-2.0');
    if (file.endsWith('.json')) {
      const header = (JSON.parse(readFileSync(new URL(file, fixturesFolder), 'utf8')) as { 'x-vendored-from': Record<string, string> })['x-vendored-from'];
      expect(section).toContain(header.repository);
      expect(section).toContain(`Tag: \`${header.tag}\``);
      expect(section).toContain(header.commit);
      expect(section).toContain(`Path: \`${header.path}\``);
      expect(section).toContain(header.sha256);
    } else {
      // copied byte for byte: its own hash is the upstream file's hash
      const sha256 = createHash('sha256').update(readFileSync(new URL(file, fixturesFolder))).digest('hex');
      expect(section).toContain(sha256);
    }
  });

  it('every SOURCE.md section is about a file that exists', () => {
    expect([...sections.keys()].sort()).toEqual(files);
  });

  // A dataVolumeTemplates[].spec is checked against KubeVirt's copy of CDI's DataVolumeSpec and against
  // CDI's own. While KubeVirt's copy lists no property CDI's lacks, the CDI pass can only agree with the
  // KubeVirt pass; this test says so, and fails when a new vendoring changes that.
  it('KubeVirt v1.9.0 copies CDI\'s DataVolumeSpec with a subset of its properties, missing the newest ones', () => {
    type Definitions = Record<string, { properties?: Record<string, Record<string, unknown>> }>;
    const definitions = (file: string): Definitions => (JSON.parse(readFileSync(new URL(file, fixturesFolder), 'utf8')) as { definitions: Definitions }).definitions;
    const propertyPaths = (defs: Definitions, name: string, prefix: string, seen: Set<string>, out: Set<string>): Set<string> => {
      if (seen.has(name)) return out;
      const nextSeen = new Set(seen).add(name);
      for (const [property, schema] of Object.entries(defs[name]?.properties ?? {})) {
        out.add(`${prefix}${property}`);
        const ref = (schema.$ref ?? (schema.items as Record<string, unknown> | undefined)?.$ref) as string | undefined;
        if (ref !== undefined) propertyPaths(defs, ref.replace('#/definitions/', ''), `${prefix}${property}.`, nextSeen, out);
      }
      return out;
    };
    const kubevirt = propertyPaths(definitions('kubevirt.swagger.json'), 'v1beta1.DataVolumeSpec', '', new Set(), new Set());
    const cdi = propertyPaths(definitions('cdi.swagger.json'), 'v1beta1.DataVolumeSpec', '', new Set(), new Set());
    expect([...kubevirt].filter((path) => !cdi.has(path))).toEqual([]);
    expect([...cdi].filter((path) => !kubevirt.has(path)).sort()).toEqual([
      'serviceAccountName',
      'source.http.checksum',
      'source.http.insecureSkipVerify',
      'source.vddk.certConfigMap',
    ]);
  });

  it('come from the releases SOURCE.md names', () => {
    const versions = vendoredSchemaVersions();
    expect(versions.kubevirt?.tag).toBe('v1.9.0');
    expect(versions.cdi?.tag).toBe('v1.66.0');
    expect(versions.kubernetes?.tag).toBe('v36.0.3');
  });
});
