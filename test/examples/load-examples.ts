// Every VM of every spec in seeds/, rendered in memory the way `cloudseed validate` does, with its
// documents also as PyYAML (cloud-init's YAML reader) reads them.
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { validateSpec } from '../../src/output/build-fleet.js';
import type { PlanEnvironment, VmPlan } from '../../src/plan/index.js';
import type { SeedDocuments } from '../../src/render/render-vm.js';
import { loadWithPyYaml } from '../support/python-worker.js';

export const seedsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../seeds');

/**
 * Fixed so that the documents (and the golden files) are the same on every machine: the seed path in
 * domain.xml is under outputDir, `type: auto` depends on /dev/kvm, and password salts on the secret.
 */
export const exampleOptions: { outputDir: string; environment: PlanEnvironment; saltSecret: string } = {
  outputDir: '/srv/cloudseed/out',
  environment: { kvmUsable: false, fileExists: () => true },
  saltSecret: 'cloudseed',
};

export interface NetworkConfigDocument {
  config?: unknown;
  version?: number;
  ethernets?: Record<string, { match?: { macaddress?: string } }>;
}

export interface UserDataDocument {
  runcmd?: (string | string[])[];
  write_files?: { path: string; content: string }[];
  groups?: unknown;
  ssh_pwauth?: unknown;
  chpasswd?: { expire?: unknown; list?: string; users?: { name: string; password: string }[] };
}

export interface Example {
  seed: string;
  vm: VmPlan;
  documents: SeedDocuments;
  userData: UserDataDocument;
  metaData: Record<string, unknown>;
  networkConfig: NetworkConfigDocument;
}

export async function loadSeed(specFile: string): Promise<Pick<Example, 'vm' | 'documents'>[]> {
  const { plan, documents } = await validateSpec(specFile, exampleOptions);
  return plan.vms.map((vm, index) => ({ vm, documents: documents[index]! }));
}

export async function loadExamples(): Promise<Example[]> {
  const seeds = (await readdir(seedsDir)).filter((name) => /\.ya?ml$/.test(name)).sort();
  const rendered = (await Promise.all(seeds.map(async (seed) => (await loadSeed(path.join(seedsDir, seed))).map((vm) => ({ seed, ...vm }))))).flat();
  const texts = rendered.flatMap(({ documents }) => [documents.userData, documents.metaData, documents.networkConfig]);
  const parsed = await loadWithPyYaml(texts);
  return rendered.map((example, index) => {
    const [userData, metaData, networkConfig] = parsed.slice(3 * index, 3 * index + 3).map((result, offset) => {
      const name = ['user-data', 'meta-data', 'network-config'][offset];
      if (result.error !== undefined) throw new Error(`${example.seed} ${example.vm.name}: PyYAML cannot read its ${name}: ${result.error}`);
      return result.value;
    });
    return {
      ...example,
      userData: userData as UserDataDocument,
      metaData: metaData as Record<string, unknown>,
      networkConfig: networkConfig as NetworkConfigDocument,
    };
  });
}

/** The KEY=value files (ifcfg-*, route-*) cloudseed writes into the guest through user-data. */
export function writtenFile(example: Example, guestPath: string): string {
  const file = example.userData.write_files?.find((entry) => entry.path === guestPath);
  if (!file) throw new Error(`${example.vm.name}: user-data writes no ${guestPath}`);
  return file.content;
}

/**
 * For the tests that run an external tool once per VM: the VMs of one name pattern differ only in name,
 * address and MAC, so fleet-web-pattern.yaml is represented by its database VM, its two overridden VMs
 * and one plain web VM (the tests that need no tool still see all of them).
 */
export function toolExamples(examples: readonly Example[]): Example[] {
  const patternRepresentatives = ['db', 'web-01', 'web-02', 'web-40'];
  return examples.filter((example) => example.seed !== 'fleet-web-pattern.yaml' || patternRepresentatives.includes(example.vm.name));
}
