// The ifcfg files cloudseed writes (network.ifcfg) against the ones cloud-init's own sysconfig renderer
// writes for the same NICs, key by key in both directions, for each NIC shape: a key one side has and
// the other lacks, or a value they disagree on, fails unless it is one of the differences named here.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { validateSpec } from '../../src/output/build-fleet.js';
import { convertNetworkConfig } from '../support/cloud-init-tools.js';
import { readShellVariables } from '../support/run-command.js';
import { missingTools } from '../support/tools.js';

const environment = { kvmUsable: false, fileExists: () => true };
const workspace = mkdtempSync(path.join(tmpdir(), 'cloudseed-ifcfg-'));
afterAll(() => rmSync(workspace, { recursive: true, force: true }));
let runs = 0;

/**
 * What cloudseed writes on purpose otherwise. BOOTPROTO: the article's `static`, where cloud-init
 * writes `none`; EL7's network-scripts read anything but dhcp and bootp as static.
 */
const knownDifferences: Record<string, { ours: string | null; theirs: string | null }> = {
  BOOTPROTO: { ours: 'static', theirs: 'none' },
};

const nicShapes: Record<string, object[]> = {
  'static, gateway, two DNS servers, search, MTU, a route with a metric': [{
    device: 'eth0', mac: '52:54:00:10:00:01', address: '10.0.0.5/24', gateway: '10.0.0.1', mtu: 1400,
    dns: { servers: ['10.0.0.53', '10.0.0.54'], search: ['a.test', 'b.test'] },
    routes: [{ to: '10.1.0.0/16', via: '10.0.0.254', metric: 50 }],
  }],
  'static without a gateway': [{ device: 'eth0', mac: '52:54:00:10:00:02', address: '192.168.5.9/25' }],
  'DHCP': [{ device: 'eth0', mac: '52:54:00:10:00:03', address: 'dhcp' }],
  'two NICs, one static with routes and one DHCP': [
    { device: 'eth0', mac: '52:54:00:10:00:04', address: '172.16.0.10/16', gateway: '172.16.0.1', dns: { servers: ['172.16.0.2'] },
      routes: [{ to: '10.8.0.0/24', via: '172.16.0.3' }, { to: '10.9.0.0/24', via: '172.16.0.4', metric: 7 }] },
    { device: 'eth1', mac: '52:54:00:10:00:05', address: 'dhcp', mtu: 9000 },
  ],
};

interface UserData { write_files: { path: string; content: string }[] }

async function planFor(nics: object[], network: object) {
  const file = path.join(workspace, `spec-${runs++}.json`);
  writeFileSync(file, JSON.stringify({ fleet: 'ifcfg', vms: [{ name: 'vm1', target: 'el7', network: { ...network, nics }, domain: { rootDisk: { base: '/img/a.qcow2' } } }] }));
  return validateSpec(file, { outputDir: path.join(workspace, 'out'), environment, saltSecret: 'test' });
}

async function documentsFor(nics: object[], network: object) {
  return (await planFor(nics, network)).documents[0]!;
}

it('warns when cloud-init and the ifcfg files would both write ifcfg-<dev>, and not with networking disabled', async () => {
  const nics = nicShapes.DHCP!;
  const warnings = async (config: string) => (await planFor(nics, { config, ifcfg: true })).plan.warnings.map((warning) => warning.message);
  expect(await warnings('v2')).toEqual([expect.stringMatching(/^network\.ifcfg with network\.config v2: on EL guests cloud-init writes the ifcfg files from network-config too/)]);
  expect(await warnings('disabled')).toEqual([]);
});

/** Every KEY=value assignment of a sysconfig file, as bash reads it. */
async function variables(text: string): Promise<Record<string, string | null>> {
  const names = [...new Set([...text.matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((match) => match[1]!))];
  return readShellVariables(text, names);
}

describe.skipIf(missingTools('cloud-init', 'bash').length > 0)("ifcfg files against cloud-init's sysconfig renderer", () => {
  it.each(Object.entries(nicShapes))('%s', async (_shape, nics) => {
    const ours = parse((await documentsFor(nics, { config: 'disabled', ifcfg: true })).userData) as UserData;
    const v1 = (await documentsFor(nics, { config: 'v1' })).networkConfig;
    const converted = await convertNetworkConfig(v1, { renderer: 'sysconfig', distro: 'centos', outputDir: path.join(workspace, `net-${runs++}`) });
    expect(converted.result.exitCode, converted.result.stderr).toBe(0);

    const scripts = '/etc/sysconfig/network-scripts/';
    const ourFiles = ours.write_files.filter((file) => file.path.startsWith(scripts));
    // cloud-init writes an empty route6-<dev> beside every route-<dev>; cloudseed writes no IPv6.
    const theirNames = [...converted.files.keys()].filter((name) => name.startsWith(`etc/sysconfig/network-scripts/`) && !name.includes('route6-'));
    expect(ourFiles.map((file) => file.path).sort()).toEqual(theirNames.map((name) => `/${name}`).sort());

    for (const file of ourFiles) {
      const theirText = converted.files.get(file.path.slice(1))!;
      const [mine, theirs] = [await variables(file.content), await variables(theirText)];
      const context = `${file.path}\ncloudseed's:\n${file.content}\ncloud-init's:\n${theirText}`;
      for (const key of new Set([...Object.keys(mine), ...Object.keys(theirs)])) {
        const pair = { ours: mine[key] ?? null, theirs: theirs[key] ?? null };
        expect(pair, `${key} in ${context}`).toEqual(knownDifferences[key] && pair.ours === knownDifferences[key]!.ours ? knownDifferences[key] : { ours: pair.theirs, theirs: pair.theirs });
      }
    }
  });
});
