#!/usr/bin/env bash
# npm test: type check, production build, then every suite (unit; integration on PGlite and on
# PostgreSQL; process-level; browser). PostgreSQL: TEST_DATABASE_URL, default the local server.
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1
export TEST_DATABASE_URL="${TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/postgres}"
echo "== type check"
npx tsc --noEmit
echo "== build"
npx next build > /tmp/audit-trail-build.log 2>&1 || { cat /tmp/audit-trail-build.log; exit 1; }
echo "== unit, integration (PGlite + PostgreSQL), process"
npx vitest run
if [ -f playwright.config.ts ]; then
  echo "== browser (Playwright, Debian Chromium)"
  npx playwright test
fi
