#!/usr/bin/env bash
# container-test.sh — `npm run test:container`: builds the images with podman and runs test/container
# against them: the proxy image alone, docker/compose.yaml + compose.rehearsal.yaml under a real
# compose implementation (docker-compose driving podman's Docker-compatible API), and
# docker/kubernetes/pod-rehearsal.yaml under `podman play kube`. Needs root (podman as root, apt-get).
# On a fresh machine it installs podman & friends and builds a registry-free node:24-bookworm-slim base
# (scripts/make-node-base.sh). Everything is cached: the base (kept while its Node version is
# unchanged) and podman's layer cache (unchanged sources rebuild in seconds).
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
cd "$REPO"
bash scripts/install-container-deps.sh
NODE_MAJOR=24 bash scripts/make-node-base.sh

build() { # tag dockerfile context
  echo "container-test: podman build $1"
  podman build --pull=never --format docker -f "$2" -t "$1" "$3" 2>&1 | grep -vE 'systemd' | tail -n 3
}
IMAGE=${CONTAINER_TEST_IMAGE:-localhost/appinsights-auth-proxy:test}
build "$IMAGE" docker/Dockerfile .
# the names the compose file and the manifests use
podman tag "$IMAGE" localhost/appinsights-auth-proxy:latest
build localhost/appinsights-test-app:latest docker/test-app/Dockerfile docker/test-app

# docker-compose speaks the Docker API: podman serves it on a socket of our own, stopped on exit.
SOCKET_DIR=$(mktemp -d /tmp/aiproxy-podman-api.XXXXXX)
podman system service --time=0 "unix://$SOCKET_DIR/podman.sock" >"$SOCKET_DIR/service.log" 2>&1 &
SERVICE_PID=$!
trap 'kill "$SERVICE_PID" 2>/dev/null; wait "$SERVICE_PID" 2>/dev/null; rm -rf "$SOCKET_DIR"' EXIT
for _ in $(seq 1 100); do [ -S "$SOCKET_DIR/podman.sock" ] && break; sleep 0.1; done
[ -S "$SOCKET_DIR/podman.sock" ] || { echo "container-test: podman system service did not start" >&2; cat "$SOCKET_DIR/service.log" >&2; exit 1; }

# Extra arguments go to jest (.ci/run passes --json --outputFile=... for its summary line).
CONTAINER_TEST=1 CONTAINER_TEST_IMAGE="$IMAGE" DOCKER_HOST="unix://$SOCKET_DIR/podman.sock" \
  npx jest --runInBand test/container "$@"
