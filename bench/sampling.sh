#!/usr/bin/env bash
# What sampling costs on a database with 10,000 sequence-fed tables, in the
# same run:
#
#   sample_sequences()   seqguard's sampler, each run in a new session (as
#                        a scheduler runs it), every 5 minutes of sampled
#                        time, so that each run writes its 5-minute sample
#                        and, once an hour and once a day, the coarser ones
#   pg_sequences         the usual alternative: INSERT INTO a history table
#                        SELECT ... FROM pg_sequences, in a new session
#
# Reported: the median time of each, the locks each holds at its end, and
# the history's size after RUNS samples (seqguard keeps at most 180 rows
# per sequence; the alternative grows by one row per sequence per run).
# Writes bench/results/sampling.md and the raw times to
# bench/results/data/sampling.dat.
#
#   bash bench/sampling.sh                     # about 3 minutes on 2 cores
#   TABLES=1000 RUNS=5 bash bench/sampling.sh  # a quick try
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
# shellcheck source=lib.sh
. bench/lib.sh

BENCH_DIR=${BENCH_DIR:-/tmp/seqguard-bench-sampling}
BENCH_PORT=${BENCH_PORT:-54338}
OUT=${BENCH_OUT:-bench/results}
TABLES=${TABLES:-10000}
RUNS=${RUNS:-15}

install_deps
build_install
throwaway_start "$BENCH_DIR" "$BENCH_PORT"
trap 'throwaway_stop "$BENCH_DIR"' EXIT
mkdir -p "$OUT/data"
DB=bench
psql() { command psql -X -q -v ON_ERROR_STOP=1 -d $DB "$@"; }
command psql -X -q -d postgres -c "CREATE DATABASE $DB"
psql -c "CREATE EXTENSION seqguard"
psql -c "CREATE TABLE naive_history (taken_at timestamptz, schemaname name, sequencename name, last_value bigint)"
# the tables, in batches of 500 per transaction
for ((b = 0; b < TABLES; b += 500)); do
	psql -c "DO \$\$ BEGIN FOR i IN $((b + 1)) .. $((b + 500 < TABLES ? b + 500 : TABLES)) LOOP
		EXECUTE format('CREATE TABLE t%s (id serial PRIMARY KEY)', i);
		EXECUTE format('SELECT nextval(%L)', 't' || i || '_id_seq');
	END LOOP; END \$\$"
done
psql -c "VACUUM ANALYZE"

# timed SQL: milliseconds of the statement in a new session, and the
# relation locks the session holds when it ends
timed() {
	psql -c '\timing on' -c "BEGIN" -c "$1" \
		-c "SELECT count(*) AS locks FROM pg_locks WHERE pid = pg_backend_pid() AND locktype = 'relation'" \
		-c "COMMIT" 2>&1 | awk '/^Time: / { if (++n == 2) t = $2 } /^ *[0-9]+$/ { l = $1 } END { printf "%s %s\n", t, l }'
}

DAT=$OUT/data/sampling.dat
echo "# method run ms locks_held" >"$DAT"
for run in $(seq "$RUNS"); do
	at="'2026-01-01 00:00:00+00'::timestamptz + interval '5 minutes' * $run"
	echo "sample_sequences $run $(timed "SELECT sample_sequences($at)")" >>"$DAT"
	echo "pg_sequences $run $(timed "INSERT INTO naive_history SELECT $at, schemaname, sequencename, last_value FROM pg_sequences")" >>"$DAT"
	tail -2 "$DAT"
done

rows=$(psql -t -A -c "SELECT count(*) FROM sequence_samples")
seqs=$(psql -t -A -c "SELECT count(DISTINCT sequence) FROM sequence_samples")
naive_rows=$(psql -t -A -c "SELECT count(*) FROM naive_history")
size=$(psql -t -A -c "SELECT pg_size_pretty(pg_total_relation_size('sequence_samples'))")
naive_size=$(psql -t -A -c "SELECT pg_size_pretty(pg_total_relation_size('naive_history'))")
a=$(awk '$1 == "sample_sequences" {print $3}' "$DAT" | median)
b=$(awk '$1 == "pg_sequences" {print $3}' "$DAT" | median)
la=$(awk '$1 == "sample_sequences" {print $4}' "$DAT" | sort -n | tail -1)
lb=$(awk '$1 == "pg_sequences" {print $4}' "$DAT" | sort -n | tail -1)
{
	echo "# Sampling sequences for the forecast"
	echo
	echo "\`bash bench/sampling.sh\` on $(uname -m), $(nproc) cores, $(psql -t -A -c 'SHOW server_version'), $(date -u +%Y-%m-%d);"
	echo "$TABLES tables with a serial id, $RUNS samples 5 minutes apart, each in a new session; medians."
	echo
	echo "| method | time per sample (ms) | relation locks held at its end | history after $RUNS samples |"
	echo "|---|---|---|---|"
	echo "| \`sample_sequences()\` | $a | $la | $rows rows for $seqs sequences, $size (at most 180 rows per sequence, however many samples) |"
	echo "| \`INSERT ... SELECT FROM pg_sequences\` | $b | $lb | $naive_rows rows, $naive_size (one more row per sequence per sample) |"
	echo
	echo "Ratio of times: $(awk -v a="$a" -v b="$b" 'BEGIN {printf "%.2f", a / b}') (seqguard / alternative)."
} >"$OUT/sampling.md"
cat "$OUT/sampling.md"
