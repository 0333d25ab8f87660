// Pool fleets written to a temporary folder and planned through planSpecFile, the way a build reads a
// spec and its allocation lock, so that the lock tests see the files a user would.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';
import { planSpecFile, type PlannedSpecFile } from '../../../src/output/plan-spec-file.js';
import type { PlanEnvironment } from '../../../src/plan/index.js';

export const environment: PlanEnvironment = { kvmUsable: false, fileExists: () => true };

/** One VM of a test fleet: extra YAML lines (already indented by four) go under its name. */
export interface TestVm {
  name: string;
  memory?: number;
  lines?: string[];
}

export interface FleetShape {
  /** The pool's range; default 10.0.0.10-10.0.0.29 (20 addresses). */
  range?: string;
  gateway?: string;
  /** Extra top-level YAML lines, e.g. `macPrefix: local`. */
  top?: string[];
  /** The default NIC list in flow form; default one NIC from pool lan. */
  nics?: string;
}

export function fleetYaml(vms: readonly TestVm[], shape: FleetShape = {}): string {
  const lines = [
    'fleet: f',
    ...(shape.top ?? []),
    'pools:',
    `  lan: { cidr: 10.0.0.0/24, range: ${shape.range ?? '10.0.0.10-10.0.0.29'}, gateway: ${shape.gateway ?? '10.0.0.1'} }`,
    '  lab: { cidr: 10.9.0.0/24, range: 10.9.0.10-10.9.0.29 }',
    'defaults:',
    '  domain: { rootDisk: { base: /img/base.qcow2 }, memory: 1024 }',
    `  network: { nics: ${shape.nics ?? '[{ device: eth0, pool: lan }]'} }`,
    'vms:',
  ];
  for (const vm of vms) {
    lines.push(`  - name: ${vm.name}`);
    if (vm.memory !== undefined) lines.push(`    domain: { memory: ${vm.memory} }`);
    lines.push(...(vm.lines ?? []));
  }
  return `${lines.join('\n')}\n`;
}

// One root per test file (vitest loads this module once per file), removed after its tests.
const root = mkdtempSync(path.join(os.tmpdir(), 'cloudseed-lock-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A fresh, empty folder for one spec and its lock. */
export function lockFolder(): string {
  return mkdtempSync(path.join(root, 'fleet-'));
}

/** Writes `yaml` as `folder/fleet.yaml` and plans it; the lock is not written (see saveLock). */
export async function planYaml(folder: string, yaml: string, options: { frozen?: boolean } = {}): Promise<PlannedSpecFile> {
  const specFile = path.join(folder, 'fleet.yaml');
  writeFileSync(specFile, yaml);
  return planSpecFile(specFile, { outputDir: path.join(folder, 'out'), environment, saltSecret: 'test', ...options });
}

/** Plans and then writes the lock, as a build does once its output is committed. */
export async function buildYaml(folder: string, yaml: string): Promise<PlannedSpecFile> {
  const planned = await planYaml(folder, yaml);
  planned.allocationLock?.save();
  return planned;
}

/** `vm device` → its address (or dhcp) and MAC, the identity a lock keeps. */
export function identities(planned: PlannedSpecFile): Map<string, { address: string; mac: string }> {
  const found = new Map<string, { address: string; mac: string }>();
  for (const vm of planned.plan.vms) {
    for (const nic of vm.network.nics) {
      found.set(`${vm.name} ${nic.device}`, { address: nic.addressing.kind === 'static' ? nic.addressing.address : 'dhcp', mac: nic.macAddress });
    }
  }
  return found;
}

/** The eth0 address of each VM, by name. */
export function addresses(planned: PlannedSpecFile): Record<string, string> {
  return Object.fromEntries([...identities(planned)].filter(([key]) => key.endsWith(' eth0')).map(([key, { address }]) => [key.split(' ')[0]!, address]));
}

export function vms(...names: string[]): TestVm[] {
  return names.map((name) => ({ name }));
}
