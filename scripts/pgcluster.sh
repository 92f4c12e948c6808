#!/usr/bin/env bash
# Private PostGIS cluster for development and tests, one per checkout.
#   scripts/pgcluster.sh start     initialise (first time), start (if not running), create the database
#   scripts/pgcluster.sh stop      stop it
#   scripts/pgcluster.sh destroy   stop it and delete its data (make clean-db)
#   scripts/pgcluster.sh url       print the DATABASE_URL of the private cluster
#   scripts/pgcluster.sh datadir   print where the cluster's data lives (creates nothing)
# DATABASE_URL in the environment means another server is used: start only checks it answers.
#
# Where the data lives: the server runs as the `postgres` user when the caller is root, and that
# user must reach its data directory. When it can enter the checkout, the data stays in
# var/pg/data (as before). When it cannot (a clone under /root, mode 700: the usual case on a
# fresh server), the data goes to ~postgres/tz-clusters/<hash of the checkout path>, recorded in
# var/pg/datadir. Either way var/pg/port stays in the checkout, where the settings read it.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd -P)"
PGDIR="$ROOT/var/pg"
DBNAME="${TZ_DB_NAME:-tugan_zher}"
PG_MAJOR="${PG_MAJOR:-$(ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -n 1)}"
BIN="/usr/lib/postgresql/$PG_MAJOR/bin"

fail() { echo "pgcluster: $*" >&2; exit 1; }

is_root() { [ "$(id -u)" = 0 ]; }

# initdb and the server refuse to run as root: run them as the postgres user then, from a
# folder it can enter (it cannot enter a checkout under /root).
as_owner() {
  if is_root; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

# Can the postgres user reach (enter) this path? Checked as that user: every parent counts.
postgres_can_enter() { (cd / && runuser -u postgres -- test -x "$1") 2>/dev/null; }

# The nearest existing folder on the way to var/pg: what the postgres user must be able to enter.
nearest_existing() {
  local path="$1"
  while [ ! -e "$path" ]; do path="$(dirname "$path")"; done
  echo "$path"
}

external_dir() {
  local home hash
  home="$(getent passwd postgres | cut -d: -f6)"
  hash="$(printf '%s' "$ROOT" | sha256sum | cut -c1-16)"
  echo "${TZ_PG_CLUSTERS_DIR:-${home:-/var/lib/postgresql}/tz-clusters}/$hash"
}

# Where the cluster of this checkout keeps its data: decided once, then remembered.
resolve_cluster_dir() {
  if [ -f "$PGDIR/datadir" ]; then cat "$PGDIR/datadir"; return; fi
  # A cluster already initialised inside the checkout stays there (and keeps running).
  if [ -f "$PGDIR/data/PG_VERSION" ] || ! is_root; then echo "$PGDIR"; return; fi
  if postgres_can_enter "$(nearest_existing "$PGDIR")"; then echo "$PGDIR"; else external_dir; fi
}

CLUSTER="$(resolve_cluster_dir)"
DATA="$CLUSTER/data"
SOCK="$CLUSTER/run"
LOG="$CLUSTER/server.log"

free_port() {
  python3 - <<'PY'
import socket
for port in range(55432, 55632):
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            continue
        print(port)
        break
PY
}

port() { cat "$PGDIR/port"; }

url() { echo "postgis://postgres@127.0.0.1:$(port)/$DBNAME"; }

running() { [ -f "$DATA/postmaster.pid" ] && as_owner "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; }

preflight() {
  [ -x "$BIN/initdb" ] || fail "PostgreSQL server binaries are missing under /usr/lib/postgresql: run 'make db' (it installs them) or 'sudo apt-get install postgresql-15-postgis-3'."
  if is_root; then
    getent passwd postgres >/dev/null || fail "there is no 'postgres' user to run the server as: install PostgreSQL with 'make db' (or apt-get install postgresql-15) first."
  fi
  mkdir -p "$PGDIR" 2>/dev/null && [ -w "$PGDIR" ] || fail "cannot write $PGDIR: run this as the owner of the checkout (or root)."
}

init() {
  mkdir -p "$CLUSTER" "$SOCK"
  if is_root; then
    if [ "$CLUSTER" != "$PGDIR" ]; then
      mkdir -p "$(dirname "$CLUSTER")"
      chown postgres:postgres "$(dirname "$CLUSTER")"
      chmod 700 "$CLUSTER"
      printf '%s\n' "$ROOT" >"$CLUSTER/checkout"  # which checkout this cluster belongs to
    fi
    chown postgres:postgres "$CLUSTER" "$SOCK"
  fi
  # Trust on loopback only: the cluster is private to this checkout and listens nowhere else.
  if ! as_owner "$BIN/initdb" -D "$DATA" -U postgres -A trust -E UTF8 --locale=C.UTF-8 \
      >"$PGDIR/initdb.log" 2>&1; then
    fail "initdb failed, see $PGDIR/initdb.log; if the 'postgres' user cannot write $CLUSTER, delete it and run 'make db' again."
  fi
  [ "$CLUSTER" = "$PGDIR" ] || printf '%s\n' "$CLUSTER" >"$PGDIR/datadir"
  free_port >"$PGDIR/port"
  as_owner tee -a "$DATA/postgresql.conf" >/dev/null <<CONF
listen_addresses = '127.0.0.1'
port = $(port)
unix_socket_directories = '$SOCK'
max_connections = 100
shared_buffers = 512MB
work_mem = 32MB
fsync = off
synchronous_commit = off
full_page_writes = off
jit = off
max_parallel_workers_per_gather = 0
CONF
}

start() {
  if [ -n "${DATABASE_URL:-}" ]; then
    echo "DATABASE_URL is set: using that server, not the private cluster"
    return 0
  fi
  preflight
  [ -f "$DATA/PG_VERSION" ] || init
  [ -f "$PGDIR/port" ] || fail "$PGDIR/port is missing although $DATA exists: run 'make clean-db' and then 'make db'."
  if ! running; then
    # The recorded port may have been taken meanwhile (another checkout): pick a new one.
    if ! python3 -c "import socket,sys; s=socket.socket(); s.bind(('127.0.0.1', int(sys.argv[1])))" "$(port)" 2>/dev/null; then
      free_port >"$PGDIR/port"
      as_owner sed -i "s/^port = .*/port = $(port)/" "$DATA/postgresql.conf"
    fi
    as_owner "$BIN/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 start >/dev/null \
      || fail "the server did not start, see $LOG."
  fi
  local psql=("$BIN/psql" -h 127.0.0.1 -p "$(port)" -U postgres -X -q)
  if ! "${psql[@]}" -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$DBNAME'" | grep -q 1; then
    "${psql[@]}" -d postgres -c "CREATE DATABASE $DBNAME"
  fi
  "${psql[@]}" -d "$DBNAME" -c "CREATE EXTENSION IF NOT EXISTS postgis" 2>&1 | grep -v 'already exists' || true
  echo "PostGIS $PG_MAJOR cluster up: $(url) (data in $DATA)"
}

stop() {
  if running; then as_owner "$BIN/pg_ctl" -D "$DATA" -m fast stop >/dev/null; fi
}

destroy() {
  stop
  if [ "$CLUSTER" != "$PGDIR" ]; then rm -rf "$CLUSTER"; fi
  rm -rf "$PGDIR"
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  destroy) destroy ;;
  url) url ;;
  datadir) echo "$DATA" ;;
  *) echo "usage: $0 start|stop|destroy|url|datadir" >&2; exit 2 ;;
esac
