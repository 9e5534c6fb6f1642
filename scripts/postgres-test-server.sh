#!/usr/bin/env bash
# A throwaway PostgreSQL server for the tests (Debian's postgresql package): a fresh cluster in
# DIR, on 127.0.0.1:PORT only, trust authentication, stopped and deleted by `stop`.
#   scripts/postgres-test-server.sh start DIR PORT   # prints the URL for REFUNDMESH_TEST_POSTGRES_URL
#   scripts/postgres-test-server.sh stop DIR
# PostgreSQL refuses to run as root, so under root the server runs as the package's postgres user.
set -euo pipefail
command="${1:?start or stop}"
dir="${2:?data folder}"
bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
    echo "postgres-test-server: no PostgreSQL server found (apt-get install postgresql)" >&2
    exit 3
fi
as_owner() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
case "$command" in
start)
    port="${3:?port}"
    rm -rf "$dir" && mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$dir"
    as_owner "$bin/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 --no-locale >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; exit 1; }
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$dir -c max_connections=200" \
        start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
    echo "postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"
    ;;
stop)
    [ -d "$dir/data" ] && as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$dir"
    ;;
*)
    echo "usage: $0 start DIR PORT | stop DIR" >&2
    exit 2
    ;;
esac
