#!/usr/bin/env bash
# Starts a throwaway PostgreSQL 15 cluster on a loopback port for the tests, and stops it.
# Usage: source .ci/postgres.sh; pg_start; ...; pg_stop
# pg_start exports EINVOICE_TEST_POSTGRES. The cluster lives in a temp dir and is deleted by pg_stop.

pg_bin_dir() {
  local dir
  for dir in /usr/lib/postgresql/*/bin; do
    if [[ -x "$dir/initdb" ]]; then
      echo "$dir"
      return 0
    fi
  done
  return 1
}

pg_start() {
  local bin
  if ! bin=$(pg_bin_dir); then
    echo "PostgreSQL server not found; installing it with apt-get."
    export DEBIAN_FRONTEND=noninteractive
    (apt-get update -qq && apt-get install -y -qq postgresql-15) >/dev/null || (apt-get install -y -qq postgresql) >/dev/null
    bin=$(pg_bin_dir) || { echo "could not install PostgreSQL" >&2; return 1; }
  fi

  # A free loopback port, unless PG_PORT names one.
  PG_PORT=${PG_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')}
  PG_DIR=$(mktemp -d /tmp/eits-pg.XXXXXX)
  chmod 755 "$PG_DIR"
  local run_as=()
  if [[ $(id -u) -eq 0 ]]; then
    chown postgres:postgres "$PG_DIR"
    run_as=(runuser -u postgres --)
  fi

  "${run_as[@]}" "$bin/initdb" -D "$PG_DIR/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  # A throwaway test cluster with stock settings (max_connections 100, as a user's own server has): durability buys
  # nothing here, speed does.
  "${run_as[@]}" "$bin/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start >/dev/null
  export PG_BIN="$bin" PG_DIR PG_PORT
  # A plain connection string: the tests bound their own pools, as they must on any stock server.
  export EINVOICE_TEST_POSTGRES="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=postgres"
  echo "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') started on 127.0.0.1:$PG_PORT"
}

pg_stop() {
  if [[ -n "${PG_DIR:-}" && -d "$PG_DIR/data" ]]; then
    local run_as=()
    [[ $(id -u) -eq 0 ]] && run_as=(runuser -u postgres --)
    "${run_as[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$PG_DIR"
    echo "PostgreSQL stopped"
  fi
}
