// Every VM of every spec in seeds/ against the tools that will consume its documents: cloud-init's
// schema check for user-data, cloud-init's four network renderers for network-config, libvirt's
// schema and its test driver for domain.xml, and PyYAML for meta-data. Plus the instance-id rules.
// The tools run in batches of `parallelism` at a time, each distinct document once.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NicPlan } from '../../src/plan/types.js';
import type { SeedDocuments } from '../../src/render/render-vm.js';
import { checkCloudConfigSchema, convertNetworkConfig, deprecatedKeys, type NetworkRenderer } from '../support/cloud-init-tools.js';
import { describeRun, mapLimited, readShellVariables, runCommand } from '../support/run-command.js';
import { missingTools } from '../support/tools.js';
import { exampleOptions, loadExamples, loadSeed, seedsDir, toolExamples, writtenFile, type Example } from './load-examples.js';

const parallelism = availableParallelism();
/** Generous: on an idle 2-core machine each of these takes 5-10 s, but a loaded one may take many times that. */
const toolTimeout = 600_000;

let examples: Example[];
let workDir: string;

beforeAll(async () => {
  examples = await loadExamples();
  workDir = await mkdtemp(path.join(tmpdir(), 'cloudseed-examples-'));
});
afterAll(() => rm(workDir, { recursive: true, force: true, maxRetries: 3 }));

/** Each distinct text once, with every example that has it. */
function groupByText(pick: (example: Example) => string, among: readonly Example[] = examples): { text: string; examples: Example[] }[] {
  const groups = new Map<string, Example[]>();
  for (const example of among) groups.set(pick(example), [...(groups.get(pick(example)) ?? []), example]);
  return [...groups].map(([text, members]) => ({ text, examples: members }));
}

const names = (members: Example[]) => members.map((example) => `${example.seed} ${example.vm.name}`).join(', ');

describe.skipIf(missingTools('python3').length > 0)('seeds/', () => {
  it('has the four example specs, with 67 VMs of distinct names', () => {
    expect([...new Set(examples.map((example) => example.seed))]).toEqual(['centos7-macvtap.yaml', 'debian12-netplan.yaml', 'fleet-ci-runners.yaml', 'fleet-web-pattern.yaml']);
    expect(new Set(examples.map((example) => example.vm.name)).size).toBe(67);
  });
});

describe.skipIf(missingTools('cloud-init', 'python3').length > 0)('user-data', () => {
  it('passes `cloud-init schema`, deprecated keys only on el7 and only chpasswd.list', async () => {
    const groups = groupByText((example) => example.documents.userData);
    const results = await mapLimited(groups, parallelism, async (group) => {
      const file = path.join(workDir, `user-data-${groups.indexOf(group)}`);
      await writeFile(file, group.text);
      return checkCloudConfigSchema(file);
    });
    groups.forEach((group, index) => {
      const result = results[index]!;
      const context = `${names(group.examples)}\n${describeRun(result)}`;
      expect(result.exitCode, context).toBe(0);
      expect(result.stdout, context).toContain('Valid cloud-config');
      const output = result.stdout + result.stderr;
      if (group.examples.every((example) => example.vm.target === 'el7')) {
        expect(deprecatedKeys(output), context).toEqual(group.examples[0]!.vm.chpasswd ? ['chpasswd.list'] : []);
      } else {
        expect(output, context).not.toMatch(/deprecat/i);
      }
    });
  }, toolTimeout);
});

