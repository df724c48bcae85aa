# Sourced by scripts/test and scripts/bench: finds or starts the PostgreSQL that the PostgreSQL runs use.
#
# postgres_for_tests exports TEST_DATABASE_URL: the one given if set (it must answer), else a server
# on 127.0.0.1:5432, else a throwaway cluster started in a temporary directory and removed when the
# calling script exits. Callers define `say`.

apt_install() {
  local sudo=()
  [ "$(id -u)" = 0 ] || sudo=(sudo)
  say "installing $* from Debian's packages"
  "${sudo[@]}" apt-get install -y "$@" >/dev/null || { "${sudo[@]}" apt-get update >/dev/null && "${sudo[@]}" apt-get install -y "$@" >/dev/null; }
}

pg_tmp=""
as_postgres=()
stop_postgres() {
  if [ -n "$pg_tmp" ]; then
    "${as_postgres[@]}" "$pg_bin/pg_ctl" -D "$pg_tmp/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$pg_tmp"
  fi
}

postgres_for_tests() {
  pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -z "$pg_bin" ]; then
    apt_install postgresql
    pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  fi
  trap stop_postgres EXIT
  # Interrupted (Ctrl-C, a CI timeout): stop the cluster too, then exit as interrupted.
  trap 'stop_postgres; exit 130' INT
  trap 'stop_postgres; exit 143' TERM

  if [ -n "${TEST_DATABASE_URL:-}" ]; then
    "$pg_bin/psql" "$TEST_DATABASE_URL" -Atqc 'SELECT 1' >/dev/null \
      || { echo "TEST_DATABASE_URL is set but PostgreSQL does not answer there" >&2; exit 1; }
    say "PostgreSQL: TEST_DATABASE_URL"
  elif "$pg_bin/pg_isready" -q -h 127.0.0.1 -p 5432; then
    export TEST_DATABASE_URL="postgres://postgres@127.0.0.1:5432/postgres"
    say "PostgreSQL: the server on 127.0.0.1:5432"
  else
    pg_tmp=$(mktemp -d /tmp/access-tokens-pg.XXXXXX)
    local port
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    if [ "$(id -u)" = 0 ]; then
      # initdb refuses to run as root.
      chown postgres "$pg_tmp"
      as_postgres=(runuser -u postgres --)
    fi
    "${as_postgres[@]}" "$pg_bin/initdb" -A trust -U postgres -D "$pg_tmp/data" >/dev/null
    "${as_postgres[@]}" "$pg_bin/pg_ctl" -D "$pg_tmp/data" -l "$pg_tmp/server.log" -w \
      -o "-p $port -k $pg_tmp -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=400 -c max_wal_size=256MB" start >/dev/null
    export TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$port/postgres"
    say "PostgreSQL: a throwaway cluster on 127.0.0.1:$port ($pg_tmp)"
  fi
}
