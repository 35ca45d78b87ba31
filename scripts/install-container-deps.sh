#!/usr/bin/env bash
# install-container-deps.sh — what `npm run test:container` needs on a fresh Debian machine (root):
# podman + runc (+ helpers) + debootstrap (the local node base), catatonit (podman's pod infra
# container: play kube), the CNI dnsname plugin (compose service names resolve on podman networks),
# docker-compose (a real compose implementation, driven through `podman system service`), and a
# containers.conf that works on this machine kind.
# Idempotent: installs only what is missing, never overwrites an existing containers.conf.
set -euo pipefail
need=()
for b in podman runc debootstrap docker-compose; do command -v "$b" >/dev/null 2>&1 || need+=("$b"); done
[ -x /usr/libexec/podman/catatonit ] || [ -x /usr/bin/catatonit ] || need+=(catatonit)
[ -x /usr/lib/cni/dnsname ] || need+=(golang-github-containernetworking-plugin-dnsname)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then echo "need root to install: ${need[*]}" >&2; exit 1; fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # fuse-overlayfs/slirp4netns/uidmap: podman's helpers (no binary worth probing for).
  apt-get install -y -qq --no-install-recommends podman runc debootstrap fuse-overlayfs slirp4netns uidmap \
    catatonit golang-github-containernetworking-plugin-dnsname docker-compose
fi
if [ ! -e /etc/containers/containers.conf ]; then
  # Why (shared/reference/container-testing.md): root here cannot raise rlimits, so use the host's hard
  # limits; cgroups are hybrid v1/v2 (crun refuses, runc copes); there is no systemd.
  nofile=$(ulimit -Hn); [ "$nofile" = unlimited ] && nofile=1048576
  nproc=$(ulimit -Hu)
  if [ "$nproc" = unlimited ] || [ "$nproc" -gt 32768 ]; then nproc=32768; fi
  mkdir -p /etc/containers
  # The marker "make-node-base.sh" keeps that script from replacing this (identical) file.
  cat > /etc/containers/containers.conf <<CONF
# written by make-node-base.sh settings (scripts/install-container-deps.sh)
[containers]
default_ulimits = [
  "nofile=$nofile:$nofile",
  "nproc=$nproc:$nproc",
]

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
CONF
fi
echo "container test dependencies present: $(podman --version), $(runc --version | head -1), $(docker-compose version --short 2>/dev/null || echo 'docker-compose ?')"
