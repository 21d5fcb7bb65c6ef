#!/usr/bin/env bash
# Crash recovery: a committed fix survives an immediate shutdown (no
# checkpoint, shared buffers lost), because the move is WAL-logged the way
# setval() logs it.  The same for the guard's move.
# Needs PGHOST/PGPORT/PGUSER of a running cluster whose data directory is
# $PGHOST/data, with seqguard installed.
set -euo pipefail
BIN=${PG_BIN:-/usr/lib/postgresql/${PG_MAJOR:-15}/bin}
DB=seqguard_crash
q() { psql -X -q -t -A -v ON_ERROR_STOP=1 "$@"; }
as_pg() { if [ "$(id -un)" = postgres ]; then "$@"; else runuser -u postgres -- "$@"; fi; }

q -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
q -d $DB <<'SQL'
CREATE EXTENSION seqguard;
CREATE TABLE t (id serial PRIMARY KEY);
CREATE TABLE g (id serial PRIMARY KEY);
CHECKPOINT;
INSERT INTO t SELECT generate_series(1, 1234);
SQL
# after the checkpoint, the sequence pages on disk still say "1"
fixed=$(q -d $DB -c "SELECT new_next_value FROM fix_all_sequences() WHERE sequence_name = 't_id_seq'")
guarded=$(q -d $DB -c "LOAD 'seqguard'" -c "INSERT INTO g VALUES (777)" -c "SELECT last_value FROM g_id_seq")
[ "$fixed" = 1235 ] || { echo "FAIL: fix set $fixed, expected 1235"; exit 1; }
[ "$guarded" = 778 ] || { echo "FAIL: guard set $guarded, expected 778"; exit 1; }

as_pg "$BIN/pg_ctl" -D "$PGHOST/data" -m immediate -w stop >/dev/null
as_pg "$BIN/pg_ctl" -D "$PGHOST/data" -l "$PGHOST/server.log" -w start >/dev/null

next_t=$(q -d $DB -c "SELECT nextval('t_id_seq')")
next_g=$(q -d $DB -c "SELECT nextval('g_id_seq')")
echo "after crash and recovery: nextval = $next_t (fix set 1235), $next_g (guard set 778)"
[ "$next_t" = 1235 ] || { echo "FAIL: the fix did not survive the crash"; exit 1; }
[ "$next_g" = 778 ] || { echo "FAIL: the guard's move did not survive the crash"; exit 1; }
rows=$(q -d $DB -c "SELECT count(*) FROM fix_all_sequences()")
[ "$rows" = 0 ] || { echo "FAIL: a second fix after recovery still had work: $rows rows"; exit 1; }
q -d postgres -c "DROP DATABASE $DB"