interface RendererCheck {
  renderer: NetworkRenderer;
  distro: string;
  /** What the renderer must have written for this NIC, somewhere in its files. */
  expected(nic: NicPlan): RegExp[];
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const line = (text: string) => new RegExp(`^\\s*${escape(text)}\\s*$`, 'mi');

function staticAddress(nic: NicPlan): { address: string; prefix: number; netmask: string } {
  if (nic.addressing.kind !== 'static') throw new Error(`${nic.device}: the examples only have static addresses; add DHCP expectations`);
  return nic.addressing;
}

const rendererChecks: RendererCheck[] = [
  {
    renderer: 'sysconfig',
    distro: 'centos',
    expected: (nic) => {
      const { address, netmask } = staticAddress(nic);
      const routes = nic.routes.flatMap((route) => [new RegExp(`^ADDRESS(\\d+)=${escape(route.network)}\\n(?:.*\\n)*?GATEWAY\\1=${escape(route.via)}\\n(?:.*\\n)*?NETMASK\\1=${escape(route.netmask)}$`, 'm')]);
      return [line(`DEVICE=${nic.device}`), line(`HWADDR=${nic.macAddress}`), line(`IPADDR=${address}`), line(`NETMASK=${netmask}`),
        ...(nic.gateway ? [line(`GATEWAY=${nic.gateway}`)] : []), ...routes];
    },
  },
  {
    renderer: 'netplan',
    distro: 'ubuntu',
    expected: (nic) => {
      const { address, prefix } = staticAddress(nic);
      // From v2 input the default route stays a route; from v1 it becomes gateway4.
      const gateway = nic.gateway ? [new RegExp(`^\\s*(via|gateway4): ${escape(nic.gateway)}$`, 'm')] : [];
      const routes = nic.routes.map((route) => new RegExp(`to: ${escape(`${route.network}/${route.prefix}`)}\\n\\s*via: ${escape(route.via)}$`, 'm'));
      return [line(`macaddress: ${nic.macAddress}`), line(`- ${address}/${prefix}`), ...gateway, ...routes];
    },
  },
  {
    renderer: 'eni',
    distro: 'debian',
    expected: (nic) => {
      const { address, prefix } = staticAddress(nic);
      const gateway = nic.gateway ? [new RegExp(`^\\s*(gateway|post-up route add default gw) ${escape(nic.gateway)}\\b`, 'm')] : [];
      const routes = nic.routes.map((route) => line(`post-up route add -net ${route.network}/${route.prefix} gw ${route.via} || true`));
      return [line(`iface ${nic.device} inet static`), line(`address ${address}/${prefix}`), new RegExp(`ATTR\\{address\\}=="${escape(nic.macAddress)}", NAME="${escape(nic.device)}"`),
        ...gateway, ...routes];
    },
  },
  {
    renderer: 'networkd',
    distro: 'debian',
    expected: (nic) => {
      const { address, prefix } = staticAddress(nic);
      const routes = nic.routes.map((route) => new RegExp(`^Destination=${escape(`${route.network}/${route.prefix}`)}\\n+Gateway=${escape(route.via)}$`, 'm'));
      return [line(`MACAddress=${nic.macAddress}`), line(`Address=${address}/${prefix}`), ...(nic.gateway ? [line(`Gateway=${nic.gateway}`)] : []), ...routes];
    },
  },
];

describe.skipIf(missingTools('cloud-init', 'python3').length > 0)('network-config', () => {
  it('is `config: disabled` exactly where the spec says so', () => {
    for (const example of examples) {
      const disabled = example.vm.network.config === 'disabled';
      expect(example.networkConfig.config === 'disabled', example.vm.name).toBe(disabled);
      if (disabled) expect(example.networkConfig, example.vm.name).toEqual({ config: 'disabled' });
    }
  });

  // One test per renderer: 29 documents each, about 0.4 s of CPU per net-convert run.
  for (const check of rendererChecks) {
    it(`converts with net-convert to ${check.renderer} (${check.distro}), with every NIC's address, gateway, routes and MAC`, async () => {
      const groups = groupByText((example) => example.documents.networkConfig, toolExamples(examples)).filter((group) => group.examples[0]!.vm.network.config !== 'disabled');
      expect(groups.length).toBe(29);
      const converted = await mapLimited(groups, parallelism, (group) =>
        convertNetworkConfig(group.text, { renderer: check.renderer, distro: check.distro, outputDir: path.join(workDir, 'net', check.renderer, String(groups.indexOf(group))) }),
      );
      groups.forEach((group, index) => {
        const { result, files } = converted[index]!;
        const written = [...files].map(([name, text]) => `== ${name}\n${text}`).join('\n');
        const context = `${check.renderer} of ${names(group.examples)}\n${describeRun(result)}\n${written}`;
        expect(result.exitCode, context).toBe(0);
        for (const nic of group.examples[0]!.vm.network.nics) {
          for (const pattern of check.expected(nic)) expect(written, context).toMatch(pattern);
        }
      });
    }, toolTimeout);
  }
});

const xmlParser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  isArray: (name) => ['disk', 'interface', 'entry'].includes(name),
});

