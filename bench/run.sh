#!/usr/bin/env bash
# seqguard benchmarks: seqguard and the alternatives people use, measured in
# the same run on the same throwaway cluster, each measurement repeated
# (median reported), written to bench/results/ as results.md and PNG plots.
#
#   bash bench/run.sh                  # full run (about 15 minutes on 2 cores)
#   BENCH_QUICK=1 bash bench/run.sh    # small sizes, to try it
#
# Times are psql's \timing summed over the statements a method runs: each
# statement's round trip, without starting psql or connecting (which alone
# costs tens of ms here and would swamp small cases).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

BENCH_DIR=${BENCH_DIR:-/tmp/seqguard-bench}
BENCH_PORT=${BENCH_PORT:-54331}
OUT=${BENCH_OUT:-bench/results}
REPS=${BENCH_REPS:-3}
if [ -n "${BENCH_QUICK:-}" ]; then
	TABLE_COUNTS=${TABLE_COUNTS:-"100 1000"}
	FIX_COUNTS=${FIX_COUNTS:-"100 1000"}
	ROW_COUNTS=${ROW_COUNTS:-"1000 10000"}
	ROW_TABLES=${ROW_TABLES:-20}
	COPY_ROWS=${COPY_ROWS:-100000}
	PGBENCH_SECONDS=${PGBENCH_SECONDS:-3}
else
	TABLE_COUNTS=${TABLE_COUNTS:-"100 1000 10000"}
	FIX_COUNTS=${FIX_COUNTS:-"1000 10000"}
	ROW_COUNTS=${ROW_COUNTS:-"1000 100000 1000000"}
	ROW_TABLES=${ROW_TABLES:-100}
	COPY_ROWS=${COPY_ROWS:-1000000}
	PGBENCH_SECONDS=${PGBENCH_SECONDS:-10}
fi
CLIENTS=${CLIENTS:-"1 2 8"}

install_deps
command -v gnuplot >/dev/null || apt-get install -y -qq gnuplot-nox >/dev/null
build_install
throwaway_start "$BENCH_DIR" "$BENCH_PORT"
trap 'throwaway_stop "$BENCH_DIR"' EXIT
mkdir -p "$OUT"
DATA="$OUT/data"
rm -rf "$DATA"
mkdir -p "$DATA"
DB=bench

psql() { command psql -X -q -v ON_ERROR_STOP=1 -d $DB "$@"; }
command psql -X -q -d postgres -c "CREATE DATABASE $DB"
psql -c "CREATE EXTENSION seqguard"

# timed PSQL_ARGS...: milliseconds of the statements run (psql \timing
# summed), or "fail" with the error saved in last.out
timed() {
	local out
	if out=$(psql -c '\timing on' "$@" 2>&1); then
		echo "$out" | awk '/^Time: / {s += $2} END {printf "%.0f\n", s}'
	else
		echo "$out" >"$BENCH_DIR/last.out"
		echo "fail"
	fi
}
# timed_again SQL: milliseconds of the second of two runs of SQL in one
# session, once the session's caches are warm
timed_again() {
	local out
	if out=$(psql -c "$1" -c '\timing on' -c "$1" 2>&1); then
		echo "$out" | awk '/^Time: / {t = $2} END {printf "%.0f\n", t}'
	else
		echo "$out" >"$BENCH_DIR/last.out"
		echo "fail"
	fi
}
median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{a[NR]=$1} END {if (NR == 0) print "fail"; else print a[int((NR + 1) / 2)]}'; }
# measure COMMAND...: REPS runs of a command printing ms, the median; a
# failure is reported with its error instead
measure() {
	local runs="" r i
	for i in $(seq "$REPS"); do
		r=$("$@")
		if [ "$r" = fail ]; then
			echo "fail: $(grep -m1 -o 'ERROR: .*' "$BENCH_DIR/last.out" | cut -c8-)"
			return
		fi
		runs="$runs $r"
	done
	echo "$runs" | median
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/ && b > 0) printf "%.1f", a / b; else print "-" }'; }

