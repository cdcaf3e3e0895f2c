#!/usr/bin/env bash
# Real back-ends for tests and local runs: a private PostgreSQL 15 cluster and moto's S3 server, both on
# 127.0.0.1, both kept under one state directory and stopped by PID. No systemd, no Docker.
#
#   scripts/services.sh start|stop|status [all|postgres|s3]      (default service: all; start is idempotent)
#
# Env:
#   PRIVSYN_SERVICES_DIR   state directory (default /tmp/privsyn-services); postgres/ and s3/ live under it.
#                          It must be reachable by the OS user `postgres` when run as root (/tmp is).
#   PRIVSYN_PG_PORT        default 55432          PRIVSYN_S3_PORT   default 59000
#   PRIVSYN_PG_USER / PRIVSYN_PG_PASSWORD / PRIVSYN_PG_DB   default privsyn / privsyn / privsyn
#   PRIVSYN_S3_BUCKET      default privsyn-test (created at start)
#   PRIVSYN_PG_STOP_MODE   pg_ctl stop mode: fast (default) or immediate (throw-away test clusters)
#   PRIVSYN_PYTHON         python with moto[server] (default: the project's .venv/bin/python)
# On start, prints the settings to use, one per line, e.g.
#   PRIVSYN_DATABASE_URL=postgresql+psycopg://privsyn:privsyn@127.0.0.1:55432/privsyn
#   PRIVSYN_S3__ENDPOINT_URL=http://127.0.0.1:59000
#   PRIVSYN_S3__BUCKET=privsyn-test
# The test suite (test/platform/conftest.py) runs this with a fresh state directory and free ports.
# The cluster runs with fsync=off (test speed); do not use it for data you want to keep.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
ACTION=${1:-}
WHICH=${2:-all}
BASE=${PRIVSYN_SERVICES_DIR:-/tmp/privsyn-services}
PG_PORT=${PRIVSYN_PG_PORT:-55432}
S3_PORT=${PRIVSYN_S3_PORT:-59000}
PG_USER=${PRIVSYN_PG_USER:-privsyn}; PG_PASSWORD=${PRIVSYN_PG_PASSWORD:-privsyn}; PG_DB=${PRIVSYN_PG_DB:-privsyn}
BUCKET=${PRIVSYN_S3_BUCKET:-privsyn-test}
PY=${PRIVSYN_PYTHON:-$ROOT/.venv/bin/python}
PG_STATE=$BASE/postgres; PG_DATA=$PG_STATE/data
PG_STOP_MODE=${PRIVSYN_PG_STOP_MODE:-fast}
S3_STATE=$BASE/s3; S3_PID=$S3_STATE/moto.pid; S3_URL=http://127.0.0.1:$S3_PORT

log() { echo "[services] $*" >&2; }
# A process counts as alive unless it is gone or a zombie (PID 1 here may reap orphans only slowly).
alive() { kill -0 "$1" 2>/dev/null && [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != Z ]; }
die() { echo "[services] error: $*" >&2; exit 1; }
usage() { echo "usage: $0 start|stop|status [all|postgres|s3]" >&2; exit 2; }

# --- PostgreSQL ------------------------------------------------------------------------------------
pg_bin() { ls -d /usr/lib/postgresql/15/bin 2>/dev/null || ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }
# postgres refuses to run as root: run the server-side tools as the OS user postgres when we are root.
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
pg_pid() { [ -s "$PG_DATA/postmaster.pid" ] && head -1 "$PG_DATA/postmaster.pid"; }
pg_running() { local p; p=$(pg_pid) && alive "$p"; }

pg_start() {
  local bin; bin=$(pg_bin)
  [ -n "$bin" ] || die "PostgreSQL binaries not found under /usr/lib/postgresql (apt-get install postgresql-15)"
  if pg_running; then
    log "postgres already running (pid $(pg_pid)) on 127.0.0.1:$PG_PORT"
  else
    if "$bin/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" 2>/dev/null; then
      die "port $PG_PORT is taken by another server; set PRIVSYN_PG_PORT"
    fi
    mkdir -p "$PG_STATE"; chmod 755 "$BASE" "$PG_STATE"
    if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$PG_STATE"; fi
    if [ ! -s "$PG_DATA/PG_VERSION" ]; then
      as_pg "$bin/initdb" -D "$PG_DATA" -U postgres -E UTF8 --locale=C.UTF-8 --no-sync \
        --auth-local=trust --auth-host=scram-sha-256 >"$PG_STATE/initdb.log" 2>&1 \
        || { tail -20 "$PG_STATE/initdb.log" >&2; die "initdb failed"; }
    fi
    as_pg "$bin/pg_ctl" -D "$PG_DATA" -l "$PG_STATE/postgres.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_STATE -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
      start >/dev/null || { tail -20 "$PG_STATE/postgres.log" >&2; die "postgres did not start"; }
    log "started postgres (pid $(pg_pid)) on 127.0.0.1:$PG_PORT; log $PG_STATE/postgres.log"
  fi
  # The role may create databases: the tests make one fresh database per test.
  as_pg psql -h "$PG_STATE" -p "$PG_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -q <<SQL
SELECT 'CREATE ROLE "$PG_USER" LOGIN CREATEDB PASSWORD ''$PG_PASSWORD'''
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$PG_USER') \gexec
SELECT 'CREATE DATABASE "$PG_DB" OWNER "$PG_USER"'
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$PG_DB') \gexec
SQL
  echo "PRIVSYN_DATABASE_URL=postgresql+psycopg://$PG_USER:$PG_PASSWORD@127.0.0.1:$PG_PORT/$PG_DB"
}

