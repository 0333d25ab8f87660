#!/usr/bin/env bash
# mmdebstrap customize hook for build-image.sh (ROOTFS is the hook's $1, with /proc, /sys and /dev
# mounted; ROOT_LABEL the root file system's label).
# Makes a guest that boots the same way every time and does in the image what Debian's cloud images
# do at build time, so cloud-init's first boot spends its time on the seed: the report unit; no host
# keys or machine-id (cloud-init and systemd make them); no timers that would run apt or fstrim during
# a test; en_US.UTF-8 generated, so cloud-init's locale module has nothing to do; a small initrd.
set -euo pipefail
rootfs=${1:?usage: customize-rootfs.sh ROOTFS ROOT_LABEL}
label=${2:?usage: customize-rootfs.sh ROOTFS ROOT_LABEL}
here=$(cd "$(dirname "$0")" && pwd)

install -m 0755 "$here/cloudseed-report" "$rootfs/usr/local/sbin/cloudseed-report"
install -m 0644 "$here/cloudseed-report.service" "$rootfs/etc/systemd/system/cloudseed-report.service"
systemctl --root="$rootfs" enable cloudseed-report.service
systemctl --root="$rootfs" mask apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer e2scrub_reap.service \
  fstrim.timer dpkg-db-backup.timer

printf 'LABEL=%s / ext4 defaults,errors=remount-ro 0 1\n' "$label" >"$rootfs/etc/fstab"
echo debian >"$rootfs/etc/hostname"
printf '127.0.0.1\tlocalhost\n::1\t\tlocalhost ip6-localhost ip6-loopback\n' >"$rootfs/etc/hosts"
ln -sf ../run/systemd/resolve/stub-resolv.conf "$rootfs/etc/resolv.conf"
rm -f "$rootfs"/etc/ssh/ssh_host_*
: >"$rootfs/etc/machine-id"

echo 'en_US.UTF-8 UTF-8' >"$rootfs/etc/locale.gen"
chroot "$rootfs" locale-gen
echo 'LANG=en_US.UTF-8' >"$rootfs/etc/default/locale"

# Host keys: RSA 3072 takes ~20 s of first boot under TCG; the keys are no part of what cloudseed
# writes, so the image asks for the two fast kinds.
cat >"$rootfs/etc/cloud/cloud.cfg.d/50-cloudseed-test-image.cfg" <<'CFG'
# cloudseed guest-boot test image: fast first boot under TCG.
ssh_genkeytypes: [ed25519, ecdsa]
CFG

# The disk is virtio and the root file system ext4 (built in): the initrd needs two modules, not all.
printf 'virtio_pci\nvirtio_blk\n' >>"$rootfs/etc/initramfs-tools/modules"
echo 'MODULES=list' >"$rootfs/etc/initramfs-tools/conf.d/cloudseed-test-image.conf"
chroot "$rootfs" update-initramfs -u -k all
