#!/usr/bin/env bash
# Run a command against a throw-away PostgreSQL 15 cluster, then stop and delete it.
#   scripts/with-postgres.sh .venv/bin/pytest
# The cluster listens on 127.0.0.1 on a free port; HUIMIN_DATABASE_URL points at it.
# As root, the server runs as the unprivileged user `nobody` (PostgreSQL refuses root).
set -euo pipefail

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
if [ ! -x "$PGBIN/initdb" ]; then
    echo "PostgreSQL 15 server binaries not found in $PGBIN (apt-get install postgresql-15)" >&2
    exit 1
fi

workdir=$(mktemp -d /tmp/huimin-pg.XXXXXX)
chmod 755 "$workdir"
as_pg=()
if [ "$(id -u)" = "0" ]; then
    chown nobody "$workdir"
    as_pg=(runuser -u nobody --)
fi

cleanup() {
    "${as_pg[@]}" "$PGBIN/pg_ctl" -D "$workdir/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$workdir"
}
trap cleanup EXIT INT TERM

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')

"${as_pg[@]}" "$PGBIN/initdb" -D "$workdir/data" -U postgres --auth=trust -E UTF8 \
    --locale=C.UTF-8 >"$workdir/initdb.log" 2>&1 || { cat "$workdir/initdb.log" >&2; exit 1; }
# Durability off: this cluster lives for one test run.
"${as_pg[@]}" "$PGBIN/pg_ctl" -D "$workdir/data" -l "$workdir/server.log" -w \
    -o "-h 127.0.0.1 -p $port -k $workdir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    start >/dev/null || { cat "$workdir/server.log" >&2; exit 1; }

export HUIMIN_DATABASE_URL="postgres://postgres@127.0.0.1:$port/huimin"
export PGHOST=127.0.0.1 PGPORT=$port PGUSER=postgres
"$PGBIN/createdb" huimin
echo "PostgreSQL 15 on 127.0.0.1:$port (data in $workdir)"
"$@"