# make_tables SCHEMA N LAG: N tables (id serial primary key), every LAG-th
# one out of sync; created in batches so creation fits the lock table
psql <<'SQL'
CREATE PROCEDURE make_tables(s name, n int, lag int) LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('CREATE SCHEMA %I', s);
  FOR i IN 1..n LOOP
    EXECUTE format('CREATE TABLE %I.t%s (id serial PRIMARY KEY, v int)', s, i);
    IF i % lag = 0 THEN EXECUTE format('INSERT INTO %I.t%s (id) VALUES (100)', s, i); END IF;
    IF i % 500 = 0 THEN COMMIT; END IF;
  END LOOP;
END $$;
CREATE PROCEDURE drop_tables(s name) LANGUAGE plpgsql AS $$
DECLARE r record; k int := 0;
BEGIN
  FOR r IN SELECT relname FROM pg_class WHERE relnamespace = s::regnamespace AND relkind = 'r' LOOP
    EXECUTE format('DROP TABLE %I.%I', s, r.relname);
    k := k + 1;
    IF k % 500 = 0 THEN COMMIT; END IF;
  END LOOP;
  EXECUTE format('DROP SCHEMA %I CASCADE', s);
END $$;
-- the check people write: loop, max(), compare; one transaction
CREATE FUNCTION plpgsql_check(s name) RETURNS int LANGUAGE plpgsql AS $$
DECLARE r record; m bigint; last bigint; lagging int := 0;
BEGIN
  FOR r IN SELECT c.relname, a.attname, pg_get_serial_sequence(format('%I.%I', s, c.relname), a.attname) AS seq
             FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0
            WHERE c.relnamespace = s::regnamespace AND c.relkind = 'r'
              AND pg_get_serial_sequence(format('%I.%I', s, c.relname), a.attname) IS NOT NULL LOOP
    EXECUTE format('SELECT max(%I) FROM %I.%I', r.attname, s, r.relname) INTO m;
    EXECUTE format('SELECT last_value FROM %s', r.seq) INTO last;
    IF m >= last THEN lagging := lagging + 1; END IF;
  END LOOP;
  RETURN lagging;
END $$;
-- break every sequence of a schema again (between repetitions of a fix)
CREATE PROCEDURE rebreak(s name) LANGUAGE plpgsql AS $$
DECLARE r record;
BEGIN
  FOR r IN SELECT sequencename FROM pg_sequences WHERE schemaname = s LOOP
    PERFORM setval(format('%I.%I', s, r.sequencename), 1, false);
  END LOOP;
END $$;
SQL

# The PostgreSQL wiki's "Fixing Sequences" catalog query: its FROM and WHERE
# (limited to one schema), shared by the recipe and by the same query
# turned into a check.
wiki_from() {
	cat <<SQL
FROM pg_class AS S, pg_depend AS D, pg_class AS T, pg_attribute AS C, pg_tables AS PGT
WHERE S.relkind = 'S' AND S.oid = D.objid AND D.refobjid = T.oid
  AND D.refobjid = C.attrelid AND D.refobjsubid = C.attnum
  AND T.relname = PGT.tablename AND PGT.schemaname = '$1'
ORDER BY S.relname;
SQL
}
# the recipe, as published: one setval() per sequence
wiki_fix_query() {
	cat <<SQL
SELECT 'SELECT SETVAL(' ||
       quote_literal(quote_ident(PGT.schemaname) || '.' || quote_ident(S.relname)) ||
       ', COALESCE(MAX(' ||quote_ident(C.attname)|| '), 1) ) FROM ' ||
       quote_ident(PGT.schemaname)|| '.'||quote_ident(T.relname)|| ';'
$(wiki_from "$1")
SQL
}
# as a check: one max() comparison per sequence
wiki_check_query() {
	cat <<SQL
SELECT 'SELECT ' || quote_literal(S.relname) || ', COALESCE(MAX(' || quote_ident(C.attname) || '), 0) >= (SELECT last_value FROM ' ||
       quote_ident(PGT.schemaname) || '.' || quote_ident(S.relname) || ') FROM ' ||
       quote_ident(PGT.schemaname) || '.' || quote_ident(T.relname) || ';'
$(wiki_from "$1")
SQL
}
# run_generated QUERY_FUNCTION SCHEMA: generate the statements with the
# catalog query, then run them (autocommit, as the wiki says); both timed
run_generated() {
	local gen run
	psql -t -A -c "$($1 "$2")" >"$BENCH_DIR/generated.sql" || { echo fail; return; }
	gen=$(timed -c "$($1 "$2")")
	run=$(timed -f "$BENCH_DIR/generated.sql")
	[ "$run" = fail ] && { echo fail; return; }
	echo $((gen + run))
}

