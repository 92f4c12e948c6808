#!/usr/bin/env bash
# Private PostGIS cluster under var/pg for development and tests.
#   scripts/pgcluster.sh start   initialise (first time), start (if not running), create the database
#   scripts/pgcluster.sh stop    stop it
#   scripts/pgcluster.sh url     print the DATABASE_URL of the private cluster
# DATABASE_URL in the environment means another server is used: start only checks it answers.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PGDIR="$ROOT/var/pg"
DATA="$PGDIR/data"
SOCK="$PGDIR/run"
DBNAME="${TZ_DB_NAME:-tugan_zher}"
PG_MAJOR="${PG_MAJOR:-$(ls /usr/lib/postgresql | sort -n | tail -n 1)}"
BIN="/usr/lib/postgresql/$PG_MAJOR/bin"

# initdb and the server refuse to run as root: run them as the postgres user then.
as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

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

init() {
  mkdir -p "$PGDIR" "$SOCK"
  if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$PGDIR" "$SOCK"; fi
  # Trust on loopback only: the cluster is private to this checkout and listens nowhere else.
  as_owner "$BIN/initdb" -D "$DATA" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$PGDIR/initdb.log"
  free_port >"$PGDIR/port"
  cat >>"$DATA/postgresql.conf" <<CONF
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
  [ -f "$DATA/PG_VERSION" ] || init
  if ! running; then
    # The recorded port may have been taken meanwhile (another checkout): pick a new one.
    if ! python3 -c "import socket,sys; s=socket.socket(); s.bind(('127.0.0.1', int(sys.argv[1])))" "$(port)" 2>/dev/null; then
      free_port >"$PGDIR/port"
      sed -i "s/^port = .*/port = $(port)/" "$DATA/postgresql.conf"
    fi
    as_owner "$BIN/pg_ctl" -D "$DATA" -l "$PGDIR/server.log" -w -t 60 start >/dev/null
  fi
  local psql=("$BIN/psql" -h 127.0.0.1 -p "$(port)" -U postgres -X -q)
  if ! "${psql[@]}" -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$DBNAME'" | grep -q 1; then
    "${psql[@]}" -d postgres -c "CREATE DATABASE $DBNAME"
  fi
  "${psql[@]}" -d "$DBNAME" -c "CREATE EXTENSION IF NOT EXISTS postgis" 2>&1 | grep -v 'already exists' || true
  echo "PostGIS $PG_MAJOR cluster up: $(url)"
}

stop() {
  if running; then as_owner "$BIN/pg_ctl" -D "$DATA" -m fast stop >/dev/null; fi
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  url) url ;;
  *) echo "usage: $0 start|stop|url" >&2; exit 2 ;;
esac