pg_stop() {
  # Signal the postmaster by PID: SIGINT = "fast" shutdown, SIGQUIT = "immediate" (no checkpoint).
  local p sig=INT
  [ "$PG_STOP_MODE" = immediate ] && sig=QUIT
  if pg_running; then
    p=$(pg_pid); kill -s "$sig" "$p"
    for _ in $(seq 400); do alive "$p" || break; sleep 0.05; done
    if alive "$p"; then kill -9 "$p" 2>/dev/null || true; fi
    log "stopped postgres (pid $p)"
  else
    log "postgres not running"
  fi
}

pg_status() {
  if pg_running; then log "postgres running (pid $(pg_pid)) on 127.0.0.1:$PG_PORT"; else log "postgres not running"; fi
}

# --- S3 (moto server) ------------------------------------------------------------------------------
s3_running() { [ -s "$S3_PID" ] && alive "$(cat "$S3_PID")"; }
s3_up() { curl -s -o /dev/null --max-time 2 "$S3_URL/"; }

s3_start() {
  if s3_running && s3_up; then
    log "moto already running (pid $(cat "$S3_PID")) at $S3_URL"
  else
    if s3_up; then die "port $S3_PORT is taken by another server; set PRIVSYN_S3_PORT"; fi
    "$PY" -c "import moto.server" 2>/dev/null \
      || die "moto[server] is not importable by $PY; run scripts/bootstrap.sh"
    mkdir -p "$S3_STATE"
    setsid "$PY" -m moto.server -H 127.0.0.1 -p "$S3_PORT" </dev/null >"$S3_STATE/moto.log" 2>&1 &
    echo $! >"$S3_PID"
    for _ in $(seq 300); do s3_up && break; alive "$(cat "$S3_PID")" || break; sleep 0.05; done
    s3_up || { tail -20 "$S3_STATE/moto.log" >&2; die "moto did not come up at $S3_URL"; }
    log "started moto (pid $(cat "$S3_PID")) at $S3_URL; log $S3_STATE/moto.log"
  fi
  if [ "$(curl -s -o /dev/null -w '%{http_code}' -I "$S3_URL/$BUCKET")" != 200 ]; then
    curl -fsS -o /dev/null -X PUT "$S3_URL/$BUCKET" || die "could not create bucket $BUCKET"
  fi
  echo "PRIVSYN_S3__ENDPOINT_URL=$S3_URL"
  echo "PRIVSYN_S3__BUCKET=$BUCKET"
}

s3_stop() {
  local p
  if s3_running; then
    p=$(cat "$S3_PID"); kill "$p"
    for _ in $(seq 200); do alive "$p" || break; sleep 0.05; done
    if alive "$p"; then kill -9 "$p" 2>/dev/null || true; fi
    log "stopped moto (pid $p)"
  else
    log "moto not running"
  fi
  rm -f "$S3_PID"
}

s3_status() {
  if s3_running; then log "moto running (pid $(cat "$S3_PID")) at $S3_URL"; else log "moto not running"; fi
}

case "$WHICH" in all|postgres|s3) ;; *) usage ;; esac
case "$ACTION" in
  start)
    if [ "$WHICH" = all ]; then
      # start both at once (each takes ~1 s), then report in a fixed order
      mkdir -p "$BASE"
      pg_start >"$BASE/.pg.out" & pg=$!
      s3_start >"$BASE/.s3.out" & s3=$!
      rc=0; wait $pg || rc=1; wait $s3 || rc=1
      cat "$BASE/.pg.out" "$BASE/.s3.out"; rm -f "$BASE/.pg.out" "$BASE/.s3.out"
      exit $rc
    fi
    "${WHICH/postgres/pg}_start" ;;
  stop)
    if [ "$WHICH" = all ]; then
      s3_stop & s3=$!; pg_stop; wait $s3
    else
      "${WHICH/postgres/pg}_stop"
    fi ;;
  status)
    if [ "$WHICH" = all ] || [ "$WHICH" = postgres ]; then pg_status; fi
    if [ "$WHICH" = all ] || [ "$WHICH" = s3 ]; then s3_status; fi ;;
  *) usage ;;
esac