echo "== 1. check, by number of tables"
echo "tables seqguard_ms plpgsql_ms wiki_ms seqguard_warm_ms plpgsql_warm_ms" >"$DATA/check_tables.dat"
declare -A CT
for n in $TABLE_COUNTS; do
	psql -c "CALL make_tables('ct', $n, 10)"
	sg=$(measure timed -c "SELECT count(*) FROM check_sequence_health(ARRAY['ct'])")
	pl=$(measure timed -c "SELECT plpgsql_check('ct')")
	wk=$(measure run_generated wiki_check_query ct)
	sgw=$(measure timed_again "SELECT count(*) FROM check_sequence_health(ARRAY['ct'])")
	plw=$(measure timed_again "SELECT plpgsql_check('ct')")
	CT[$n]="$sg|$pl|$wk|$sgw|$plw"
	echo "   $n tables: seqguard $sg ms, PL/pgSQL $pl, wiki $wk; warm session: seqguard $sgw, PL/pgSQL $plw"
	echo "$n $sg ${pl%%:*} ${wk%%:*} $sgw ${plw%%:*}" >>"$DATA/check_tables.dat"
	psql -c "CALL drop_tables('ct')"
done

echo "== 2. check, by rows per table ($ROW_TABLES tables)"
echo "rows seqguard_ms plpgsql_ms wiki_ms" >"$DATA/check_rows.dat"
declare -A CR
psql -c "CALL make_tables('cr', $ROW_TABLES, 1)"
have=0
for rows in $ROW_COUNTS; do
	psql <<SQL
DO \$\$ BEGIN
  FOR i IN 1..$ROW_TABLES LOOP
    EXECUTE format('INSERT INTO cr.t%s (id, v) SELECT g, 1 FROM generate_series(%s, %s) g ON CONFLICT DO NOTHING', i, $have + 1, $rows);
  END LOOP;
END \$\$;
SQL
	have=$rows
	sg=$(measure timed -c "SELECT count(*) FROM check_sequence_health(ARRAY['cr'])")
	pl=$(measure timed -c "SELECT plpgsql_check('cr')")
	wk=$(measure run_generated wiki_check_query cr)
	CR[$rows]="$sg|$pl|$wk"
	echo "   $rows rows: seqguard $sg ms, PL/pgSQL $pl, wiki $wk"
	echo "$rows $sg ${pl%%:*} ${wk%%:*}" >>"$DATA/check_rows.dat"
done
psql -c "CALL drop_tables('cr')"

echo "== 3. fix, by number of out-of-sync tables"
echo "tables seqguard_ms wiki_ms" >"$DATA/fix.dat"
declare -A FX
for n in $FIX_COUNTS; do
	psql -c "CALL make_tables('fx', $n, 1)"
	runs_sg=""
	runs_wk=""
	for i in $(seq "$REPS"); do
		psql -c "CALL rebreak('fx')"
		runs_sg="$runs_sg $(timed -c "SELECT count(*) FROM fix_all_sequences(schemas => ARRAY['fx'])")"
		psql -c "CALL rebreak('fx')"
		runs_wk="$runs_wk $(run_generated wiki_fix_query fx)"
	done
	sg=$(echo "$runs_sg" | median)
	wk=$(echo "$runs_wk" | median)
	FX[$n]="$sg|$wk"
	echo "   $n tables: seqguard $sg ms, wiki recipe $wk ms"
	echo "$n $sg $wk" >>"$DATA/fix.dat"
	psql -c "CALL drop_tables('fx')"
done