interface DomainDocument {
  domain: {
    name: string;
    sysinfo?: { '@type': string; system: { entry: { '@name': string; '#text': string }[] } };
    os: { type: { '@machine'?: string }; smbios?: { '@mode': string } };
    devices: {
      disk: { '@device': string; source: { '@file': string }; target: { '@dev': string; '@bus': string }; readonly?: unknown }[];
      interface: { mac: { '@address': string } }[];
    };
  };
}

/** The MAC of each NIC as the guest will see it named: network-config v1/v2, or the ifcfg files. */
async function guestMacs(example: Example): Promise<string[]> {
  const { networkConfig } = example;
  if (networkConfig.version === 2) return Object.values(networkConfig.ethernets ?? {}).map((ethernet) => ethernet.match?.macaddress ?? '');
  if (networkConfig.version === 1) {
    const config = networkConfig.config as { type: string; mac_address: string }[];
    return config.filter((entry) => entry.type === 'physical').map((entry) => entry.mac_address);
  }
  return Promise.all(example.vm.network.nics.map(async (nic) => {
    const ifcfg = writtenFile(example, `/etc/sysconfig/network-scripts/ifcfg-${nic.device}`);
    return (await readShellVariables(ifcfg, ['HWADDR'])).HWADDR ?? '';
  }));
}

/** Where the seed must be attached, by what the spec asked for (runner-04: a cdrom on a pc machine). */
function expectedSeedTarget(example: Example): { device: string; dev: string; bus: string } {
  if (example.vm.name === 'runner-04') return { device: 'cdrom', dev: 'hdc', bus: 'ide' };
  return { device: 'disk', dev: 'vdb', bus: 'virtio' };
}

describe.skipIf(missingTools('virt-xml-validate', 'virsh', 'python3').length > 0)('domain.xml', () => {
  let files: string[];
  beforeAll(async () => {
    await mkdir(path.join(workDir, 'domains'), { recursive: true });
    files = await Promise.all(toolExamples(examples).map(async (example) => {
      const file = path.join(workDir, 'domains', `${example.vm.name}.xml`);
      await writeFile(file, example.documents.domainXml);
      return file;
    }));
  });

  it("passes libvirt's schema (virt-xml-validate)", async () => {
    const results = await mapLimited(files, parallelism, (file) => runCommand('virt-xml-validate', [file, 'domain']));
    results.forEach((result) => expect(result.exitCode, describeRun(result)).toBe(0));
  });

  it("is defined by libvirt's test driver, all of them in one connection", async () => {
    // The test driver keeps its domains per connection, so the defines and the check share one virsh.
    const script = [...files.map((file) => `define ${file}`), 'list --all --name'].join(' ; ');
    const result = await runCommand('virsh', ['-c', 'test:///default', script]);
    const context = describeRun(result);
    expect(result.exitCode, context).toBe(0);
    // virsh goes on after a failed command in a script and exits with the last one's status.
    expect(result.stderr, context).not.toMatch(/error/i);
    toolExamples(examples).forEach((example, index) => expect(result.stdout, context).toContain(`Domain '${example.vm.name}' defined from ${files[index]}`));
    const listed = result.stdout.split('\n').map((entry) => entry.trim());
    for (const example of toolExamples(examples)) expect(listed, context).toContain(example.vm.name);
  });

  it("gives each interface the MAC the guest's network configuration expects, in order", async () => {
    for (const example of examples) {
      const { domain } = xmlParser.parse(example.documents.domainXml) as DomainDocument;
      const macs = domain.devices.interface.map((item) => item.mac['@address']);
      expect(macs, example.vm.name).toEqual(await guestMacs(example));
      expect(macs, example.vm.name).toEqual(example.vm.network.nics.map((nic) => nic.macAddress));
    }
  });

  it('attaches the seed where the spec asked, and says ds=nocloud in the SMBIOS serial', () => {
    for (const example of examples) {
      const { domain } = xmlParser.parse(example.documents.domainXml) as DomainDocument;
      const seedPath = path.join(exampleOptions.outputDir, example.vm.name, 'my-seed.img');
      const seeds = domain.devices.disk.filter((disk) => disk.source['@file'] === seedPath);
      expect(seeds, example.vm.name).toHaveLength(1);
      const expected = expectedSeedTarget(example);
      expect({ device: seeds[0]!['@device'], dev: seeds[0]!.target['@dev'], bus: seeds[0]!.target['@bus'] }, example.vm.name).toEqual(expected);
      expect(seeds[0]!.readonly !== undefined, `${example.vm.name}: a cdrom is read-only`).toBe(expected.device === 'cdrom');
      if (expected.bus === 'sata') expect(domain.os.type['@machine'], example.vm.name).toMatch(/q35/);
      expect(domain.sysinfo?.['@type'], example.vm.name).toBe('smbios');
      expect(domain.sysinfo?.system.entry.filter((entry) => entry['@name'] === 'serial').map((entry) => entry['#text']), example.vm.name).toEqual(['ds=nocloud']);
      expect(domain.os.smbios?.['@mode'], example.vm.name).toBe('sysinfo');
    }
  });
});

