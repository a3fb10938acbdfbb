#!/usr/bin/env bash
# Make sure the machine's PostgreSQL (127.0.0.1:5432, trust auth) is running, allows logical decoding (the CDC
# tests) and preloads pgaudit (object audit of the sensitive tables, docs/security.md). Idempotent: installs
# Debian's postgresql-<version>-pgaudit when missing and restarts the cluster at most once, only when
# wal_level or shared_preload_libraries must change. CRMHUB_SKIP_PGAUDIT=1 leaves pgaudit out. Bounds the WAL an
# unread replication slot may hold (max_slot_wal_keep_size, CRMHUB_MAX_SLOT_WAL_KEEP_SIZE, default 8GB).
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
install_pgaudit() {
  local major; major=$(psql "$PGURL" -Atc "SELECT current_setting('server_version_num')::int / 10000")
  [ -f "/usr/share/postgresql/$major/extension/pgaudit.control" ] && return 0
  command -v apt-get >/dev/null || { echo "pgaudit not installed and no apt-get: the access log works without it" >&2; return 1; }
  echo "installing postgresql-$major-pgaudit (object audit of the sensitive tables)"
  local sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get install -y "postgresql-$major-pgaudit" \
    || { $sudo apt-get update && $sudo apt-get install -y "postgresql-$major-pgaudit"; } \
    || { echo "could not install pgaudit: the access log works without it" >&2; return 1; }
}
if ! pg_isready -q -d "$PGURL" 2>/dev/null; then
  echo "PostgreSQL not running at $PGURL; starting it"
  start_cluster start
fi
restart=""
if [ "$(psql "$PGURL" -Atc 'SHOW wal_level')" != "logical" ]; then
  echo "setting wal_level=logical (CDC tests use logical decoding)"
  psql "$PGURL" -qc "ALTER SYSTEM SET wal_level = 'logical'"
  restart=1
fi
if [ "${CRMHUB_SKIP_PGAUDIT:-}" != "1" ] && install_pgaudit; then
  preload=$(psql "$PGURL" -Atc 'SHOW shared_preload_libraries')
  case ",${preload// /}," in
    *,pgaudit,*) ;;
    *) echo "adding pgaudit to shared_preload_libraries"
       psql "$PGURL" -qc "ALTER SYSTEM SET shared_preload_libraries = '${preload:+$preload,}pgaudit'"
       restart=1 ;;
  esac
fi
# A replication slot nobody reads keeps WAL forever (one left by a throw-away warehouse once filled this disk):
# past this size the server invalidates the slot instead, and crmhub's next CDC run recreates it and catches
# up through the updated_at watermark (docs/cdc.md). A reload is enough for this one.
keep=${CRMHUB_MAX_SLOT_WAL_KEEP_SIZE:-8GB}
if [ "$(psql "$PGURL" -Atc 'SHOW max_slot_wal_keep_size')" = "-1" ]; then
  echo "setting max_slot_wal_keep_size=$keep (an unread replication slot cannot fill the disk)"
  psql "$PGURL" -qc "ALTER SYSTEM SET max_slot_wal_keep_size = '$keep'" -c "SELECT pg_reload_conf()" >/dev/null
fi
if [ -n "$restart" ]; then
  echo "restarting PostgreSQL once for the settings above"
  start_cluster restart
fi
