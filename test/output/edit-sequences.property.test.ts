// Random edit sequences on a pool fleet, each step built into the same output folder with the spec's
// allocation lock carried along: after every step, each VM the step did not touch keeps its address,
// MAC, instance-id and the sha256 of every file it has, no two VMs share an address or a MAC, and every
// VM's domain shows the memory the spec now gives it.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFleet } from '../../src/index.js';

const runs = 40;
const seed = Number(process.env.FC_SEED ?? Date.now() % 0x7fffffff);

interface FleetVm {
  name: string;
  memory: number;
}

type Edit =
  | { kind: 'add'; at: number }
  | { kind: 'remove'; at: number }
  | { kind: 'reorder'; from: number; to: number }
  | { kind: 'change'; at: number; memory: number }
  | { kind: 'rename'; at: number };

const editArbitrary: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ kind: fc.constant('add' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('remove' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('reorder' as const), from: fc.nat(), to: fc.nat() }),
  fc.record({ kind: fc.constant('change' as const), at: fc.nat(), memory: fc.constantFrom(1024, 2048, 3072, 4096) }),
  fc.record({ kind: fc.constant('rename' as const), at: fc.nat() }),
);

/** Applies `edit`; returns the new fleet and the names the edit itself touched (a rename: both names). */
function apply(fleet: FleetVm[], edit: Edit, nextName: () => string): { fleet: FleetVm[]; touched: Set<string> } {
  const next = [...fleet];
  const index = (value: number) => value % Math.max(next.length, 1);
  switch (edit.kind) {
    case 'add': {
      const vm = { name: nextName(), memory: 1024 };
      next.splice(index(edit.at), 0, vm);
      return { fleet: next, touched: new Set([vm.name]) };
    }
    case 'remove': {
      if (next.length <= 1) return { fleet: next, touched: new Set() };
      const [vm] = next.splice(index(edit.at), 1);
      return { fleet: next, touched: new Set([vm!.name]) };
    }
    case 'reorder': {
      const [vm] = next.splice(index(edit.from), 1);
      next.splice(index(edit.to), 0, vm!);
      return { fleet: next, touched: new Set() };
    }
    case 'change': {
      const vm = next[index(edit.at)]!;
      next[index(edit.at)] = { ...vm, memory: edit.memory };
      return { fleet: next, touched: vm.memory === edit.memory ? new Set() : new Set([vm.name]) };
    }
    case 'rename': {
      const vm = next[index(edit.at)]!;
      const renamed = { ...vm, name: nextName() };
      next[index(edit.at)] = renamed;
      return { fleet: next, touched: new Set([vm.name, renamed.name]) };
    }
  }
}

function specText(fleet: readonly FleetVm[]): string {
  return [
    'fleet: edits',
    'pools:',
    '  lan: { cidr: 10.80.0.0/24, range: 10.80.0.10-10.80.0.60, gateway: 10.80.0.1 }',
    'defaults:',
    '  rootPassword: "Edit-Sequence-Secret-4410"',
    '  network:',
    '    nics:',
    '      - { device: eth0, pool: lan, host: { type: bridge, bridge: br0 } }',
    '  domain: { rootDisk: { base: /var/lib/libvirt/images/base.qcow2 } }',
    'vms:',
    ...fleet.map((vm) => `  - { name: ${vm.name}, domain: { memory: ${vm.memory} } }`),
    '',
  ].join('\n');
}

interface VmView {
  address: string;
  mac: string;
  instanceId: string;
  files: string;
}

/** What manifest.json says of each VM the spec has (not the removed ones, which are kept as they were). */
function viewOf(out: string): Map<string, VmView> {
  const manifest = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8')) as {
    vms: { name: string; status: string; instanceId: string; nics: { mac: string; address: string }[]; files: { name: string; sha256: string }[] }[];
  };
  return new Map(manifest.vms.filter((vm) => vm.status !== 'removed').map((vm) => [vm.name, {
    address: vm.nics[0]!.address,
    mac: vm.nics[0]!.mac,
    instanceId: vm.instanceId,
    files: vm.files.map((file) => `${file.name}:${file.sha256}`).join(' '),
  }]));
}

let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'cloudseed-edits-'));
});

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe('random edit sequences on a pool fleet', () => {
  it(`keep every untouched VM's address, MAC, instance-id and file hashes (${runs} sequences, seed ${seed})`, async () => {
    let sequence = 0;
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 2, max: 6 }), fc.array(editArbitrary, { minLength: 3, maxLength: 6 }), async (size, edits) => {
        const dir = path.join(scratch, `sequence-${++sequence}`);
        mkdirSync(dir);
        const spec = path.join(dir, 'fleet.yaml');
        const out = path.join(dir, 'out');
        let counter = 0;
        const nextName = () => `vm${++counter}`;
        let fleet: FleetVm[] = Array.from({ length: size }, () => ({ name: nextName(), memory: 1024 }));
        const build = async () => {
          writeFileSync(spec, specText(fleet));
          await buildFleet(spec, { outputDir: out, sourceDateEpoch: 1_700_000_000, saltSecret: 'edits' });
          return viewOf(out);
        };
        let before = await build();
        for (const edit of edits) {
          const step = apply(fleet, edit, nextName);
          fleet = step.fleet;
          const after = await build();
          for (const [name, view] of before) {
            if (step.touched.has(name) || !after.has(name)) continue;
            expect(after.get(name), `${name} after ${JSON.stringify(edit)}`).toEqual(view);
          }
          // And every VM shows the spec as it is now (a VM kept by mistake would not).
          for (const vm of fleet) expect(readFileSync(path.join(out, vm.name, 'domain.xml'), 'utf8'), vm.name).toContain(`<memory unit='MiB'>${vm.memory}</memory>`);
          const views = [...after.values()];
          expect(new Set(views.map((view) => view.address)).size, 'addresses are distinct').toBe(views.length);
          expect(new Set(views.map((view) => view.mac)).size, 'MACs are distinct').toBe(views.length);
          before = after;
        }
      }),
      { seed, numRuns: runs },
    );
  }, 120_000);
});