describe.skipIf(missingTools('python3').length > 0)('meta-data and instance-ids', () => {
  it('reads as exactly {instance-id, local-hostname}', () => {
    for (const example of examples) {
      expect(example.metaData, example.vm.name).toEqual({ 'instance-id': example.documents.instanceId, 'local-hostname': example.vm.hostname });
    }
  });

  it('gives every VM of the fleet its own instance-id', () => {
    const ids = examples.map((example) => example.documents.instanceId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  /** fleet-ci-runners.yaml with `extra` (indented YAML lines) added under one VM. */
  async function runnersWith(vmName: string, extra: string): Promise<Map<string, SeedDocuments>> {
    const original = await readFile(path.join(seedsDir, 'fleet-ci-runners.yaml'), 'utf8');
    const marker = `  - name: ${vmName}\n`;
    expect(original).toContain(marker);
    const file = path.join(workDir, `fleet-ci-runners-${vmName}.yaml`);
    await writeFile(file, original.replace(marker, marker + extra));
    return new Map((await loadSeed(file)).map(({ vm, documents }) => [vm.name, documents]));
  }

  const runnerIds = () => new Map(examples.filter((example) => example.seed === 'fleet-ci-runners.yaml').map((example) => [example.vm.name, example.documents.instanceId]));
  const idsOf = (documents: Map<string, SeedDocuments>) => new Map([...documents].map(([name, seed]) => [name, seed.instanceId]));

  it("changes with one VM's runcmd line, for that VM only", async () => {
    const before = runnerIds();
    const after = idsOf(await runnersWith('runner-05', '    runcmd:\n      - [systemctl, enable, --now, sshd]\n'));
    expect([...after.keys()]).toEqual([...before.keys()]);
    for (const [name, id] of before) {
      if (name === 'runner-05') expect(after.get(name), name).not.toBe(id);
      else expect(after.get(name), name).toBe(id);
    }
  });

  it('is used as given when the spec pins it, whatever else changes', async () => {
    const pinned = await runnersWith('runner-07', '    instanceId: iid-runner-07-pinned\n');
    const pinnedAndChanged = await runnersWith('runner-07', '    instanceId: iid-runner-07-pinned\n    runcmd: [echo changed]\n');
    for (const documents of [pinned, pinnedAndChanged]) {
      expect(documents.get('runner-07')?.instanceId).toBe('iid-runner-07-pinned');
      expect(documents.get('runner-07')?.metaData).toBe('instance-id: iid-runner-07-pinned\nlocal-hostname: runner-07\n');
    }
    expect(pinnedAndChanged.get('runner-07')?.userData).not.toBe(pinned.get('runner-07')?.userData);
    const before = runnerIds();
    for (const [name, id] of idsOf(pinned)) if (name !== 'runner-07') expect(id, name).toBe(before.get(name));
  });
});
