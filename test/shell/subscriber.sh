#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Failover-ready subscribers: with seqguard preloaded on a logical-
# replication subscriber, every row the subscription writes (the initial
# copy, streamed INSERTs and UPDATEs with explicit or generated ids, COPY on
# the publisher, a large streamed transaction, a partitioned table, a
# sequence shared by two tables, a table added to the publication later)
# leaves the subscriber's sequences ahead of it.  Once caught up,
# assert_sequences_healthy() passes and the subscriber takes 1,000 default
# inserts per table, with no duplicate key and no fix step.  A control
# subscriber without seqguard preloaded, fed the same way, collides.
# error mode acts as warn in the apply worker: replication goes on.  On 19
# (publisher and subscriber), sequences published with FOR ALL SEQUENCES
# and copied by REFRESH SEQUENCES are not left behind the replicated rows.
#
# Three throwaway clusters on 127.0.0.1 over TCP: the publisher P, the
# guarded subscriber S and the control C, on SUB_PORT (default PGPORT+7)
# and the two ports above it.  P runs from PG_BIN (or PG_MAJOR's); with
# SUB_ROOT set, S and C run inside that chroot from SUB_BIN (default
# /usr/lib/postgresql/SUB_MAJOR/bin), which must have seqguard installed:
# a publisher of one major version feeding a subscriber of another, as in
# a major upgrade by logical replication (scripts/upgrade-test.sh).
set -euo pipefail
cd "$(dirname "$0")"
# shellcheck source=../lib/pg.sh
. ../lib/pg.sh
# shellcheck source=../lib/assert.sh
. ../lib/assert.sh
# shellcheck source=../lib/replica.sh
. ../lib/replica.sh

P_PORT=${SUB_PORT:-$((${PGPORT:-54330} + 7))}
S_PORT=$((P_PORT + 1))
C_PORT=$((P_PORT + 2))
DB=app
ROWS=${SUB_DEFAULT_INSERTS:-1000}
SUB_ROOT=${SUB_ROOT:-}
P_MAJOR=$(server_major)
if [ -n "$SUB_ROOT" ]; then
	SUB_MAJOR=${SUB_MAJOR:?SUB_MAJOR names the major version of the subscribers}
	SUB_BIN=${SUB_BIN:-/usr/lib/postgresql/$SUB_MAJOR/bin}
else
	SUB_MAJOR=$P_MAJOR
	SUB_BIN=$BIN
fi
work=$(work_dir subscriber)
# in a chroot, the directory is the chroot's postgres user's, whose uid may differ
[ -z "$SUB_ROOT" ] || { mkdir -p "$SUB_ROOT$work"; chmod 755 "$SUB_ROOT$work"; chroot "$SUB_ROOT" chown postgres: "$work"; }
trap replica_cleanup EXIT

start "$work/p" "$P_PORT" "$BIN" as_pg "wal_level = logical" "logical_decoding_work_mem = 64kB" \
	"max_wal_senders = 10" "max_replication_slots = 10"
start "$work/s" "$S_PORT" "$SUB_BIN" in_sub "shared_preload_libraries = 'seqguard'" \
	"max_logical_replication_workers = 8" "max_worker_processes = 16"
start "$work/c" "$C_PORT" "$SUB_BIN" in_sub "max_logical_replication_workers = 8" "max_worker_processes = 16"
# and a table owned by another role, with a small range (so that the log
# names the role the guard acted as)
OWNED="CREATE ROLE alice; CREATE TABLE owned (id smallserial PRIMARY KEY, v text);
  ALTER TABLE owned OWNER TO alice;"
for port in "$P_PORT" "$S_PORT" "$C_PORT"; do
	"$BIN/psql" -X -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -c "CREATE DATABASE $DB"
	sql "$port" -c "$DDL" -c "$OWNED"
done
s -c "CREATE EXTENSION seqguard"
c -c "CREATE EXTENSION seqguard"
echo "publisher PostgreSQL $P_MAJOR, subscribers PostgreSQL $SUB_MAJOR${SUB_ROOT:+ (in $SUB_ROOT)}"

