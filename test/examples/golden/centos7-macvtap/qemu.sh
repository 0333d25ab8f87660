#!/bin/bash
# VM vm3 with QEMU alone, no libvirt: the machine domain.xml describes, with the same disks,
# seed and MACs. Written by cloudseed.
#
#   ./qemu.sh            set up the host side of the NICs, run QEMU here (serial console on this
#                        terminal; Ctrl-a x quits), then remove what was set up
#   ./qemu.sh --print    print the QEMU command, quoted for the shell, and change nothing
#
# QEMU=/path/to/qemu-system-... picks another QEMU binary.
# Creates macvtap devices with ip(8): run it as root.
# Values are single-quoted as literals on purpose, `$(`, backticks and trailing backslashes included.
# shellcheck disable=SC1003,SC2016
set -eu
qemu='/usr/local/bin/qemu-system-x86_64'
qemu=${QEMU:-$qemu}
print_only=false
if [ "${1:-}" = --print ]; then print_only=true; fi

# vhost-net where the host has it, as libvirt does: QEMU told vhost=on without it aborts.
vhost_option=
if [ -c /dev/vhost-net ]; then vhost_option=,vhost=on; fi

set -- \
  -name guest=vm3 \
  -accel kvm -cpu host \
  -m 2048 -smp 1 \
  -nodefaults -display none -serial mon:stdio \
  -smbios type=1,serial=ds=nocloud \
  -drive file=/root/CentOS-7-x86_64-GenericCloud.qcow2,format=qcow2,if=virtio \
  -drive file=/srv/cloudseed/out/vm3/my-seed.img,format=raw,if=virtio,id=seed \
  -netdev "tap,id=net0,fd=3${vhost_option}" \
  -device virtio-net-pci,netdev=net0,mac=52:54:00:56:e4:20 \
  ;

if $print_only; then
  # Single quotes only where the shell needs them; $'...' for control characters, never raw to the terminal.
  for word in "$qemu" "$@"; do
    case $word in
      *[[:cntrl:]]*) printf '%q ' "$word" ;;
      '' | *[!A-Za-z0-9_./:=,@%+-]*) printf "'%s' " "${word//\'/\'\\\'\'}" ;;
      *) printf '%s ' "$word" ;;
    esac
  done
  printf '\n'
  exit 0
fi

remove_macvtaps() {
  ip link delete mvt56e420 2>/dev/null || true
}
trap remove_macvtaps EXIT
trap 'exit 130' INT TERM

# macvtap mvt56e420 on eth0 in bridge mode, with the guest's MAC, open as descriptor 3.
ip link delete mvt56e420 2>/dev/null || true
ip link add link eth0 name mvt56e420 type macvtap mode bridge
ip link set mvt56e420 address 52:54:00:56:e4:20 up
exec 3<>"/dev/tap$(cat /sys/class/net/mvt56e420/ifindex)"

"$qemu" "$@"
