#!/usr/bin/env bash
# The guard's cost on the statements applications run most, measured in
# the same run with the guard and without it (the library not loaded),
# in server-side loops so that round trips do not hide it:
#
#   default_loop      200,000 INSERTs taking the default id (PL/pgSQL loop)
#   trigger_noindex   20,000 default INSERTs into a 1,000,000-row table with a
#                     BEFORE INSERT trigger (created_at) and no index on id
#   trigger_pk        the same with a primary key on id
#   updated_at        30,000 single-row UPDATEs with a BEFORE UPDATE trigger
#                     (updated_at) on a 30,000-row table with a primary key
#   explicit_loop     400,000 single-row INSERTs with explicit ids, as an
#                     import loop or an ORM saving rows one by one
#
# Each variant runs REPS times (default 15), guard and no guard alternating,
# each run in a new session after a CHECKPOINT, tables reset; the median
# of each is reported with the ratio guard / no guard, and the median of
# the ratios of each pair of runs (less moved by a slow stretch of the
# machine, which hits both runs of a pair).  Writes
# bench/results/guard_costs.md and the raw times to
# bench/results/data/guard_costs.dat.
#
#   bash bench/guard_costs.sh              # about two minutes on 2 cores
#   REPS=3 SCALE=0.1 bash bench/guard_costs.sh   # a quick try
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
# shellcheck source=lib.sh
. bench/lib.sh

BENCH_DIR=${BENCH_DIR:-/tmp/seqguard-bench-guard}
BENCH_PORT=${BENCH_PORT:-54334}
OUT=${BENCH_OUT:-bench/results}
REPS=${REPS:-15}
SCALE=${SCALE:-1}

install_deps
build_install
# fsync off takes the disk's noise out of the timings; the guard flushes
# nothing of its own
throwaway_start "$BENCH_DIR" "$BENCH_PORT" "fsync = off"
trap 'throwaway_stop "$BENCH_DIR"' EXIT
mkdir -p "$OUT/data"
DB=bench
psql() { command psql -X -q -v ON_ERROR_STOP=1 -d $DB "$@"; }
command psql -X -q -d postgres -c "CREATE DATABASE $DB"
psql -c "CREATE EXTENSION seqguard"

psql <<SQL
CREATE FUNCTION stamp_created() RETURNS trigger LANGUAGE plpgsql AS
\$\$ BEGIN NEW.created_at := now(); RETURN NEW; END \$\$;
CREATE FUNCTION stamp_updated() RETURNS trigger LANGUAGE plpgsql AS
\$\$ BEGIN NEW.updated_at := now(); RETURN NEW; END \$\$;
CREATE TABLE default_loop (id bigserial PRIMARY KEY, v int);
CREATE TABLE trigger_noindex (id bigserial, created_at timestamptz, v int);
CREATE TRIGGER stamp BEFORE INSERT ON trigger_noindex FOR EACH ROW EXECUTE FUNCTION stamp_created();
INSERT INTO trigger_noindex (v) SELECT g FROM generate_series(1, $(n 1000000)) g;
CREATE TABLE trigger_pk (id bigserial PRIMARY KEY, created_at timestamptz, v int);
CREATE TRIGGER stamp BEFORE INSERT ON trigger_pk FOR EACH ROW EXECUTE FUNCTION stamp_created();
INSERT INTO trigger_pk (v) SELECT g FROM generate_series(1, $(n 1000000)) g;
CREATE TABLE updated_at (id bigserial PRIMARY KEY, v int, updated_at timestamptz);
CREATE TRIGGER stamp BEFORE UPDATE ON updated_at FOR EACH ROW EXECUTE FUNCTION stamp_updated();
INSERT INTO updated_at (v) SELECT g FROM generate_series(1, $(n 30000)) g;
CREATE TABLE explicit_loop (id bigserial PRIMARY KEY, v int);
VACUUM ANALYZE;
SQL