echo "== 4. guard: pgbench single-row INSERTs taking the default id"
psql <<'SQL'
CREATE TABLE g_plain (id bigserial PRIMARY KEY, v int);
CREATE TABLE g_trig (id bigserial PRIMARY KEY, v int);
-- what people write by hand: after each statement, move the sequence (its
-- name is the trigger's argument) up to the largest id the statement wrote
CREATE FUNCTION resync() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE last bigint;
BEGIN
  EXECUTE format('SELECT last_value FROM %s', TG_ARGV[0]) INTO last;
  PERFORM setval(TG_ARGV[0], GREATEST((SELECT max(id) FROM new_rows), last));
  RETURN NULL;
END $$;
CREATE TRIGGER resync AFTER INSERT ON g_trig REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION resync('g_trig_id_seq');
CREATE SEQUENCE c_seq;
CREATE TABLE c_plain (id bigint PRIMARY KEY DEFAULT nextval('c_seq'), v int);
ALTER SEQUENCE c_seq OWNED BY c_plain.id;
SQL
echo 'INSERT INTO g_plain (v) VALUES (1);' >"$BENCH_DIR/plain.sql"
echo 'INSERT INTO g_trig (v) VALUES (1);' >"$BENCH_DIR/trig.sql"
GUARD_OPTS="-c session_preload_libraries=seqguard"
# tps SCRIPT CLIENTS [PGOPTIONS]: transactions per second; a run in which
# a client aborted (the trigger approach can hand out a duplicate id under
# concurrency) is noted in aborted.txt
tps() {
	local out
	out=$(PGOPTIONS="${3:-}" "$PG_BIN/pgbench" -n -M prepared -T "$PGBENCH_SECONDS" -c "$2" -j "$2" \
		-f "$BENCH_DIR/$1" $DB 2>&1 || true)
	if echo "$out" | grep -q "aborted"; then
		echo "$1 $2 $(echo "$out" | grep -m1 -o 'ERROR: .*' | cut -c8-)" >>"$DATA/aborted.txt"
	fi
	echo "$out" | awk '/^tps/ {print int($3)}'
}
# one pgbench run per variant; each starts from an empty table after a
# checkpoint, and the order of the variants rotates between repetitions,
# since a run that follows another on a grown table is slower
guard_run() { # guard_run VARIANT CLIENTS
	case $1 in
	none) psql -c "TRUNCATE g_plain RESTART IDENTITY" -c CHECKPOINT; tps plain.sql "$2" ;;
	guard) psql -c "TRUNCATE g_plain RESTART IDENTITY" -c CHECKPOINT; tps plain.sql "$2" "$GUARD_OPTS" ;;
	trigger) psql -c "TRUNCATE g_trig RESTART IDENTITY" -c CHECKPOINT; tps trig.sql "$2" ;;
	esac
}
echo "clients none guard trigger" >"$DATA/guard.dat"
declare -A GB
for c in $CLIENTS; do
	declare -A runs=([none]="" [guard]="" [trigger]="")
	order="none guard trigger"
	for i in $(seq "$REPS"); do
		for v in $order; do
			runs[$v]="${runs[$v]} $(guard_run $v "$c")"
		done
		order="$(echo "$order" | awk '{print $2, $3, $1}')"
	done
	n=$(echo "${runs[none]}" | median) g=$(echo "${runs[guard]}" | median) t=$(echo "${runs[trigger]}" | median)
	GB[$c]="$n|$g|$t"
	echo "   $c clients: $n tps without, $g with the guard, $t with the trigger"
	echo "$c $n $g $t" >>"$DATA/guard.dat"
done

echo "== 4b. guard: COPY of $COPY_ROWS rows with explicit ids"
CSV="$BENCH_DIR/copy.csv"
seq 1 "$COPY_ROWS" | awk '{print $1 ",1"}' >"$CSV"
chown postgres: "$CSV"
psql <<'SQL'
CREATE TABLE c_trig (id bigserial PRIMARY KEY, v int);
CREATE TRIGGER resync AFTER INSERT ON c_trig REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION resync('c_trig_id_seq');
SQL
copy_ms() { # copy_ms TABLE [PGOPTIONS]
	psql -c "TRUNCATE $1 RESTART IDENTITY" -c "CHECKPOINT" >/dev/null
	PGOPTIONS="${2:-}" timed -c "COPY $1 (id, v) FROM '$CSV' (FORMAT csv)"
}
n="" g="" t=""
for i in $(seq "$REPS"); do
	# rotate the order, as for pgbench
	case $((i % 3)) in
	1) n="$n $(copy_ms c_plain)"; g="$g $(copy_ms c_plain "$GUARD_OPTS")"; t="$t $(copy_ms c_trig)" ;;
	2) g="$g $(copy_ms c_plain "$GUARD_OPTS")"; t="$t $(copy_ms c_trig)"; n="$n $(copy_ms c_plain)" ;;
	0) t="$t $(copy_ms c_trig)"; n="$n $(copy_ms c_plain)"; g="$g $(copy_ms c_plain "$GUARD_OPTS")" ;;
	esac
