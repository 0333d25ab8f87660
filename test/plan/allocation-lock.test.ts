// The allocation lock's format: one byte layout whatever the order things were found in, read back to
// the same lock, and every file that is not this fleet's cloudseed lock refused before anything is written.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CloudseedError } from '../../src/errors.js';
import { lockFilePath, parseAllocationLock, sameAllocationLock, serializeAllocationLock, type AllocationLock, type LockedNic } from '../../src/plan/allocation-lock.js';
import { fleetYaml, lockFolder, planYaml, vms } from './support/lock-fleet.js';
import { errorThrownBy } from '../support/cloudseed-errors.js';

const lock: AllocationLock = {
  fleet: 'ci',
  vms: new Map<string, Map<string, LockedNic>>([
    ['runner-10', new Map([['eth1', { macAddress: '52:54:00:00:00:02', address: null }], ['eth0', { macAddress: '52:54:00:00:00:01', address: { pool: 'lan', address: '10.0.0.11' } }]])],
    ['Runner-2', new Map([['eth0', { macAddress: null, address: { pool: 'lan', address: '10.0.0.10' } }]])],
    ['runner-02', new Map([['eth0', { macAddress: '52:54:00:00:00:03', address: null }]])],
  ]),
  released: new Map([['lan', ['10.0.0.20', '10.0.0.12']], ['dmz', []], ['backup', ['10.5.0.9']]]),
};

const expected = `{
  "cloudseedLock": 1,
  "fleet": "ci",
  "vms": {
    "Runner-2": {
      "eth0": {
        "pool": "lan",
        "address": "10.0.0.10"
      }
    },
    "runner-02": {
      "eth0": {
        "mac": "52:54:00:00:00:03"
      }
    },
    "runner-10": {
      "eth0": {
        "mac": "52:54:00:00:00:01",
        "pool": "lan",
        "address": "10.0.0.11"
      },
      "eth1": {
        "mac": "52:54:00:00:00:02"
      }
    }
  },
  "released": {
    "backup": [
      "10.5.0.9"
    ],
    "lan": [
      "10.0.0.20",
      "10.0.0.12"
    ]
  }
}
`;

const context = { file: 'seeds/fleet.lock.json', fleet: 'ci' };

function refusal(text: string): CloudseedError {
  return errorThrownBy(() => parseAllocationLock(text, context));
}

/** The message and every problem, as one text to match. */
function told(error: CloudseedError): string {
  return [error.message, ...error.problems.map((problem) => `${problem.location.field}: ${problem.message}`)].join('\n');
}

describe('allocation lock format', () => {
  it('sorts VMs, devices and pools by code unit, keeps released addresses oldest first, ends in a newline', () => {
    expect(serializeAllocationLock(lock)).toBe(expected);
  });

  it('reads back to the same lock and the same bytes', () => {
    const read = parseAllocationLock(expected, context);
    expect(serializeAllocationLock(read)).toBe(expected);
    expect(read.vms.get('runner-10')?.get('eth0')).toEqual({ macAddress: '52:54:00:00:00:01', address: { pool: 'lan', address: '10.0.0.11' } });
  });

  it('writes a hand-edited lock back in its own layout', () => {
    const edited = '{"released":{"lan":[]},"vms":{"b":{"eth0":{"address":"10.0.0.11","pool":"lan","mac":"52-54-00-AA-BB-CC"}}},"fleet":"ci","cloudseedLock":1}';
    expect(serializeAllocationLock(parseAllocationLock(edited, context))).toBe(
      '{\n  "cloudseedLock": 1,\n  "fleet": "ci",\n  "vms": {\n    "b": {\n      "eth0": {\n        "mac": "52:54:00:aa:bb:cc",\n        "pool": "lan",\n        "address": "10.0.0.11"\n      }\n    }\n  },\n  "released": {}\n}\n',
    );
  });

  it('calls two locks the same exactly when their bytes are the same', () => {
    // A small space of values, so that two independent draws are often equal.
    const nic = fc.record({
      macAddress: fc.constantFrom(null, '52:54:00:00:00:01', '52:54:00:00:00:02'),
      address: fc.option(fc.record({ pool: fc.constantFrom('lan', 'dmz'), address: fc.constantFrom('10.0.0.10', '10.0.0.11') })),
    });
    const nics = fc.uniqueArray(fc.tuple(fc.constantFrom('eth0', 'eth1'), nic), { selector: ([device]) => device, maxLength: 2 });
    const lockArbitrary = fc.record({
      fleet: fc.constantFrom('f', 'g'),
      vms: fc.uniqueArray(fc.tuple(fc.constantFrom('a', 'b'), nics), { selector: ([name]) => name, maxLength: 2 }),
      released: fc.uniqueArray(fc.tuple(fc.constantFrom('lan', 'dmz'), fc.array(fc.constantFrom('10.0.0.10', '10.0.0.11'), { maxLength: 2 })), { selector: ([pool]) => pool, maxLength: 2 }),
    }).map(({ fleet, vms, released }): AllocationLock => ({ fleet, vms: new Map(vms.map(([name, list]) => [name, new Map(list)])), released: new Map(released) }));
    let equal = 0;
    fc.assert(
      fc.property(lockArbitrary, lockArbitrary, (a, b) => {
        const same = serializeAllocationLock(a) === serializeAllocationLock(b);
        if (same) equal++;
        expect(sameAllocationLock(a, b)).toBe(same);
        expect(sameAllocationLock(a, a)).toBe(true);
      }),
      { numRuns: 2000 },
    );
    expect(equal).toBeGreaterThan(0);
  });

  it('lives beside the spec, named after it', () => {
    expect(lockFilePath('seeds/fleet.yaml')).toBe('seeds/fleet.lock.json');
    expect(lockFilePath('/srv/ci/Runners.YML')).toBe('/srv/ci/Runners.lock.json');
    expect(lockFilePath('fleet')).toBe('fleet.lock.json');
  });
});