# the statement each workload runs, and how its table is reset before
declare -A RUN RESET
RUN[default_loop]="DO \$\$ BEGIN FOR i IN 1..$(n 200000) LOOP INSERT INTO default_loop (v) VALUES (i); END LOOP; END \$\$"
RESET[default_loop]="TRUNCATE default_loop; SELECT setval('default_loop_id_seq', 1, false)"
RUN[trigger_noindex]="DO \$\$ BEGIN FOR i IN 1..$(n 20000) LOOP INSERT INTO trigger_noindex (v) VALUES (i); END LOOP; END \$\$"
RESET[trigger_noindex]="DELETE FROM trigger_noindex WHERE id > $(n 1000000); SELECT setval('trigger_noindex_id_seq', $(n 1000000))"
RUN[trigger_pk]="DO \$\$ BEGIN FOR i IN 1..$(n 20000) LOOP INSERT INTO trigger_pk (v) VALUES (i); END LOOP; END \$\$"
RESET[trigger_pk]="DELETE FROM trigger_pk WHERE id > $(n 1000000); SELECT setval('trigger_pk_id_seq', $(n 1000000))"
RUN[updated_at]="DO \$\$ BEGIN FOR i IN 1..$(n 30000) LOOP UPDATE updated_at SET v = v + 1 WHERE id = i; END LOOP; END \$\$"
RESET[updated_at]="VACUUM updated_at"
RUN[explicit_loop]="DO \$\$ BEGIN FOR i IN 1..$(n 400000) LOOP INSERT INTO explicit_loop (id, v) VALUES (i, i); END LOOP; END \$\$"
RESET[explicit_loop]="TRUNCATE explicit_loop; SELECT setval('explicit_loop_id_seq', 1, false)"
WORKLOADS="default_loop trigger_noindex trigger_pk updated_at explicit_loop"

# run WORKLOAD VARIANT: milliseconds of the workload's statement in a new
# session, with the guard (LOAD 'seqguard', mode fix) or without it
run() {
	local load=""
	[ "$2" = guard ] && load="LOAD 'seqguard';"
	psql -c "${RESET[$1]}" >/dev/null
	psql -c "CHECKPOINT" >/dev/null
	psql -c "$load" -c '\timing on' -c "${RUN[$1]}" | awk '/^Time: / {printf "%.1f\n", $2}'
}

DAT=$OUT/data/guard_costs.dat
echo "# workload variant rep ms" >"$DAT"
for w in $WORKLOADS; do
	for rep in $(seq "$REPS"); do
		# alternate which variant goes first
		if [ $((rep % 2)) -eq 1 ]; then order="none guard"; else order="guard none"; fi
		for v in $order; do
			echo "$w $v $rep $(run "$w" "$v")" >>"$DAT"
		done
	done
	echo "$w: $(awk -v w="$w" '$1 == w && $2 == "none" {print $4}' "$DAT" | median) ms without, $(awk -v w="$w" '$1 == w && $2 == "guard" {print $4}' "$DAT" | median) ms with the guard"
done

{
	echo "# The guard's cost on common statements"
	echo
	echo "\`bash bench/guard_costs.sh\` on $(uname -m), $(nproc) cores, $(psql -tA -c 'SHOW server_version'), $(date -u +%Y-%m-%d);"
	echo "scale $SCALE, medians of $REPS runs each, guard and no guard alternating, each in a new session after a CHECKPOINT, fsync off."
	echo
	echo "| workload | no guard (ms) | guard (ms) | ratio | median ratio of pairs |"
	echo "|---|---|---|---|---|"
	for w in $WORKLOADS; do
		a=$(awk -v w="$w" '$1 == w && $2 == "none" {print $4}' "$DAT" | median)
		b=$(awk -v w="$w" '$1 == w && $2 == "guard" {print $4}' "$DAT" | median)
		p=$(awk -v w="$w" '$1 == w {t[$3, $2] = $4; r[$3] = 1}
			END {for (i in r) printf "%.4f\n", t[i, "guard"] / t[i, "none"]}' "$DAT" | median)
		echo "| $w | $a | $b | $(awk -v a="$a" -v b="$b" 'BEGIN {printf "%.2fx", b / a}') | $(awk -v p="$p" 'BEGIN {printf "%.2fx", p}') |"
	done
} >"$OUT/guard_costs.md"
cat "$OUT/guard_costs.md"