done
CP_N=$(echo "$n" | median) CP_G=$(echo "$g" | median) CP_T=$(echo "$t" | median)
echo "   COPY: $CP_N ms without, $CP_G ms with the guard, $CP_T ms with the trigger"
# the guard really acted: after a guarded COPY the sequence is past the ids
copy_ms c_plain "$GUARD_OPTS" >/dev/null
psql -t -A -c "SELECT last_value FROM c_seq" >"$DATA/copy_seq_after.txt"
echo "none $CP_N" >"$DATA/copy.dat"
echo "guard $CP_G" >>"$DATA/copy.dat"
echo "trigger $CP_T" >>"$DATA/copy.dat"

echo "== plots"
plot() { # plot FILE TITLE XLABEL YLABEL LOGX COLUMNS...
	local file=$1 title=$2 xl=$3 yl=$4 logx=$5
	shift 5
	local cmd="" col=2
	for name in "$@"; do
		cmd="$cmd${cmd:+, }'$DATA/$file.dat' using 1:(\$$col) skip 1 with linespoints title '$name'"
		col=$((col + 1))
	done
	gnuplot <<GP
set terminal pngcairo size 720,440 noenhanced
set output '$OUT/$file.png'
set title '$title'
set xlabel '$xl'
set ylabel '$yl'
set key top left
set grid
$( [ "$logx" = 1 ] && echo "set logscale x" )
set logscale y
set datafile missing 'fail'
$( grep -q fail "$DATA/$file.dat" && echo "set label 'missing points: the method failed (see the table)' at graph 0.35, graph 0.08" )
plot $cmd
GP
}
plot check_tables "check: time by number of tables" "sequence-fed tables" "ms (log)" 1 seqguard "PL/pgSQL loop" "wiki query + max()" "seqguard, warm session" "PL/pgSQL loop, warm session"
plot check_rows "check: time by rows per table ($ROW_TABLES tables)" "rows per table" "ms (log)" 1 seqguard "PL/pgSQL loop" "wiki query + max()"
plot fix "fix: time by number of out-of-sync tables" "tables" "ms (log)" 1 seqguard "wiki recipe"
gnuplot <<GP
set terminal pngcairo size 720,440 noenhanced
set output '$OUT/guard.png'
set title 'pgbench single-row INSERT taking the default id'
set xlabel 'clients'
set ylabel 'tps'
set style data histogram
set style histogram cluster gap 1
set style fill solid 0.8
set key top left
set yrange [0:*]
plot '$DATA/guard.dat' using 2:xtic(1) skip 1 title 'no guard', '' using 3 skip 1 title 'guard', '' using 4 skip 1 title 'statement trigger'
GP

