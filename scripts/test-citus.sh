#!/usr/bin/env bash
# npm run test:citus: the integration suite (vitest project "postgres") and the process tests that
# matter for a cluster (two app processes × 4 writers → one chain; an acknowledged batch survives
# kill -9) against a real Citus 13 cluster: a coordinator and two workers.
#
#   CITUS_URL=postgresql://…@coordinator/postgres   reuse a running cluster (nothing started or stopped)
#   otherwise: installs Citus into this machine's PostgreSQL 15 from $CITUS_SHARED (default
#   ../shared/citus, see its README; needs root), starts a throw-away cluster on free ports
#   (CITUS_PORT to choose the base port; never 5432) and destroys it at the end.
#   Extra arguments go to vitest (e.g. a test file).
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1
CITUS_SHARED=${CITUS_SHARED:-../shared/citus}
started_dir=""

cleanup() {
	if [ -n "$started_dir" ]; then
		bash "$CITUS_SHARED/cluster.sh" destroy "$started_dir" >/dev/null 2>&1 || echo "test:citus: could not destroy $started_dir" >&2
	fi
}
trap cleanup EXIT

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

if [ -n "${CITUS_URL:-}" ]; then
	url=$CITUS_URL
	echo "== Citus: reusing the cluster at ${url%%\?*}"
else
	[ -f "$CITUS_SHARED/cluster.sh" ] || { echo "test:citus: $CITUS_SHARED/cluster.sh not found (set CITUS_SHARED, or CITUS_URL for a running cluster)" >&2; exit 1; }
	echo "== Citus: install"
	bash "$CITUS_SHARED/install.sh"
	base=${CITUS_PORT:-}
	if [ -z "$base" ]; then
		for candidate in 55460 55470 55480 55490 55500 55510; do
			if port_free "$candidate" && port_free $((candidate + 1)) && port_free $((candidate + 2)); then base=$candidate; break; fi
		done
		[ -n "$base" ] || { echo "test:citus: no three free ports found; set CITUS_PORT" >&2; exit 1; }
	fi
	started_dir=$(mktemp -d /tmp/audit-trail-citus.XXXXXX)
	chmod 755 "$started_dir"
	echo "== Citus: throw-away cluster in $started_dir (coordinator 127.0.0.1:$base, workers :$((base + 1)) :$((base + 2)))"
	url=$(bash "$CITUS_SHARED/cluster.sh" start "$started_dir" "$base" | tail -1)
fi
export TEST_DATABASE_URL=$url

echo "== integration suite on Citus (vitest project postgres)"
status=0
npx vitest run --project postgres "$@" || status=$?

if [ $# -eq 0 ]; then
	dist=${NEXT_DIST_DIR:-.next}
	if [ ! -f "$dist/BUILD_ID" ]; then
		echo "== build (for the process tests; $dist has none)"
		npx next build > /tmp/audit-trail-citus-build.log 2>&1 || { cat /tmp/audit-trail-citus-build.log; exit 1; }
	fi
	echo "== process tests on Citus: concurrent writers from two processes, kill -9"
	npx vitest run --project process tests/process/multi-process.test.ts \
		-t "two app processes on one PostgreSQL|survives kill -9 of the server \\(postgresql\\)" || status=$?
fi
exit $status