# rows for the initial copy, then the subscriptions (S streams in parallel where it can)
p -c "$(WRITES 1000)"
p -c "COPY ser (id, v) FROM STDIN" <<<$'1500\tcopied\n1501\tcopied'
p -c "CREATE PUBLICATION pub FOR TABLE ser, ident, ialw, sh_a, sh_b, part, big, strict, owned"
streaming=on
[ "$SUB_MAJOR" -lt 16 ] || streaming=parallel
s -c "CREATE SUBSCRIPTION sub CONNECTION 'host=127.0.0.1 port=$P_PORT dbname=$DB user=postgres'
        PUBLICATION pub WITH (streaming = $streaming, slot_name = sub_s)"
c -c "CREATE SUBSCRIPTION sub CONNECTION 'host=127.0.0.1 port=$P_PORT dbname=$DB user=postgres'
        PUBLICATION pub WITH (streaming = on, slot_name = sub_c)"
wait_for "the initial copy on S" synced "$S_PORT"
wait_for "the initial copy on C" synced "$C_PORT"
wait_for "S to catch up after the initial copy" caught_up "$S_PORT"
expect "initial copy: S's sequences are past the copied rows (the table-sync worker)" \
	"ialw:ok,ident:ok,part:ok,ser:ok,sh_a:ok,sh_b:ok" \
	"$(s -c "SELECT string_agg(table_name || ':' || status, ',' ORDER BY table_name COLLATE \"C\") FROM check_sequence_health()
	           WHERE table_name IN ('ser', 'ident', 'ialw', 'sh_a', 'sh_b', 'part')")"

# streamed changes: explicit and default ids, COPY, UPDATE of ids, a large
# streamed transaction, and a table added to the publication later
p -c "$(WRITES 2000)"
p -c "COPY ident (id, v) FROM STDIN" <<<$'2500\tcopied\n2501\tcopied'
p -c "UPDATE ser SET id = 2600 WHERE id = 1010"
p -c "UPDATE part SET id = 2700 WHERE id = 1050"
p -c "INSERT INTO big (id, v) SELECT g, repeat('b', 100) FROM generate_series(1, 50000) g"
p -c "INSERT INTO later (id, v) VALUES (3000, 'x')"
p -c "ALTER PUBLICATION pub ADD TABLE later"
s -c "ALTER SUBSCRIPTION sub REFRESH PUBLICATION"
c -c "ALTER SUBSCRIPTION sub REFRESH PUBLICATION"
p -c "INSERT INTO later (id, v) VALUES (3100, 'y')"
wait_for "S to catch up" caught_up "$S_PORT"
wait_for "C to catch up" caught_up "$C_PORT"
expect "(S has every row of the publisher)" "$(p -c "$SNAPSHOT")" "$(s -c "$SNAPSHOT")"
expect "the large transaction was streamed to S (it spilled past logical_decoding_work_mem)" t \
	"$(p -c "SELECT sum(stream_txns) > 0 FROM pg_stat_replication_slots")"

# before the cutover: the pre-cutover check passes on S, not on the control
expect "S: check_sequence_health() is ok for every table" "" \
	"$(s -c "SELECT string_agg(table_name || ':' || status, ',') FROM check_sequence_health() WHERE status <> 'ok'")"
expect "S: assert_sequences_healthy() passes" ok "$(state "$S_PORT" "SELECT assert_sequences_healthy()")"
expect "C (no seqguard preloaded): assert_sequences_healthy() fails" 23000 \
	"$(state "$C_PORT" "SELECT assert_sequences_healthy()")"

# error mode acts as warn in the apply worker: the rows arrive, the
# sequence is left alone, the log says so; replication never stops
restart_worker() { # the apply worker reads the database's settings when it starts
	s -c "ALTER SUBSCRIPTION sub DISABLE"
	wait_for "S's apply worker to stop" s -c "SELECT count(pid) = 0 FROM pg_stat_subscription"
	s -c "ALTER SUBSCRIPTION sub ENABLE"
}
s -c "ALTER DATABASE $DB SET seqguard.mode = error"
restart_worker
p -c "INSERT INTO strict (id, v) VALUES (5000, 'x')"
wait_for "S to catch up in error mode" caught_up "$S_PORT"
expect "error mode: the row replicated (the apply worker did not fail)" 1 \
	"$(s -c "SELECT count(*) FROM strict WHERE id = 5000")"
expect "error mode: no apply error" 0 \
	"$(s -c "SELECT coalesce(sum(apply_error_count), 0) FROM pg_stat_subscription_stats")"
expect "error mode: the sequence is left where it was (as warn)" t \
	"$(s -c "SELECT last_value < 5000 FROM strict_id_seq")"
expect "error mode: the server log says it acts as warn, and warns" 2 \
	"$(in_sub grep -cE 'acts as warn in this replication worker|value 5000 written into column "id" of table "public.strict"' "$work/s.log")"
s -c "ALTER DATABASE $DB RESET seqguard.mode"
restart_worker
p -c "INSERT INTO strict (id, v) VALUES (5001, 'y')"
wait_for "S to catch up in fix mode" caught_up "$S_PORT"
expect "back in fix mode: the next replicated id moves the sequence past both" t \
	"$(s -c "SELECT last_value > 5001 FROM strict_id_seq")"
c -c "SELECT setval('strict_id_seq', 5001)" >/dev/null	# the control is told nothing of error mode

# the role the rows are written as, whose rights the guard uses: from 16
# on, the table's owner, unless the subscription runs as its owner; before
# 16, the subscription's owner.  A move past 10% of the range left is
# logged with the role's name.
moved_by() { # moved_by ROLE: lines of S's log naming ROLE as the mover of owned_id_seq
	in_sub grep -c "role \"$1\" moved sequence \"public.owned_id_seq\"" "$work/s.log" || true
}
p -c "INSERT INTO owned (id, v) VALUES (7000, 'x')"
wait_for "owned's row on S" s -c "SELECT count(*) = 1 FROM owned WHERE id = 7000"
expect "the guard moved owned_id_seq past the replicated row" t "$(s -c "SELECT last_value >= 7000 FROM owned_id_seq")"
if [ "$SUB_MAJOR" -ge 16 ]; then
	expect "16+: with the rights of the table's owner, alice" 1/0 "$(moved_by alice)/$(moved_by postgres)"
	s -c "ALTER SUBSCRIPTION sub SET (run_as_owner = true)"
	p -c "INSERT INTO owned (id, v) VALUES (14000, 'y')"
	wait_for "owned's second row on S" s -c "SELECT count(*) = 1 FROM owned WHERE id = 14000"
	expect "16+: with run_as_owner, with the rights of the subscription's owner, postgres" 1/1 \
		"$(moved_by alice)/$(moved_by postgres)"
else
	expect "15: with the rights of the subscription's owner, postgres" 0/1 "$(moved_by alice)/$(moved_by postgres)"
fi

# PostgreSQL 19: sequences published and copied by REFRESH SEQUENCES; the
# publisher's position of shared_seq (behind the explicit ids written
# there) must not set S back behind the replicated rows
if [ "$P_MAJOR" -ge 19 ] && [ "$SUB_MAJOR" -ge 19 ]; then
	p -c "CREATE PUBLICATION pubseq FOR ALL SEQUENCES"
	for port in "$S_PORT" "$C_PORT"; do
		sql "$port" -c "ALTER SUBSCRIPTION sub ADD PUBLICATION pubseq"
	done
	sql "$S_PORT" -c "ALTER SUBSCRIPTION sub REFRESH SEQUENCES"
	sql "$C_PORT" -c "ALTER SUBSCRIPTION sub REFRESH SEQUENCES"
	sleep 3
	expect "19: after REFRESH SEQUENCES, S's shared_seq is still past the replicated rows" ok \
		"$(s -c "SELECT status FROM check_sequence_health() WHERE table_name = 'sh_b'")"
else
	echo "skip - PostgreSQL $P_MAJOR -> $SUB_MAJOR: no logical replication of sequences (19 on both)"
fi

# the cutover: replication stops, the application writes to the subscriber
for port in "$S_PORT" "$C_PORT"; do
	sql "$port" -c "ALTER SUBSCRIPTION sub DISABLE"
done
expect "after the cutover, $ROWS default inserts into each table of S: no duplicate key" 0 "$(inserts "$S_PORT")"
expect_ge "the control C, fed the same way without seqguard, collides" 1 "$(inserts "$C_PORT")"
no_crash <(in_sub cat "$work/s.log") <(in_sub cat "$work/c.log") "$work/p.log"

summary "subscriber, PostgreSQL $P_MAJOR to $SUB_MAJOR"
