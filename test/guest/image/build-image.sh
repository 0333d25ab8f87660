#!/usr/bin/env bash
# A guest image the boot tests use: Debian 12, or the SUITE given, from the Debian archive this
# machine's apt already uses (no cloud image download), with Debian's cloud kernel, cloud-init,
# openssh-server, netplan + systemd-networkd + systemd-resolved as Debian's cloud images have them
# (bullseye's systemd holds resolved), and the report unit
# (customize-rootfs.sh). Nothing is mounted: mmdebstrap fills a folder, `mkfs.ext4 -d` turns it into
# the root disk, and the kernel and initrd are booted directly. Needs root (mmdebstrap --mode=root).
#
#   build-image.sh OUTPUT_DIR [SUITE]
#
# SUITE: bookworm (cloud-init 22.4; the default), bullseye (20.4: older than chpasswd.users, like
# CentOS 7's 18.5) or trixie (the newest cloud-init in the archive).
#
# writes OUTPUT_DIR/{root.qcow2,vmlinuz,initrd.img,packages.txt,build.json}. OUTPUT_DIR must not exist;
# it appears only when complete. CLOUDSEED_GUEST_MIRROR overrides the Debian mirror (a URI). Every file
# in this folder is part of the recipe: the tests rebuild the image when any of them changes.
set -euo pipefail

out=${1:?usage: build-image.sh OUTPUT_DIR [SUITE]}
suite=${2:-bookworm}
here=$(cd "$(dirname "$0")" && pwd)
label=cloudseed-root
packages=(
  linux-image-cloud-amd64 systemd-sysv udev dbus
  cloud-init openssh-server sudo locales
  netplan.io iproute2 e2fsprogs
)
case $suite in
  bullseye) ;; # systemd-resolved is still part of systemd there
  bookworm | trixie) packages+=(systemd-resolved) ;;
  *) echo "build-image: unknown suite $suite (expected bullseye, bookworm or trixie)" >&2; exit 2 ;;
esac

# The Debian mirror and security mirror named in this machine's apt sources (one-line .list or
# deb822 .sources), so the build uses whatever archive or proxy the machine is set up for.
debian_uris() {
  local files=(/etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources)
  cat "${files[@]}" 2>/dev/null | awk '
    /^[[:space:]]*deb[[:space:]]/ { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; break } }
    /^URIs:/ { for (i = 2; i <= NF; i++) print $i }
  ' | sed 's:/*$::' | awk '!seen[$0]++'
}

mirror=${CLOUDSEED_GUEST_MIRROR:-$(debian_uris | grep -E '/debian$' | head -n1 || true)}
mirror=${mirror:-http://deb.debian.org/debian}
security=$(debian_uris | grep -E '/debian-security$' | head -n1 || true)
sources=("deb $mirror $suite main" "deb $mirror $suite-updates main")
# bullseye's security suite (LTS) lists packages the archive here no longer serves (404), and the tests
# need none of its fixes.
[[ -n $security && $suite != bullseye ]] && sources+=("deb $security $suite-security main")

# CLOUDSEED_GUEST_APT_CACHE: a folder that keeps the downloaded packages between builds, so a changed
# recipe rebuilds without downloading everything again.
apt_cache_hooks=()
if [[ -n ${CLOUDSEED_GUEST_APT_CACHE:-} ]]; then
  mkdir -p "$CLOUDSEED_GUEST_APT_CACHE"
  apt_cache_hooks=(--skip=download/empty --skip=essential/unlink
    --setup-hook='mkdir -p "$1"/var/cache/apt/archives/'
    --setup-hook="sync-in $CLOUDSEED_GUEST_APT_CACHE /var/cache/apt/archives/"
    --customize-hook="sync-out /var/cache/apt/archives $CLOUDSEED_GUEST_APT_CACHE")
fi

started=$(date +%s)
work=$(mktemp -d "${out%/}.partial.XXXXXX")
trap 'rm -rf "$work"' EXIT
rootfs=$work/rootfs

echo "build-image: mmdebstrap $suite from ${sources[*]}" >&2
mmdebstrap --variant=apt --mode=root --format=directory \
  --aptopt='APT::Install-Recommends "false"' \
  --dpkgopt=force-unsafe-io \
  --dpkgopt='path-exclude=/usr/share/man/*' \
  --dpkgopt='path-exclude=/usr/share/locale/*' \
  --dpkgopt='path-exclude=/usr/share/doc/*' \
  --dpkgopt='path-include=/usr/share/doc/*/copyright' \
  --include="$(IFS=,; echo "${packages[*]}")" \
  "${apt_cache_hooks[@]}" \
  --customize-hook="\"$here/customize-rootfs.sh\" \"\$1\" $label" \
  "$suite" "$rootfs" "${sources[@]}"

rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/* "$rootfs"/var/log/*.log

mkdir -p "$work/image"
cp "$rootfs"/boot/vmlinuz-* "$work/image/vmlinuz"
cp "$rootfs"/boot/initrd.img-* "$work/image/initrd.img"
chroot "$rootfs" dpkg-query -W -f '${Package} ${Version}\n' >"$work/image/packages.txt"

# Room for what the boots write (logs, keys, homes): the tree plus a third, at least 512 MiB spare.
used_mib=$(du -sm "$rootfs" | cut -f1)
size_mib=$(( used_mib + (used_mib / 3 > 512 ? used_mib / 3 : 512) ))
mkfs.ext4 -q -F -L "$label" -d "$rootfs" -E root_owner=0:0 "$work/root.raw" "${size_mib}M"
qemu-img convert -O qcow2 "$work/root.raw" "$work/image/root.qcow2"

cat >"$work/image/build.json" <<EOF
{"suite": "$suite", "mirror": "$mirror", "seconds": $(( $(date +%s) - started )), "treeMiB": $used_mib,
 "diskMiB": $size_mib, "qcow2Bytes": $(stat -c %s "$work/image/root.qcow2"), "packages": $(wc -l <"$work/image/packages.txt")}
EOF
mv "$work/image" "$out"
echo "build-image: $(cat "$out/build.json")" >&2
