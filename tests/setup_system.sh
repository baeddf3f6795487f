#!/usr/bin/env bash
# System parts the tests use that pip cannot install (Debian packages):
#   chromium                 the report is opened in headless Chromium and screenshotted
#   gir1.2-ical-3.0 python3-gi   libical (an independent iCalendar parser) with its iTIP checks
# Each is installed only where missing, and only where apt-get is available and we are root;
# otherwise the tests that need it are skipped with a reason.
set -u
wanted=(chromium gir1.2-ical-3.0 python3-gi)
need=()
for pkg in "${wanted[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    echo "installing system packages for the tests: ${need[*]}"
    apt-get update -qq >/dev/null 2>&1 || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null 2>&1 \
      || echo "warning: could not install ${need[*]}; the tests that need them will be skipped"
  else
    echo "note: ${need[*]} missing and cannot be installed here; the tests that need them will be skipped"
  fi
fi
exit 0
