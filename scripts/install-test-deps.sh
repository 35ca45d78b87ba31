#!/usr/bin/env bash
# Debian packages the test suite needs on a fresh machine: a JDK (real-JVM tests), iproute2 and
# util-linux (private network namespaces for real-SDK tests), chromium (the inspector page's browser
# tests, driven by playwright-core; never a downloaded browser), curl and openssl. Idempotent; skips
# what is present.
set -euo pipefail
need=()
command -v javac >/dev/null 2>&1 || need+=(openjdk-17-jdk-headless)
command -v keytool >/dev/null 2>&1 || need+=(openjdk-17-jdk-headless)
command -v ip >/dev/null 2>&1 || need+=(iproute2)
command -v unshare >/dev/null 2>&1 || need+=(util-linux)
# curl: a real client for several tests; openssl: a middlebox CA for the check tests.
command -v curl >/dev/null 2>&1 || need+=(curl)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v python3 >/dev/null 2>&1 || need+=(python3)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then echo "need root to install: ${need[*]}" >&2; exit 1; fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
echo "test dependencies present: $(javac -version 2>&1), $(ip -V 2>&1 | head -1), $(/usr/bin/chromium --version 2>/dev/null)"
