#!/usr/bin/env bash
# The browser test of the built documentation: installs the pinned playwright-core from
# npm into tests/browser/node_modules (gitignored) when it is missing or stale, then runs
# docs.test.js with node's test runner against Debian's /usr/bin/chromium.
#
# Env: DOC_HTML (the built site, default doc/build/html), BROWSER_OUT (screenshots,
# default tests/out/browser), ATMOGRAPH_EXAMPLE_REPORT (the report of `make example-images`;
# when it exists the measured example page must show its sizes).
# When npm cannot reach its registry the test is skipped with a message (exit 0).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
export DOC_HTML="${DOC_HTML:-$repo/doc/build/html}"
export BROWSER_OUT="${BROWSER_OUT:-$repo/tests/out/browser}"
export ATMOGRAPH_EXAMPLE_REPORT="${ATMOGRAPH_EXAMPLE_REPORT:-$repo/build/example-images/report.json}"
export CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"

if [ ! -f "$DOC_HTML/index.html" ]; then
  echo "check-browser: $DOC_HTML/index.html is missing: run 'make html' first" >&2
  exit 1
fi
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "check-browser: node and npm are needed (Debian: apt-get install nodejs npm)" >&2
  exit 1
fi
if [ ! -x "$CHROMIUM" ]; then
  echo "check-browser: $CHROMIUM is missing (Debian: apt-get install chromium)" >&2
  exit 1
fi

want="$(node -p "require('$here/package-lock.json').packages['node_modules/playwright-core'].version")"
have="$(node -p "try { require('$here/node_modules/playwright-core/package.json').version } catch (e) { '' }")"
if [ "$want" != "$have" ]; then
  echo "check-browser: installing playwright-core $want from npm into tests/browser/node_modules"
  if ! (cd "$here" && timeout 600 npm ci --no-audit --no-fund --loglevel=error); then
    echo "check-browser: SKIPPED: npm could not install playwright-core $want (is the npm registry reachable?)"
    exit 0
  fi
fi

mkdir -p "$BROWSER_OUT"
cd "$here"
exec node --test --test-concurrency=1 --test-reporter=spec docs.test.js
