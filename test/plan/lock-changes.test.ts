// What --frozen tells people: one line per change between two allocation locks.
import { describe, expect, it } from 'vitest';
import type { AllocationLock, LockedNic } from '../../src/plan/allocation-lock.js';
import { describeLockChanges } from '../../src/plan/lock-changes.js';

function lockOf(vms: Record<string, Record<string, Partial<LockedNic>>>, released: Record<string, string[]> = {}): AllocationLock {
  return {
    fleet: 'f',
    vms: new Map(Object.entries(vms).map(([name, nics]) => [name, new Map(Object.entries(nics).map(([device, nic]) => [device, { macAddress: null, address: null, ...nic }]))])),
    released: new Map(Object.entries(released)),
  };
}

const lan = (address: string) => ({ pool: 'lan', address });

describe('describeLockChanges', () => {
  it('says nothing when nothing changed', () => {
    const lock = lockOf({ a: { eth0: { macAddress: '52:54:00:00:00:01', address: lan('10.0.0.10') } } }, { lan: ['10.0.0.11'] });
    expect(describeLockChanges(lock, lockOf({ a: { eth0: { macAddress: '52:54:00:00:00:01', address: lan('10.0.0.10') } } }, { lan: ['10.0.0.11'] }), 'f.lock.json')).toEqual([]);
  });

  it('names each VM and NIC given, moved, changed, dropped or removed, then each pool', () => {
    const before = lockOf(
      {
        gone: { eth0: { address: lan('10.0.0.12') } },
        kept: { eth0: { macAddress: '52:54:00:00:00:01', address: lan('10.0.0.10') }, eth1: { macAddress: '52:54:00:00:00:02' } },
        moved: { eth0: { address: lan('10.0.0.11') } },
        pinned: { eth0: { macAddress: '52:54:00:00:00:05', address: lan('10.0.0.13') } },
      },
      { lan: ['10.0.0.20', '10.0.0.30'] },
    );
    const after = lockOf(
      {
        added: { eth0: { macAddress: '52:54:00:00:00:09', address: lan('10.0.0.14') } },
        kept: { eth0: { macAddress: '52:54:00:00:00:03', address: lan('10.0.0.10') }, eth2: { macAddress: '52:54:00:00:00:04' } },
        moved: { eth0: { address: { pool: 'dmz', address: '10.0.0.11' } } },
        pinned: { eth0: { macAddress: '52:54:00:00:00:05' } },
      },
      { lan: ['10.0.0.30', '10.0.0.12', '10.0.0.13'] },
    );
    expect(describeLockChanges(before, after, 'f.lock.json')).toEqual([
      'added eth0 would be given 10.0.0.14 and MAC 52:54:00:00:00:09 (not in f.lock.json)',
      'gone would be removed from f.lock.json (10.0.0.12 released)',
      'kept eth0 MAC would change from 52:54:00:00:00:01 to 52:54:00:00:00:03',
      'kept eth1 would no longer record MAC 52:54:00:00:00:02',
      'kept eth2 would be given MAC 52:54:00:00:00:04 (not in f.lock.json)',
      'moved eth0 would move from 10.0.0.11 (pool lan) to 10.0.0.11 (pool dmz)',
      'pinned eth0 would no longer record 10.0.0.13 (pool lan)',
      'pool lan: 10.0.0.12 would be released',
      'pool lan: 10.0.0.13 would be released',
      'pool lan: released 10.0.0.20 would be forgotten (no longer in the pool\'s subnet, or the pool is gone)',
    ]);
  });

  it('does not repeat a released address handed out again, and tells a reorder', () => {
    const before = lockOf({}, { lan: ['10.0.0.20', '10.0.0.21'] });
    expect(describeLockChanges(before, lockOf({ n: { eth0: { address: lan('10.0.0.20') } } }, { lan: ['10.0.0.21'] }), 'f.lock.json')).toEqual([
      'n eth0 would be given 10.0.0.20 (not in f.lock.json)',
    ]);
    expect(describeLockChanges(before, lockOf({}, { lan: ['10.0.0.21', '10.0.0.20'] }), 'f.lock.json')).toEqual(['pool lan: the released addresses would be reordered']);
  });

  it('lists every entry of a lock that does not exist yet', () => {
    expect(describeLockChanges(null, lockOf({ a: { eth0: { macAddress: '52:54:00:00:00:01' } } }), 'f.lock.json')).toEqual([
      'a eth0 would be given MAC 52:54:00:00:00:01 (not in f.lock.json)',
    ]);
  });
});
