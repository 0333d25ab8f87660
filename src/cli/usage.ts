// `cloudseed --help`: the commands, options, environment and exit codes, in one place. Each command's
// own help (`cloudseed help build`) is in command-help.ts.

export const usage = `Usage: cloudseed <command> [options]

Commands:
  init [FILE] [--fleet]          write a commented starter spec (cloudseed.yaml) that builds as is
  build <spec.yaml> [-o DIR]     render, pack my-seed.img, write domain.xml and qemu.sh for every VM (DIR: out)
  render <spec.yaml> [-o DIR]    write user-data, meta-data, network-config, domain.xml, qemu.sh; no seed
  validate <spec.yaml>           check the spec and render it in memory; write nothing
  localds [options] output user-data [meta-data]
                                 a drop-in for cloud-localds (see cloudseed localds --help)
  inspect <image> [--json] [--print NAME | --extract DIR]
                                 a seed image's format, label and files (see cloudseed inspect --help)
  up <spec.yaml|DIR> [vm…]       build, make overlays and host networks, define and start the VMs
                                 on libvirt; --wait [--timeout S] waits for each guest's cloud-init
  status <spec.yaml|DIR> [vm…]   each VM's state, addresses and cloud-init result (--json)
  down <spec.yaml|DIR> [vm…]     shut the VMs down (forced off after --timeout S, default 60)
  destroy <spec.yaml|DIR> [vm…]  down, then undefine; --remove-disks also removes what up made
  schema                         print the spec's JSON Schema (for editors: see the README)
  help [command]                 one command's usage, example, options and exit codes

Options:
  -o, --output DIR   output folder (default: out)
      --force        build, render: rebuild every VM, also those unchanged since the last build
      --prune        build, render: delete the files of VMs no longer in the spec (default: keep them)
      --frozen       build, render, validate: exit 2 if the build would change the allocation lock file
      --for P        build, render, validate: libvirt (default), or kubevirt: VirtualMachine manifests
                     and a kustomization in DIR/kubevirt/ (kubectl apply -k DIR/kubevirt/)
      --namespace NS with --for kubevirt: the objects' namespace (default: the spec's kubevirt.namespace)
      --connect URI  up, status, down, destroy: libvirt URI for VMs whose spec names none
                     (default qemu:///system; qemu+ssh://root@host/system for a remote host)
      --restart      up: restart running VMs whose definition changed
      --reset-disk   up: make the VMs' overlays again (their disks are lost)
      --adopt        up: take over same-named domains cloudseed did not define for this fleet
  -q, --quiet        print errors only
      --verbose      also print one line per VM: built, kept or removed, with its NICs
      --json         build, render, validate: one JSON document on stdout (every VM with its status,
                     files, addresses, MACs, instance-id and warnings), nothing else there
  -h, --help         this text; cloudseed help CMD or cloudseed CMD --help for one command
  -v, --version      cloudseed's version

Output: on a terminal, a progress line on stderr while building; then one summary line on stdout.
Warnings and errors go to stderr.

Environment:
  SOURCE_DATE_EPOCH      timestamps for reproducible seed images: whole seconds since 1970, up to
                         4354819199 (2107-12-31, the last date a FAT seed holds); else exit 2
  CLOUDSEED_SALT_SECRET  keys password salts (default: this machine's secret, made on first use in
                         $XDG_CONFIG_HOME/cloudseed/salt-secret)

Exit codes:
  0  done
  2  bad input: the spec, a file it names, a template, the command line, or an output folder
     holding something cloudseed did not write; with --frozen, a change to the lock file
  3  an external tool is missing or failed
  4  the system refused: a full disk, a read-only folder, an output folder locked too long;
     libvirt unreachable, or a bridge, device or storage pool the fleet needs is missing
  5  up --wait: a guest's cloud-init reported an error or did not report in time
  1  a bug in cloudseed (please report it)`;
