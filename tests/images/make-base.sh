#!/bin/sh
# Make the local base image of the example family from Debian's mirror alone:
#   debootstrap --variant=minbase bookworm  ->  buildah from scratch / add / commit.
# No registry is involved. The root filesystem is cached as a tarball, so a rerun
# only commits it again when the image is missing from the storage.
#
# usage: make-base.sh [IMAGE]
# env:   ATMOGRAPH_BASE_CACHE   cache dir        (default /var/cache/atmograph/base)
#        ATMOGRAPH_STORAGE_ROOT buildah --root   (default: buildah's own)
#        ATMOGRAPH_STORAGE_DRIVER               (default vfs)
#        DEBIAN_MIRROR                          (default http://deb.debian.org/debian)
# exit:  0 image present, 1 failure, 77 cannot be made here (no debootstrap/buildah/root)
set -eu
IMAGE=${1:-localhost/atmo-example/debian:bookworm}
CACHE=${ATMOGRAPH_BASE_CACHE:-/var/cache/atmograph/base}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
DRIVER=${ATMOGRAPH_STORAGE_DRIVER:-vfs}

for tool in buildah debootstrap; do
	if ! command -v "$tool" >/dev/null 2>&1 && ! [ -x "/usr/sbin/$tool" ]; then
		echo "make-base.sh: $tool is not installed" >&2; exit 77
	fi
done
if [ "$(id -u)" != 0 ]; then
	echo "make-base.sh: debootstrap and buildah need root here" >&2; exit 77
fi
PATH=$PATH:/usr/sbin:/sbin
set -- --storage-driver "$DRIVER"
if [ -n "${ATMOGRAPH_STORAGE_ROOT:-}" ]; then
	set -- "$@" --root "$ATMOGRAPH_STORAGE_ROOT"
fi

if buildah "$@" inspect --type image "$IMAGE" >/dev/null 2>&1; then
	echo "make-base.sh: $IMAGE is present"
	exit 0
fi

mkdir -p "$CACHE"
TARBALL=$CACHE/bookworm-minbase.tar
if ! [ -s "$TARBALL" ]; then
	ROOTFS=$CACHE/rootfs.tmp.$$
	trap 'rm -rf "$ROOTFS" "$TARBALL.tmp"' EXIT INT TERM
	rm -rf "$ROOTFS"
	echo "make-base.sh: debootstrap --variant=minbase bookworm ($MIRROR)"
	debootstrap --variant=minbase bookworm "$ROOTFS" "$MIRROR" >"$CACHE/debootstrap.log" 2>&1 || {
		tail -20 "$CACHE/debootstrap.log" >&2; exit 1; }
	# what a container base does not need: downloaded packages and package lists
	rm -rf "$ROOTFS"/var/cache/apt/archives/*.deb "$ROOTFS"/var/cache/apt/*.bin \
	       "$ROOTFS"/var/lib/apt/lists/* "$ROOTFS"/var/log/* "$ROOTFS"/tmp/*
	tar --numeric-owner --xattrs -C "$ROOTFS" -cf "$TARBALL.tmp" .
	mv "$TARBALL.tmp" "$TARBALL"
	rm -rf "$ROOTFS"
	trap - EXIT INT TERM
fi

echo "make-base.sh: committing $IMAGE"
ctr=$(buildah "$@" from scratch)
trap 'buildah "$@" rm "$ctr" >/dev/null 2>&1 || true' EXIT
buildah "$@" add "$ctr" "$TARBALL" / >/dev/null
buildah "$@" config --env LANG=C.UTF-8 --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
	--cmd /bin/bash --label org.opencontainers.image.description="Debian bookworm minbase (debootstrap)" "$ctr"
buildah "$@" commit --format docker --rm "$ctr" "$IMAGE" >/dev/null
trap - EXIT
echo "make-base.sh: $IMAGE is ready"
