#!/usr/bin/env bash
# Stress test of the forward-only repair: clients draw nextval() and record
# every value in a table whose primary key rejects a value handed out twice,
# while another client keeps writing an explicit id just past the sequence
# and repairing.  A sequence moved backwards hands out a value again and
# fails that client.  The same run with the usual
# "setval(seq, (SELECT max(id) FROM t))" recipe shows the test can fail.
# Needs PGHOST/PGPORT/PGUSER of a running cluster with seqguard installed.
set -euo pipefail
BIN=${PG_BIN:-/usr/lib/postgresql/${PG_MAJOR:-15}/bin}
DB=seqguard_race
SECONDS_EACH=${RACE_SECONDS:-8}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

q() { psql -X -q -t -A -v ON_ERROR_STOP=1 "$@"; }

setup() {
	q -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
	q -d $DB <<'SQL'
CREATE EXTENSION seqguard;
CREATE TABLE t (id bigserial PRIMARY KEY);
CREATE TABLE seen (v bigint PRIMARY KEY);
CREATE TABLE fixes (n int);
SQL
}

echo "INSERT INTO seen VALUES (nextval('t_id_seq'));" >"$tmp/app.sql"
cat >"$tmp/seqguard.sql" <<'SQL'
INSERT INTO t SELECT last_value + 3 FROM t_id_seq ON CONFLICT DO NOTHING;
INSERT INTO fixes SELECT count(*) FROM fix_all_sequences() WHERE action = 'advanced';
SQL
cat >"$tmp/naive.sql" <<'SQL'
INSERT INTO t SELECT last_value + 3 FROM t_id_seq ON CONFLICT DO NOTHING;
SELECT setval('t_id_seq', (SELECT max(id) FROM t));
SQL

run() { # run FIXER_SCRIPT: pgbench with 3 nextval() clients and 1 fixer
	"$BIN/pgbench" -n -T "$SECONDS_EACH" -c 4 -j 4 \
		-f "$tmp/app.sql@3" -f "$tmp/$1@1" $DB >"$tmp/$1.log" 2>&1
}

setup
if ! run seqguard.sql; then
	echo "FAIL: a value was handed out twice while fix_all_sequences() ran"
	grep -m5 -i "error" "$tmp/seqguard.sql.log" || tail -20 "$tmp/seqguard.sql.log"
	exit 1
fi
drawn=$(q -d $DB -c "SELECT count(*) FROM seen")
fixed=$(q -d $DB -c "SELECT coalesce(sum(n), 0) FROM fixes")
echo "seqguard: $drawn values drawn, none twice; $fixed repairs advanced the sequence"
if [ "$fixed" -eq 0 ] || [ "$drawn" -eq 0 ]; then
	echo "FAIL: the run did not exercise the race (no repair advanced, or no values drawn)"
	exit 1
fi

# the control must collide: the test is only as good as its power to fail
# (the race is timing-dependent, so it has a few tries)
collided=""
for try in 1 2 3; do
	setup
	if ! run naive.sql && grep -q 'duplicate key value' "$tmp/naive.sql.log"; then
		collided=$try
		break
	fi
done
if [ -z "$collided" ]; then
	echo "FAIL: the control, the setval(max(id)) recipe, handed out no value twice in 3 runs of ${SECONDS_EACH}s"
	exit 1
fi
echo "control: the setval(max(id)) recipe moved the sequence backwards and a value was handed out twice (run $collided):"
grep -m1 -o 'duplicate key value[^"]*"[^"]*"' "$tmp/naive.sql.log" || true
q -d postgres -c "DROP DATABASE $DB"
