#!/usr/bin/env bash
# The README's first command: install, build, start a throwaway cluster,
# load a broken sample database, and show seqguard finding and fixing it.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

DEMO_DIR=${DEMO_DIR:-/tmp/seqguard-demo}
DEMO_PORT=${DEMO_PORT:-54329}

install_deps
[ -z "$PG_ROOT" ] || pg_private_copy "$PG_ROOT"
build_install
throwaway_start "$DEMO_DIR" "$DEMO_PORT"

psql() { command psql -X -q -v ON_ERROR_STOP=1 -d shop "$@"; }
as_pg "$PG_BIN/createdb" -h "$DEMO_DIR" -p "$DEMO_PORT" shop
psql -f demo/sample.sql >/dev/null
psql -c 'CREATE EXTENSION seqguard'

echo
echo "== check_sequence_health() on the sample database"
psql -P pager=off -c 'SELECT table_name, column_name, column_kind, sequence_name, max_id, next_value,
       round(capacity_used::numeric, 4) AS capacity_used, status, detail
  FROM check_sequence_health()'
echo "== fix_all_sequences()"
psql -P pager=off -c 'SELECT * FROM fix_all_sequences()'
echo "== check_sequence_health() after the fix"
psql -P pager=off -c 'SELECT table_name, column_name, max_id, next_value, status FROM check_sequence_health()'
echo "== an insert that takes the next id now succeeds"
psql -P pager=off -c "INSERT INTO orders (customer_id, total) VALUES (1, 9.99) RETURNING id"

echo "The cluster is still running: psql -h $DEMO_DIR -p $DEMO_PORT -U postgres shop"
echo "Stop it with: runuser -u postgres -- $PG_BIN/pg_ctl -D $DEMO_DIR/data stop"