echo "== results"
{
	echo "# seqguard benchmark results"
	echo
	echo "Run on $(date -u +%Y-%m-%d) on $(nproc) cores, $(psql -t -A -c 'SELECT version()' | cut -d, -f1),"
	echo "default settings except \`fsync = off\`. Each figure is the median of $REPS runs; times are"
	echo "milliseconds of the statements a method runs (psql \`\\timing\`, summed), without psql start-up."
	echo "Produced by \`bash bench/run.sh\`."
	echo
	echo "## 1. Check, by number of sequence-fed tables (10 % out of sync)"
	echo
	echo "First call in a new session (what \`psql -c\` in a deploy script pays: every method loads the"
	echo "catalog and relation caches for every table):"
	echo
	echo "| tables | seqguard | PL/pgSQL loop | wiki query + max() | loop / seqguard | wiki / seqguard |"
	echo "|---:|---:|---:|---:|---:|---:|"
	for n in $TABLE_COUNTS; do
		IFS='|' read -r sg pl wk sgw plw <<<"${CT[$n]}"
		echo "| $n | $sg | $pl | $wk | $(ratio "$pl" "$sg") | $(ratio "$wk" "$sg") |"
	done
	echo
	echo "Repeated in the same session (caches warm, as for a monitoring job on a pooled connection):"
	echo
	echo "| tables | seqguard | PL/pgSQL loop | loop / seqguard |"
	echo "|---:|---:|---:|---:|"
	for n in $TABLE_COUNTS; do
		IFS='|' read -r sg pl wk sgw plw <<<"${CT[$n]}"
		echo "| $n | $sgw | $plw | $(ratio "$plw" "$sgw") |"
	done
	echo
	echo "![check by tables](check_tables.png)"
	echo
	echo "## 2. Check, by rows per table ($ROW_TABLES tables)"
	echo
	echo "| rows per table | seqguard | PL/pgSQL loop | wiki query + max() |"
	echo "|---:|---:|---:|---:|"
	for r in $ROW_COUNTS; do
		IFS='|' read -r sg pl wk <<<"${CR[$r]}"
		echo "| $r | $sg | $pl | $wk |"
	done
	first=$(echo "$ROW_COUNTS" | awk '{print $1}') last=$(echo "$ROW_COUNTS" | awk '{print $NF}')
	echo
	echo "seqguard at $last rows / at $first rows: $(ratio "${CR[$last]%%|*}" "${CR[$first]%%|*}")"
	echo
	echo "![check by rows](check_rows.png)"
	echo
	echo "## 3. Fix, by number of out-of-sync tables"
	echo
	echo "| tables | seqguard fix_all_sequences() | wiki \"Fixing Sequences\" recipe | wiki / seqguard |"
	echo "|---:|---:|---:|---:|"
	for n in $FIX_COUNTS; do
		IFS='|' read -r sg wk <<<"${FX[$n]}"
		echo "| $n | $sg | $wk | $(ratio "$wk" "$sg") |"
	done
	echo
	echo "![fix](fix.png)"
	echo
	echo "## 4. Guard"
	echo
	echo "pgbench, \`INSERT INTO t (v) VALUES (1)\` (the id takes its default), $PGBENCH_SECONDS s per run, prepared statements;"
	echo "each run starts from an empty table after a checkpoint, and the variants' order rotates between repetitions:"
	echo
	echo "| clients | no guard (tps) | guard (tps) | statement trigger (tps) | guard / none | trigger / none |"
	echo "|---:|---:|---:|---:|---:|---:|"
	for c in $CLIENTS; do
		IFS='|' read -r n g t <<<"${GB[$c]}"
		echo "| $c | $n | $g | $t | $(awk -v a="$g" -v b="$n" 'BEGIN{printf "%.3f", a/b}') | $(awk -v a="$t" -v b="$n" 'BEGIN{printf "%.3f", a/b}') |"
	done
	if [ -s "$DATA/aborted.txt" ]; then
		echo
		echo "Runs in which a client aborted (its tps counts only the transactions before the abort):"
		echo
		sort "$DATA/aborted.txt" | uniq -c | awk '{n=$1; $1=""; sub(/^ /, ""); split($0, f, " "); printf "- %s with %s clients, %d of the runs: %s\n", f[1], f[2], n, substr($0, length(f[1]) + length(f[2]) + 3)}'
	fi
	echo
	echo "![guard](guard.png)"
	echo
	echo "COPY of $COPY_ROWS rows with explicit ids into a table with a primary key:"
	echo
	echo "| no guard (ms) | guard (ms) | statement trigger (ms) | guard / none | trigger / none |"
	echo "|---:|---:|---:|---:|---:|"
	echo "| $CP_N | $CP_G | $CP_T | $(awk -v a="$CP_G" -v b="$CP_N" 'BEGIN{printf "%.3f", a/b}') | $(awk -v a="$CP_T" -v b="$CP_N" 'BEGIN{printf "%.3f", a/b}') |"
	echo
	echo "After the guarded COPY the sequence's last_value was $(cat "$DATA/copy_seq_after.txt") (the guard acted)."
} >"$OUT/results.md"
cat "$OUT/results.md"
