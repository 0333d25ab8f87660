// `cloudseed --help`: the commands, options, environment and exit codes, in one place.

export const usage = `Usage: cloudseed <command> [options]

Commands:
  build <spec.yaml> [-o DIR]     render, pack my-seed.img, write domain.xml and qemu.sh for every VM (DIR: out)
  render <spec.yaml> [-o DIR]    write user-data, meta-data, network-config, domain.xml, qemu.sh; no seed
  validate <spec.yaml>           check the spec and render it in memory; write nothing
  localds [options] output user-data [meta-data]
                                 a drop-in for cloud-localds (see cloudseed localds --help)
  inspect <image> [--json] [--print NAME | --extract DIR]
                                 a seed image's format, label and files (see cloudseed inspect --help)

Options:
  -o, --output DIR   output folder (default: out)
      --force        build, render: rebuild every VM, also those unchanged since the last build
      --prune        build, render: delete the files of VMs no longer in the spec (default: keep them)
      --frozen       build, render, validate: exit 2 if the build would change the allocation lock file
  -q, --quiet        print errors only
      --verbose      also print one line per VM: built, kept or removed, with its NICs
      --json         build, render, validate: one JSON document on stdout (every VM with its status,
                     files, addresses, MACs, instance-id and warnings), nothing else there
  -h, --help         this text
  -v, --version      cloudseed's version

Output: on a terminal, a progress line on stderr while building; then one summary line on stdout.
Warnings and errors go to stderr.

Environment:
  SOURCE_DATE_EPOCH      timestamps for reproducible seed images
  CLOUDSEED_SALT_SECRET  keys password salts (default: this machine's secret, made on first use in
                         $XDG_CONFIG_HOME/cloudseed/salt-secret)

Exit codes:
  0  done
  2  bad input: the spec, a file it names, a template, the command line, or an output folder
     holding something cloudseed did not write; with --frozen, a change to the lock file
  3  an external tool is missing or failed
  4  the system refused: a full disk, a read-only folder, an output folder locked too long
  1  a bug in cloudseed (please report it)`;
