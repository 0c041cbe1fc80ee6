#!/usr/bin/env bash
# System packages the tests use, from Debian: Chromium for the browser tests (Playwright's own
# browser download cannot work offline), PostgreSQL for the database tests and a CJK font for
# Chinese PDF reports. Installed where missing and we may; otherwise those tests skip with a
# reason, so this script never fails the test command.
set -u
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
fc-list 2>/dev/null | grep -qi "wenquanyi\|wqy" || missing+=(fonts-wqy-microhei)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1 ||
    { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1; } &&
    exit 0
fi
echo "Could not install ${missing[*]}; the tests that need them will be skipped." >&2
exit 0
