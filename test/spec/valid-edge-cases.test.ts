// The other side of the malformed corpus: values at the very edge of each new rule (a 15-byte tap name,
// aarch64, pc-q35-8.2, the largest memory and vCPU count, a range that ends one short of broadcast, …)
// are accepted, and the domains they give pass libvirt's schema and its test driver's define.
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudseedError, formatError } from '../../src/errors.js';
import { detectEnvironment, planFleet, type FleetPlan } from '../../src/plan/index.js';
import { renderFleet } from '../../src/render/index.js';
import { maxMemoryMiB, maxVcpus } from '../../src/spec/schema.js';
import { loadSpec } from '../../src/spec/index.js';
import { describeRun, runCommand } from '../support/run-command.js';
import { missingTools } from '../support/tools.js';

const edgeSpec = `
fleet: edges
pools:
  lan: { cidr: 10.40.0.0/24, range: 10.40.0.1-10.40.0.254, gateway: 10.40.0.254 }
  p2p: { cidr: 10.9.0.0/31 }
defaults:
  domain: { rootDisk: { base: images/base.qcow2 } }
vms:
  - name: manifest.json.bak
    instanceId: iid-edges-1
    groups:
      - web-admins
      - _daemons
      - { Ops.Team: [root, deploy_1] }
      - sambashare$
    users:
      - name: deploy_1
        groups: [adm, web-admins, _daemons]
        shell: /usr/bin/zsh
        sudo: "ALL=(ALL)\\tNOPASSWD:ALL"
    writeFiles:
      - { path: /etc/.hidden, content: "x" }
      - { path: /var/tmp/two..dots, content: "x" }
      - { path: /etc/ssh/sshd_config.d/50-edge.conf, content: "PasswordAuthentication no\\n" }
    network:
      nics:
        - device: eth0
          pool: lan
          address: 10.40.0.1
          routes:
            - { to: 10.20.0.0/16, via: 10.40.0.253 }
          host: { type: ethernet, tap: tap-edges-eth0x }
          model: virtio-transitional
        - device: eth1
          address: 10.50.0.2/24
          routes:
            - { to: default, via: 10.50.0.1, metric: 200 }
          host: { type: bridge, bridge: br-lab.100 }
          model: e1000e
        - device: eth2
          pool: p2p
          address: 10.9.0.0
          host: { type: network, network: "lab:isolated_1" }
        - device: eth3
          routes:
            - { to: 192.0.2.0/24, via: 198.51.100.1 }
          host: { type: user }
    domain:
      arch: aarch64
      machine: pc-q35-8.2
      emulator: /usr/bin/qemu-system-aarch64
      memory: ${maxMemoryMiB}
      vcpus: ${maxVcpus}
      kernelBoot: { kernel: boot/vmlinuz, initrd: boot/initrd.img, cmdline: "console=ttyS0\\troot=/dev/vda1" }
    seed:
      hostPath: /var/lib/libvirt/images/seeds/edge-seed.img
  - name: Web1
    hostname: web1
    fqdn: web1.lab.example
    instanceId: iid-edges-2
    network:
      nics:
        - { device: eth0, mac: "52:54:00:aa:bb:cc", address: 10.60.0.2/31, gateway: 10.60.0.3, host: { type: direct, dev: enp0s31f6 } }
        - { device: eth1, mac: "02:00:00:aa:bb:cc", host: { type: bridge, bridge: br0 } }
        - { device: eth2, host: { type: direct, dev: eth0, mode: vepa } }
        - { device: eth3, host: { type: direct, dev: eth1, mode: passthru } }
    domain:
      arch: x86_64
      machine: pc-i440fx-7.2
      memory: 64
      vcpus: 1
  - name: web2
    fqdn: web2.lab.example
    network:
      nics:
        - { device: eth0, pool: lan, host: { type: direct, dev: eth0 } }
`;

let folder: string;
let fleet: FleetPlan;

beforeAll(async () => {
  folder = await mkdtemp(path.join(tmpdir(), 'cloudseed-edges-'));
  await mkdir(path.join(folder, 'images'));
  await mkdir(path.join(folder, 'boot'));
  for (const file of ['images/base.qcow2', 'boot/vmlinuz', 'boot/initrd.img']) await writeFile(path.join(folder, file), '');
  await writeFile(path.join(folder, 'edges.yaml'), edgeSpec);
  try {
    const spec = await loadSpec(path.join(folder, 'edges.yaml'));
    fleet = planFleet(spec, { outputDir: path.join(folder, 'out'), environment: detectEnvironment(), saltSecret: 'test' });
  } catch (error) {
    // The report says which edge was refused, which a bare "threw" would not.
    if (error instanceof CloudseedError) throw new Error(formatError(error));
    throw error;
  }
});

afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

describe('values at the edge of the rules', () => {
  it('plan without a problem', () => {
    expect(fleet.vms.map((vm) => vm.name)).toEqual(['manifest.json.bak', 'Web1', 'web2']);
    expect(fleet.vms[0]!.domain).toMatchObject({ arch: 'aarch64', machine: 'pc-q35-8.2', memoryMiB: maxMemoryMiB, vcpus: maxVcpus });
    expect(fleet.vms[0]!.network.nics.map((nic) => nic.addressing)).toMatchObject([
      { kind: 'static', address: '10.40.0.1', prefix: 24 },
      { kind: 'static', address: '10.50.0.2', prefix: 24 },
      { kind: 'static', address: '10.9.0.0', prefix: 31 },
      { kind: 'dhcp' },
    ]);
    // The pool's last host address, one short of broadcast, is left for web2 after the pinned .1.
    expect(fleet.vms[2]!.network.nics[0]!.addressing).toMatchObject({ address: '10.40.0.2' });
  });

  it('give each macvtap NIC its own device name', () => {
    const tails = fleet.vms.flatMap((vm) => vm.network.nics.filter((nic) => nic.host.type === 'direct').map((nic) => nic.macAddress.slice(9)));
    expect(tails).toHaveLength(4);
    expect(new Set(tails).size).toBe(4);
  });

  describe.skipIf(missingTools('virt-xml-validate', 'virsh').length > 0)('domain.xml', () => {
    let files: string[];
    beforeAll(async () => {
      files = await Promise.all(renderFleet(fleet).map(async (documents, index) => {
        const file = path.join(folder, `domain-${index}.xml`);
        await writeFile(file, documents.domainXml);
        return file;
      }));
    });

    it("passes libvirt's schema (virt-xml-validate)", async () => {
      for (const file of files) {
        const result = await runCommand('virt-xml-validate', [file, 'domain']);
        expect(result.exitCode, describeRun(result)).toBe(0);
      }
    });

    it("is defined by libvirt's test driver", async () => {
      const result = await runCommand('virsh', ['-c', 'test:///default', files.map((file) => `define ${file}`).join(' ; ')]);
      expect(result.exitCode, describeRun(result)).toBe(0);
      expect(result.stderr, describeRun(result)).not.toMatch(/error/i);
    });
  });
});
