// The specs `cloudseed init` writes: commented for a first reader, and built as they are by a test
// (test/cli/init.test.ts), so a starter never teaches a field cloudseed refuses.

/** One VM on libvirt's default network, with a sudo user who logs in by SSH key. */
const singleVm = `fleet: starter                    # names the fleet; MAC addresses are derived from it
vms:
  - name: vm1                     # the VM's folder under the output folder, and its libvirt domain
    hostname: vm1
    target: current               # cloud-init 22+ (Debian 12, Ubuntu 22.04+); el7 for CentOS 7
    users:
      - name: ops
        groups: [sudo]
        sudo: "ALL=(ALL) NOPASSWD:ALL"
        shell: /bin/bash
        sshAuthorizedKeys:        # replace with your own key (cat ~/.ssh/id_ed25519.pub)
          - ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHl1eXBlcnN0aXRpb3VzbHlsb25ncGxhY2Vob2xkZXJrZXk you@laptop
    packages: [qemu-guest-agent]
    network:
      nics:
        - device: eth0
          address: dhcp           # or a static address such as 192.168.122.50/24 with a gateway
          host: { type: network, network: default }   # libvirt's default NAT network
    domain:
      memory: 1024                # MiB
      vcpus: 1
      # An image on the hypervisor (download a cloud image there first). \`cloudseed up\` gives the VM
      # its own overlay over it; a path that does not exist on this machine is only a warning.
      rootDisk: { base: /var/lib/libvirt/images/debian-12-genericcloud-amd64.qcow2 }
`;

/** Three VMs from one name pattern with addresses from a pool, and settings shared under defaults. */
const fleet = `fleet: starter-fleet              # names the fleet; MAC addresses are derived from it
pools:
  lan:                            # VMs with \`pool: lan\` get the next free address from here
    cidr: 192.168.122.0/24        # libvirt's default network
    range: 192.168.122.100-192.168.122.199
    gateway: 192.168.122.1
    dns: { servers: [192.168.122.1] }
defaults:                         # what every VM has unless it says otherwise
  target: current                 # cloud-init 22+ (Debian 12, Ubuntu 22.04+); el7 for CentOS 7
  users:
    - name: ops
      groups: [sudo]
      sudo: "ALL=(ALL) NOPASSWD:ALL"
      shell: /bin/bash
      sshAuthorizedKeys:          # replace with your own key (cat ~/.ssh/id_ed25519.pub)
        - ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHl1eXBlcnN0aXRpb3VzbHlsb25ncGxhY2Vob2xkZXJrZXk you@laptop
  network:
    nics:
      - { device: eth0, pool: lan, host: { type: network, network: default } }
  domain:
    memory: 1024                  # MiB
    vcpus: 1
    # An image on the hypervisor; each VM gets its own overlay over it from \`cloudseed up\`.
    rootDisk: { base: /var/lib/libvirt/images/debian-12-genericcloud-amd64.qcow2 }
vms:
  - name: web-{01..03}            # web-01, web-02, web-03
    packages: [nginx]
    overrides:
      web-01:                     # one VM of the pattern may differ
        domain: { memory: 2048 }
  - name: db
    packages: [postgresql]
`;

/** The starter's text; `schemaPath` is where the editor finds the JSON Schema, from the spec's folder. */
export function starterSpec(options: { fleet: boolean; schemaPath: string }): string {
  const header = [
    `# yaml-language-server: $schema=${options.schemaPath}`,
    options.fleet
      ? '# A cloudseed fleet: build it with `cloudseed build FILE -o out/`, start it with `cloudseed up FILE`.'
      : '# A cloudseed spec: build it with `cloudseed build FILE -o out/`, start it with `cloudseed up FILE`.',
    '# Every field: `cloudseed schema`, and the README. Lists replace, maps merge (defaults < entry < override).',
  ];
  return `${header.join('\n')}\n${options.fleet ? fleet : singleVm}`;
}
