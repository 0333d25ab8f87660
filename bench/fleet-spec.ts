// Writes the benchmark's fleet specs: N VMs sharing defaults (a sudo user, root's password, sshd
// settings, write_files, runcmd, network v2 from an address pool), with one password for the whole
// fleet or a distinct one per VM (which costs two SHA-512 crypt hashes per VM).
import { stringify } from 'yaml';

export type PasswordMode = 'shared' | 'distinct';

const sshKey = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHl1eXBlcnN0aXRpb3VzbHlsb25ncGxhY2Vob2xkZXJrZXk ops@laptop';

function opsUser(password: string) {
  return { name: 'ops', gecos: 'Operations', groups: ['adm', 'sudo'], sudo: 'ALL=(ALL) NOPASSWD:ALL', shell: '/bin/bash', password, sshAuthorizedKeys: [sshKey] };
}

export interface FleetSpecOptions {
  passwords: PasswordMode;
  /** Which packer the seeds are made with; cloudseed's default (`auto`) picks native. */
  packer?: 'native' | 'genisoimage';
}

/** What a build --for kubevirt also needs: where CDI imports each VM's root disk from. */
const kubevirtDefaults = { rootDisk: { http: 'https://images.bench.internal/base.qcow2', size: '20G' } };

export function fleetSpecText(size: number, { passwords, packer = 'native' }: FleetSpecOptions): string {
  const name = (index: number) => `vm-${String(index + 1).padStart(4, '0')}`;
  const vms = Array.from({ length: size }, (_, index) =>
    passwords === 'shared'
      ? { name: name(index) }
      : { name: name(index), users: [opsUser(`ops-pass-${index}`)], rootPassword: `root-pass-${index}` });
  return stringify({
    fleet: `bench-${passwords}`,
    pools: { lan: { cidr: '10.50.0.0/16', range: '10.50.1.1-10.50.99.254', gateway: '10.50.0.1', dns: { servers: ['10.50.0.1'], search: ['bench.internal'] } } },
    defaults: {
      target: 'current',
      users: [opsUser('c0rrect horse: battery # staple')],
      rootPassword: 'root-secret',
      ssh: { passwordAuthentication: true, permitRootLogin: 'prohibit-password', pubkeyAuthentication: true },
      packages: ['qemu-guest-agent'],
      writeFiles: [{ path: '/etc/motd', permissions: '0644', content: 'Built by cloudseed.\nAsk ops@ before changing anything.\n' }],
      runcmd: [['systemctl', 'enable', '--now', 'qemu-guest-agent'], 'echo done > /var/tmp/seeded'],
      network: { config: 'v2', nics: [{ device: 'eth0', pool: 'lan', host: { type: 'bridge', bridge: 'br0' } }] },
      domain: { type: 'kvm', memory: 2048, vcpus: 2, rootDisk: { base: '/var/lib/libvirt/images/base.qcow2' } },
      seed: { packer },
      kubevirt: kubevirtDefaults,
    },
    vms,
  });
}

/**
 * `size` VMs from one `name:` pattern (see the README's fleet patterns) with the same defaults as
 * fleetSpecText's shared fleet, and one override: a fleet of any size in a few lines of spec.
 */
export function patternFleetSpecText(size: number): string {
  const base = fleetSpecText(1, { passwords: 'shared' }).split('\nvms:\n')[0]!;
  const width = String(size).length;
  const first = '1'.padStart(width, '0');
  const overridden = `vm-${'2'.padStart(width, '0')}`;
  return `${base}\nvms:\n  - name: vm-{${first}..${size}}\n    overrides:\n      ${overridden}: { domain: { memory: 4096 } }\n`;
}
