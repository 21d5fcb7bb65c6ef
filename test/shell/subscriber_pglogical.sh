#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Failover-ready subscribers with pglogical: the same tables and writes as
# test/shell/subscriber.sh, replicated by pglogical 2 (its initial copy and
# its apply worker) to a subscriber S with seqguard preloaded beside
# pglogical, and to a control C with pglogical alone.  Once caught up,
# assert_sequences_healthy() passes on S and the cutover takes 1,000
# default inserts per table without a duplicate key; C collides.
#
# Three throwaway clusters on 127.0.0.1, ports PGLOGICAL_PORT (default
# PGPORT+10) and the two above it.  Skipped (exit 77) where Debian has no
# pglogical package for this major (19, so far).
set -euo pipefail
cd "$(dirname "$0")"
# shellcheck source=../lib/pg.sh
. ../lib/pg.sh
# shellcheck source=../lib/assert.sh
. ../lib/assert.sh
# shellcheck source=../lib/replica.sh
. ../lib/replica.sh

P_PORT=${PGLOGICAL_PORT:-$((${PGPORT:-54330} + 10))}
S_PORT=$((P_PORT + 1))
C_PORT=$((P_PORT + 2))
DB=app
ROWS=${SUB_DEFAULT_INSERTS:-1000}
SUB_ROOT=
SUB_BIN=$BIN
MAJOR=$(server_major)
if [ ! -e "$("$BIN/pg_config" --sharedir 2>/dev/null || echo /nonexistent)/extension/pglogical.control" ] &&
	[ ! -e "/usr/share/postgresql/$MAJOR/extension/pglogical.control" ]; then
	echo "pglogical is not installed for PostgreSQL $MAJOR (Debian has no postgresql-$MAJOR-pglogical here)"
	exit 77
fi
work=$(work_dir pglogical)
trap replica_cleanup EXIT

conf=("wal_level = logical" "max_wal_senders = 10" "max_replication_slots = 10"
	"max_worker_processes = 16" "track_commit_timestamp = on")
# minor releases from August 2026 on load only the output plugins listed in
# output_plugin_libraries; pglogical's is not in its default
if [ "$("$BIN/postgres" --describe-config 2>/dev/null | grep -c '^output_plugin_libraries')" -gt 0 ]; then
	conf+=("output_plugin_libraries = 'pgoutput, pglogical_output'")
fi
start "$work/p" "$P_PORT" "$BIN" as_pg "shared_preload_libraries = 'pglogical'" "${conf[@]}"
start "$work/s" "$S_PORT" "$BIN" as_pg "shared_preload_libraries = 'pglogical, seqguard'" "${conf[@]}"
start "$work/c" "$C_PORT" "$BIN" as_pg "shared_preload_libraries = 'pglogical'" "${conf[@]}"
dsn() { echo "host=127.0.0.1 port=$1 dbname=$DB user=postgres"; }
for port in "$P_PORT" "$S_PORT" "$C_PORT"; do
	"$BIN/psql" -X -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -c "CREATE DATABASE $DB"
	sql "$port" -c "$DDL" -c "CREATE EXTENSION pglogical" \
		-c "SELECT pglogical.create_node(node_name := 'n$port', dsn := '$(dsn "$port")')" >/dev/null
done
s -c "CREATE EXTENSION seqguard"
c -c "CREATE EXTENSION seqguard"
echo "PostgreSQL $MAJOR, pglogical $(p -c "SELECT extversion FROM pg_extension WHERE extname = 'pglogical'")"

# rows for the initial copy, then the subscriptions
p -c "$(WRITES 1000)"
p -c "COPY ser (id, v) FROM STDIN" <<<$'1500\tcopied\n1501\tcopied'
p -c "SELECT pglogical.replication_set_add_all_tables('default', ARRAY['public'])" >/dev/null
for port in "$S_PORT" "$C_PORT"; do
	sql "$port" -c "SELECT pglogical.create_subscription(subscription_name := 'sub$port',
	                  provider_dsn := '$(dsn "$P_PORT")', synchronize_structure := false)" >/dev/null
done
s -c "SELECT pglogical.wait_for_subscription_sync_complete('sub$S_PORT')" >/dev/null
c -c "SELECT pglogical.wait_for_subscription_sync_complete('sub$C_PORT')" >/dev/null
wait_for "S to catch up after the initial copy" caught_up "$S_PORT"
expect "initial copy: S's sequences are past the copied rows" "" \
	"$(s -c "SELECT string_agg(table_name || ':' || status, ',') FROM check_sequence_health() WHERE status <> 'ok'")"

# streamed changes: explicit and default ids, COPY, UPDATE of ids, a large transaction
p -c "$(WRITES 2000)"
p -c "COPY ident (id, v) FROM STDIN" <<<$'2500\tcopied\n2501\tcopied'
p -c "UPDATE ser SET id = 2600 WHERE id = 1010"
p -c "UPDATE part SET id = 2700 WHERE id = 1050"
p -c "INSERT INTO big (id, v) SELECT g, repeat('b', 100) FROM generate_series(1, 50000) g"
p -c "INSERT INTO later (id, v) VALUES (3000, 'x')"
wait_for "S to catch up" caught_up "$S_PORT"
wait_for "C to catch up" caught_up "$C_PORT"
expect "(S has every row of the provider)" "$(p -c "$SNAPSHOT")" "$(s -c "$SNAPSHOT")"
expect "S: check_sequence_health() is ok for every table" "" \
	"$(s -c "SELECT string_agg(table_name || ':' || status, ',') FROM check_sequence_health() WHERE status <> 'ok'")"
expect "S: assert_sequences_healthy() passes" ok "$(state "$S_PORT" "SELECT assert_sequences_healthy()")"
expect "C (pglogical without seqguard): assert_sequences_healthy() fails" 23000 \
	"$(state "$C_PORT" "SELECT assert_sequences_healthy()")"

# the cutover: the subscriptions dropped, the application writes to the subscriber
s -c "SELECT pglogical.drop_subscription('sub$S_PORT')" >/dev/null
c -c "SELECT pglogical.drop_subscription('sub$C_PORT')" >/dev/null
expect "after the cutover, $ROWS default inserts into each table of S: no duplicate key" 0 "$(inserts "$S_PORT")"
expect_ge "the control C, fed the same way without seqguard, collides" 1 "$(inserts "$C_PORT")"
no_crash "$work/s.log" "$work/c.log" "$work/p.log"

summary "subscriber with pglogical, PostgreSQL $MAJOR"
