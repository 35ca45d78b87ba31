#!/usr/bin/env bash
# container-test.sh — `npm run test:container`: builds the image with podman and runs test/container
# against it. Needs root (podman as root, apt-get). On a fresh machine it installs podman & friends
# and builds a registry-free node:20-bookworm-slim base with the shared make-node-base.sh
# (../shared/tools/ next to the repository; MAKE_NODE_BASE=<path> to point elsewhere).
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
cd "$REPO"
bash scripts/install-container-deps.sh

BASE=docker.io/library/node:20-bookworm-slim
if ! podman image exists "$BASE"; then
  MAKE_BASE=${MAKE_NODE_BASE:-$REPO/../shared/tools/make-node-base.sh}
  [ -f "$MAKE_BASE" ] || { echo "container-test: $MAKE_BASE not found (set MAKE_NODE_BASE)" >&2; exit 1; }
  # Re-import a saved rootfs when there is one (~5 s), else debootstrap (~1-2 min).
  if [ -s "${WORK:-/var/tmp/node-base}/node20-bookworm-slim-rootfs.tar" ]; then
    bash "$MAKE_BASE" --import-only
  else
    bash "$MAKE_BASE"
  fi
fi

IMAGE=${CONTAINER_TEST_IMAGE:-localhost/appinsights-auth-proxy:test}
echo "container-test: podman build $IMAGE"
podman build --pull=never --format docker -f docker/Dockerfile -t "$IMAGE" . 2>&1 | grep -vE 'systemd' | tail -n 5
# Extra arguments go to jest (.ci/run passes --json --outputFile=... for its summary line).
CONTAINER_TEST=1 CONTAINER_TEST_IMAGE="$IMAGE" npx jest --runInBand test/container "$@"
