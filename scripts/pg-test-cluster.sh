#!/usr/bin/env bash
# A throw-away PostgreSQL 15 cluster for the test suites: unix socket only (no TCP), trust
# auth, C collation (so ORDER BY on text matches SQLite's byte order), fsync off.
#
#   scripts/pg-test-cluster.sh start   # idempotent; prints the libpq URL
#   scripts/pg-test-cluster.sh url     # prints the URL of the running cluster
#   scripts/pg-test-cluster.sh stop    # stops it and deletes its directory
#
# As root (CI) the cluster is owned by and run as the `postgres` user. The directory is
# $LEP_PG_DIR, default ${TMPDIR:-/tmp}/lep-pg-test-<uid>. Database: lep_test.
# Typical use:  export LEP_TEST_PG_URL=$(scripts/pg-test-cluster.sh start)
set -euo pipefail

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
DIR=${LEP_PG_DIR:-${TMPDIR:-/tmp}/lep-pg-test-$(id -u)}
DATA="$DIR/data"
SOCK="$DIR/sock"
LOG="$DIR/server.log"
DB=lep_test

if [[ $(id -u) -eq 0 ]]; then
  OWNER=postgres
  as_owner() { runuser -u postgres -- "$@"; }
else
  OWNER=$(id -un)
  as_owner() { "$@"; }
fi

url() { echo "postgresql:///$DB?host=$SOCK&user=$OWNER"; }

running() { [[ -f "$DATA/PG_VERSION" ]] && as_owner "$PG_BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; }

start() {
  if [[ ! -x "$PG_BIN/initdb" ]]; then
    echo "错误：未找到 PostgreSQL 15（$PG_BIN），请安装 Debian 软件包 postgresql-15" >&2
    exit 1
  fi
  if ! running; then
    if [[ ! -f "$DATA/PG_VERSION" ]]; then
      rm -rf "$DIR"
      mkdir -p "$DATA" "$SOCK"
      chmod 0755 "$DIR"
      [[ $(id -u) -eq 0 ]] && chown -R postgres:postgres "$DIR"
      chmod 0700 "$DATA"
      as_owner "$PG_BIN/initdb" -D "$DATA" -U "$OWNER" --auth=trust -E UTF8 --locale=C \
        >"$DIR/initdb.log" 2>&1 || { cat "$DIR/initdb.log" >&2; exit 1; }
    fi
    # listen_addresses='' : unix socket only. Settings favour a fast, disposable test cluster.
    as_owner "$PG_BIN/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 \
      -o "-c listen_addresses='' -k $SOCK -c fsync=off -c synchronous_commit=off \
          -c full_page_writes=off -c max_connections=200" \
      start >/dev/null || { cat "$LOG" >&2; exit 1; }
  fi
  if ! as_owner "$PG_BIN/psql" -h "$SOCK" -U "$OWNER" -d postgres -Atqc \
      "SELECT 1 FROM pg_database WHERE datname = '$DB'" | grep -q 1; then
    as_owner "$PG_BIN/createdb" -h "$SOCK" -U "$OWNER" "$DB"
  fi
  url
}

stop() {
  if running; then
    as_owner "$PG_BIN/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null
  fi
  rm -rf "$DIR"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  url)
    running || { echo "错误：测试用 PostgreSQL 未运行，请先执行 $0 start" >&2; exit 1; }
    url
    ;;
  *)
    echo "用法：$0 start|stop|url" >&2
    exit 2
    ;;
esac
