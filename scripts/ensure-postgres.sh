#!/usr/bin/env bash
# Make sure the machine's PostgreSQL (127.0.0.1:5432, trust auth) is running and allows logical decoding,
# which the CDC tests use. Idempotent; restarts the cluster only when wal_level must change.
set -euo pipefail
PGURL=${CRMHUB_TEST_PG_URL:-postgresql://postgres@127.0.0.1:5432/postgres}
cluster_version() { ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1; }
start_cluster() {
  local v; v=$(cluster_version)
  [ -n "$v" ] || { echo "no PostgreSQL cluster under /etc/postgresql and none reachable at $PGURL" >&2; exit 1; }
  pg_ctlcluster --skip-systemctl-redirect "$v" main "$1"
  for _ in $(seq 1 30); do pg_isready -q -d "$PGURL" && return 0; sleep 1; done
  echo "PostgreSQL did not come up" >&2; exit 1
}
if ! pg_isready -q -d "$PGURL" 2>/dev/null; then
  echo "PostgreSQL not running at $PGURL; starting it"
  start_cluster start
fi
if [ "$(psql "$PGURL" -Atc 'SHOW wal_level')" != "logical" ]; then
  echo "setting wal_level=logical (CDC tests use logical decoding) and restarting PostgreSQL"
  psql "$PGURL" -qc "ALTER SYSTEM SET wal_level = 'logical'"
  start_cluster restart
fi
