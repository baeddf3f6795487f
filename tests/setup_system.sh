#!/usr/bin/env bash
# System parts the tests use that pip cannot install (Debian packages). Each is installed only
# where missing, and only where apt-get is available and we are root; otherwise the tests that
# need it are skipped with a reason.
set -u
need=()
# (filled in by the features that need them: e.g. chromium for the report screenshot test)
if [ ${#need[@]} -gt 0 ] && command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
  apt-get update -qq >/dev/null 2>&1 || true
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null 2>&1 || echo "warning: could not install ${need[*]}"
fi
exit 0
