#!/usr/bin/env bash
# Debian packages the test suite needs on a fresh machine: a JDK (real-JVM tests), iproute2 and
# util-linux (private network namespaces for real-SDK tests). Idempotent; skips what is present.
set -euo pipefail
need=()
command -v javac >/dev/null 2>&1 || need+=(openjdk-17-jdk-headless)
command -v keytool >/dev/null 2>&1 || need+=(openjdk-17-jdk-headless)
command -v ip >/dev/null 2>&1 || need+=(iproute2)
command -v unshare >/dev/null 2>&1 || need+=(util-linux)
# Real TLS clients for the certificate-rejection tests (test/proxy/tls-rejection.test.ts).
command -v curl >/dev/null 2>&1 || need+=(curl)
command -v python3 >/dev/null 2>&1 || need+=(python3)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then echo "need root to install: ${need[*]}" >&2; exit 1; fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
echo "test dependencies present: $(javac -version 2>&1), $(ip -V 2>&1 | head -1)"
