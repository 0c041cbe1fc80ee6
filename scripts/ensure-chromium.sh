#!/usr/bin/env bash
# Browser tests need Debian's Chromium (Playwright's own browser download cannot work offline).
# Install it where it is missing and we may; otherwise the browser tests skip with a reason.
set -u
command -v chromium >/dev/null 2>&1 && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  (apt-get install -y -qq chromium >/dev/null 2>&1 ||
    (apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq chromium >/dev/null 2>&1)) &&
    exit 0
fi
echo "Chromium is not installed and could not be installed; browser tests will be skipped." >&2
exit 0
