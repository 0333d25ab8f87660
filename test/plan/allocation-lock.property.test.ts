// Random edit sequences on a pool fleet (add, remove, reorder, change one VM's memory, rename one),
// each planned through planSpecFile with the lock the step before saved: every VM that is still there
// keeps its addresses and MACs, no two NICs share either, and a released address is handed out again
// only once every address of the pool has been used.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatIpv4, parseIpv4 } from '../../src/spec/ipv4.js';
import { buildYaml, fleetYaml, identities, lockFolder, planYaml, type TestVm } from './support/lock-fleet.js';

const seed = Number(process.env.FC_SEED ?? Date.now() % 0x7fffffff);
const runs = 60;
// Small enough that long sequences run out of never-used addresses and reuse released ones.
const lanRange = { first: parseIpv4('10.0.0.10')!, last: parseIpv4('10.0.0.17')! };
const maximumVms = 7;

type Edit =
  | { kind: 'add'; at: number; eth1: boolean }
  | { kind: 'remove'; at: number }
  | { kind: 'reorder'; keys: number[] }
  | { kind: 'memory'; at: number; memory: number }
  | { kind: 'rename'; at: number };

const editArbitrary: fc.Arbitrary<Edit> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('add' as const), at: fc.nat(), eth1: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('remove' as const), at: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('reorder' as const), keys: fc.array(fc.nat(), { minLength: 1, maxLength: 12 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('memory' as const), at: fc.nat(), memory: fc.integer({ min: 256, max: 8192 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('rename' as const), at: fc.nat() }) },
);

interface FleetVm {
  name: string;
  memory: number;
  /** A second NIC from pool lab, so a VM holds two addresses and two MACs. */
  eth1: boolean;
}

/** Applies `edit` to `fleet` (edits that do not fit, such as removing the last VM, change nothing). */
function applyEdit(fleet: FleetVm[], edit: Edit, newName: () => string): FleetVm[] {
  const at = fleet.length === 0 ? 0 : ('at' in edit ? edit.at : 0) % fleet.length;
  switch (edit.kind) {
    case 'add':
      if (fleet.length >= maximumVms) return fleet;
      return [...fleet.slice(0, at), { name: newName(), memory: 1024, eth1: edit.eth1 }, ...fleet.slice(at)];
    case 'remove':
      return fleet.length <= 1 ? fleet : fleet.filter((_vm, index) => index !== at);
    case 'reorder':
      return fleet.map((vm, index) => ({ vm, key: edit.keys[index % edit.keys.length]!, index })).sort((a, b) => a.key - b.key || b.index - a.index).map(({ vm }) => vm);
    case 'memory':
      return fleet.map((vm, index) => (index === at ? { ...vm, memory: edit.memory } : vm));
    case 'rename':
      return fleet.map((vm, index) => (index === at ? { ...vm, name: newName() } : vm));
  }
}

function specOf(fleet: readonly FleetVm[]): string {
  const testVms: TestVm[] = fleet.map((vm) => ({
    name: vm.name,
    memory: vm.memory,
    lines: vm.eth1 ? ['    network: { nics: [{ device: eth0, pool: lan }, { device: eth1, pool: lab, host: { type: user } }] }'] : [],
  }));
  return fleetYaml(testVms, { range: `${formatIpv4(lanRange.first)}-${formatIpv4(lanRange.last)}` });
}

function expectNoneShared(found: Map<string, { address: string; mac: string }>): void {
  const values = [...found.values()];
  expect(new Set(values.map(({ address }) => address)).size).toBe(values.length);
  expect(new Set(values.map(({ mac }) => mac)).size).toBe(values.length);
}

/** How many times a new NIC got a released address back, over all sequences. */
let reused = 0;

async function checkSequence(initial: boolean[], edits: Edit[]): Promise<void> {
  const folder = lockFolder();
  let counter = 0;
  const newName = () => `vm-${counter++}`;
  let fleet: FleetVm[] = initial.map((eth1) => ({ name: newName(), memory: 1024, eth1 }));
  let before = identities(await buildYaml(folder, specOf(fleet)));
  // Pool lan's addresses ever handed out (eth0 is always from lan, eth1 from lab).
  const lanAddresses = (found: typeof before) => [...found].filter(([nic]) => nic.endsWith(' eth0')).map(([, { address }]) => address);
  const everUsed = new Set(lanAddresses(before));
  for (const edit of edits) {
    fleet = applyEdit(fleet, edit, newName);
    const after = identities(await buildYaml(folder, specOf(fleet)));
    for (const [nic, identity] of after) {
      const earlier = before.get(nic);
      // A renamed VM is a new name here, so only VMs that are still there are held to their identity.
      if (earlier !== undefined) expect({ nic, ...identity }).toEqual({ nic, ...earlier });
      else if (nic.endsWith(' eth0') && everUsed.has(identity.address)) {
        reused++;
        expect(everUsed.size, `${nic} got ${identity.address} again while the pool had a never-used address`).toBe(lanRange.last - lanRange.first + 1);
      }
    }
    expectNoneShared(after);
    for (const address of lanAddresses(after)) everUsed.add(address);
    before = after;
  }
  // The lock the last step saved is complete: a frozen plan of the same spec passes.
  expect((await planYaml(folder, specOf(fleet), { frozen: true })).allocationLock?.changed).toBe(false);
}

describe('allocation lock: random edit sequences', () => {
  it(`keeps every remaining VM's addresses and MACs through ${runs} sequences (FC_SEED=${seed})`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.boolean(), { minLength: 1, maxLength: 6 }), fc.array(editArbitrary, { minLength: 4, maxLength: 30, size: 'medium' }), checkSequence),
      { numRuns: runs, seed },
    );
    // The sequences do reach an exhausted pool (a few hundred reuses in 60 sequences), so that rule is tested too.
    expect(reused).toBeGreaterThan(0);
  });
});