describe('allocation lock format: refusals', () => {
  const valid = { cloudseedLock: 1, fleet: 'ci', vms: { a: { eth0: { mac: '52:54:00:00:00:01', pool: 'lan', address: '10.0.0.10' } } }, released: {} };
  type Document = Record<string, unknown>;
  const withChange = (change: (document: Document) => void) => {
    const document = structuredClone(valid) as Document;
    change(document);
    return JSON.stringify(document);
  };
  const vmsOf = (document: Document) => document.vms as Record<string, unknown>;
  const nicOf = (document: Document) => (vmsOf(document).a as Record<string, Record<string, unknown>>).eth0!;

  it.each([
    ['not JSON', 'cloudseedLock: 1', /^seeds\/fleet\.lock\.json is not JSON \(.*\); expected cloudseed's allocation lock, an object with "cloudseedLock": 1$/],
    ['a JSON list', '[1]', /^seeds\/fleet\.lock\.json is not a cloudseed allocation lock: expected a JSON object with "cloudseedLock": 1$/],
    ['another tool\'s lock', '{"lockfileVersion": 3, "packages": {}}', /is not a cloudseed allocation lock/],
    ['a newer format', withChange((document) => (document.cloudseedLock = 2)), /^seeds\/fleet\.lock\.json is an allocation lock of format 2; this cloudseed reads format 1$/],
    ['a version as text', withChange((document) => (document.cloudseedLock = '1')), /of format "1"; this cloudseed reads format 1/],
    ['a bad address', withChange((document) => (nicOf(document).address = '10.0.0.300')), /vms\.a\.eth0\.address: "10\.0\.0\.300" is not an IPv4 address/],
    ['a multicast MAC', withChange((document) => (nicOf(document).mac = '01:00:5e:00:00:01')), /vms\.a\.eth0\.mac: "01:00:5e:00:00:01" is not a unicast MAC address/],
    ['a VM that is not an object', withChange((document) => (vmsOf(document).a = '10.0.0.10')), /vms\.a: expected an object of NICs by device/],
    ['a NIC with a pool and no address', withChange((document) => delete nicOf(document).address), /vms\.a\.eth0: expected "pool" and "address" together, or neither/],
    ['an empty NIC', withChange((document) => (vmsOf(document).a = { eth0: {} })), /vms\.a\.eth0: expected "mac", or "pool" and "address"/],
    ['an unknown key', withChange((document) => (nicOf(document).gateway = '10.0.0.1')), /vms\.a\.eth0\.gateway: unknown key/],
    ['no vms', withChange((document) => delete document.vms), /vms: expected an object of VMs by name/],
    ['a released address that is not one', withChange((document) => (document.released = { lan: ['10.0.0.10', 'x'] })), /released\.lan\[1\]: "x" is not an IPv4 address/],
    ['another fleet', withChange((document) => (document.fleet = 'web')), /^seeds\/fleet\.lock\.json is the lock of fleet "web", but the spec's fleet is "ci"$/],
  ])('refuses %s as SPEC_INVALID (exit 2), naming the file and what was expected', (_what, text, message) => {
    const error = refusal(text);
    expect(error.code).toBe('SPEC_INVALID');
    expect(told(error)).toMatch(message);
    expect(told(error)).toContain('seeds/fleet.lock.json');
  });

  it('reports every problem of a lock at once', () => {
    const text = withChange((document) => {
      nicOf(document).address = 'nope';
      vmsOf(document).b = [];
    });
    expect(refusal(text).problems.map((problem) => problem.location.field)).toEqual(['vms.a.eth0.address', 'vms.b']);
  });

  it('refuses, through planSpecFile, a file it did not write and leaves it as it was', async () => {
    const folder = lockFolder();
    const file = path.join(folder, 'fleet.lock.json');
    writeFileSync(file, '{"name": "someone else\'s"}\n');
    const error = await planYaml(folder, fleetYaml(vms('a'))).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CloudseedError);
    expect((error as CloudseedError).code).toBe('SPEC_INVALID');
    expect((error as CloudseedError).message).toContain(file);
    expect(readFileSync(file, 'utf8')).toBe('{"name": "someone else\'s"}\n');
  });

  it('refuses a lock that is not UTF-8', async () => {
    const folder = lockFolder();
    writeFileSync(path.join(folder, 'fleet.lock.json'), Buffer.from([0x7b, 0xff, 0x7d]));
    await expect(planYaml(folder, fleetYaml(vms('a')))).rejects.toThrow(/is not UTF-8 text/);
  });
});
