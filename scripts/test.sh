#!/usr/bin/env bash
# The README's second command: every test, against throwaway clusters.
#   pg_regress (sql/ + expected/), the isolation specs (specs/) and pgTAP
#   (test/*.sql through pg_prove), all run by "make installcheck": once on
#   a cluster where the library is loaded only when asked for, once where
#   it is preloaded (shared_preload_libraries), the setup the README
#   recommends; then the shell tests (test/shell/*.sh: crash, stress,
#   standby, replication, monitoring) and the packaging checks
#   (test/package/*.sh).
# Each suite's count is compared with the number of tests it has; a test
# that cannot run here (a tool Debian lacks for this major) is skipped and
# counted apart.  Ends with "N skipped" and then "N passed, N failed", and
# exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

TEST_DIR=${TEST_DIR:-/tmp/seqguard-test}
TEST_PORT=${TEST_PORT:-54330}
LOG_DIR=${LOG_DIR:-$TEST_DIR-logs}

set -e
install_deps
[ -z "$PG_ROOT" ] || pg_private_copy "$PG_ROOT"
rm -rf "$LOG_DIR"
mkdir -p "$LOG_DIR"
set +e
echo "== build ($("$PG_CONFIG" --version))"
if build_install >"$LOG_DIR/build.log" 2>&1; then
	warnings=$(grep -c 'warning:' "$LOG_DIR/build.log")
	if [ "$warnings" -gt 0 ]; then
		echo "   ok, $warnings compiler warnings:"; grep -A3 'warning:' "$LOG_DIR/build.log" | head -40
	else
		echo "   ok"
	fi
else
	echo "   FAILED"; grep -E -A3 'error|Error' "$LOG_DIR/build.log" | head -60
	echo "logs: $LOG_DIR"
	echo "0 passed, 1 failed"
	exit 1
fi
set -e
throwaway_start "$TEST_DIR" "$TEST_PORT"
set +e
trap 'throwaway_stop "$TEST_DIR"' EXIT

passed=0
failed=0
skipped=0
skips=()

# A backend that crashes takes the server through recovery: wait until it
# accepts connections again, so that one crash does not fail every later
# test (the crash itself is counted below).
wait_ready() {
	for _ in $(seq 60); do
		"$PG_BIN/pg_isready" -q && return 0
		sleep 1
	done
	echo "   the server does not accept connections"
	return 1
}

# tally LABEL WANT OK FAIL SKIP: add a suite's counts; fewer tests than it
# has (WANT) is a failure too
tally() {
	local label=$1 want=$2 ok=$3 fail=$4 skip=$5
	passed=$((passed + ok))
	failed=$((failed + fail))
	skipped=$((skipped + skip))
	[ "$skip" -eq 0 ] || skips+=("$skip in $label")
	echo "   $ok passed, $fail failed, $skip skipped"
	if [ $((ok + fail + skip)) -lt "$want" ]; then
		echo "   FAILED: $label ran $((ok + fail + skip)) of its $want tests"
		failed=$((failed + 1))
	fi
}

# sql_suites LABEL TAG: pg_regress, isolation and pgTAP through make
# installcheck; their logs are SUITE$TAG.log
sql_suites() {
	local label=$1 tag=$2 suite rc log ok fail skip want diffs
	rm -rf results output_iso regression.diffs regression.out
	for suite in regress isolation pgtap; do
		wait_ready
		log=$LOG_DIR/$suite$tag.log
		case $suite in
		regress)
			echo "== regress$label (make installcheck)"
			make -s PG_CONFIG="$PG_CONFIG" installcheck ISOLATION= TAP=no >"$log" 2>&1
			rc=$?
			want=$(find sql -name '*.sql' | wc -l)
			diffs=regression.diffs ;;
		isolation)
			echo "== isolation$label (make installcheck)"
			make -s PG_CONFIG="$PG_CONFIG" installcheck REGRESS= TAP=no >"$log" 2>&1
			rc=$?
			want=$(find specs -name '*.spec' | wc -l)
			diffs=output_iso/regression.diffs ;;
		pgtap)
			echo "== pgTAP$label (make installcheck-tap)"
			make -s PG_CONFIG="$PG_CONFIG" installcheck-tap TAP=yes >"$log" 2>&1
			rc=$?
			want=$(find test -maxdepth 1 -name '*.sql' | wc -l)
			diffs= ;;
		esac
		if [ $suite = pgtap ]; then
			# a skipped assertion is not a pass; a TODO is not used here, so a failure
			ok=$(grep -E '^ok [0-9]+' "$log" | grep -Evc '# (SKIP|skip|TODO|todo)')
			skip=$(grep -E '^ok [0-9]+' "$log" | grep -Ec '# (SKIP|skip)')
			fail=$(($(grep -Ec '^not ok [0-9]+' "$log") + $(grep -E '^ok [0-9]+' "$log" | grep -Ec '# (TODO|todo)')))
			# every file ran, each with the number of tests it plans (pg_prove
			# fails a file whose plan and count differ)
			files=$(sed -n 's/^Files=\([0-9]*\),.*/\1/p' "$log")
			if [ "${files:-0}" -ne "$want" ]; then
				echo "   FAILED: pg_prove ran ${files:-no} files of $want"
				fail=$((fail + 1))
			fi
			want=0
			tail -3 "$log" | sed 's/^/   /'
		else
			# PostgreSQL 15 prints "test NAME ... ok"; 16 and later print TAP ("ok 1 - NAME")
			ok=$(grep -Ec '(\.\.\. ok|^ok [0-9]+ +[-+] )' "$log")
			fail=$(grep -Ec '(\.\.\. FAILED|^not ok [0-9]+ )' "$log")
			skip=0
		fi
		if [ $rc -ne 0 ] && [ "$fail" -eq 0 ]; then
			echo "   make failed:"; tail -20 "$log"
			fail=1
		elif [ $rc -ne 0 ] && [ $suite = pgtap ]; then
			grep -B2 -A8 -E '^not ok|^# |Dubious|ERROR' "$log" | head -80
		fi
		tally "$suite$label" "$want" "$ok" "$fail" "$skip"
		if [ -n "$diffs" ] && [ -f "$diffs" ]; then
			cp "$diffs" "$LOG_DIR/$suite$tag.diffs"
			head -200 "$diffs"
		fi
	done
}

# every backend crash so far is a failure (the shell tests below stop the
# server on purpose)
count_crashes() {
	local crashes
	crashes=$(grep -c 'terminated by signal' "$TEST_DIR/server.log")
	if [ "$crashes" -gt 0 ]; then
		failed=$((failed + crashes))
		echo "== server crashes: $crashes"
		grep 'terminated by signal' "$TEST_DIR/server.log"
	fi
}

# set_preload [LIBRARY]: restart the cluster with shared_preload_libraries
# set to LIBRARY, or reset
set_preload() {
	local set="RESET shared_preload_libraries"
	[ -z "${1:-}" ] || set="SET shared_preload_libraries = '$1'"
	psql -X -q -d postgres -c "ALTER SYSTEM $set" &&
		as_pg "$PG_BIN/pg_ctl" -D "$TEST_DIR/data" -l "$TEST_DIR/server.log" -m fast -w restart >/dev/null &&
		wait_ready
}

sql_suites "" ""
if set_preload seqguard; then
	sql_suites " (preloaded)" "-preloaded"
else
	echo "== the cluster could not be restarted with the library preloaded"
	failed=$((failed + 1))
fi
set_preload || { echo "== the cluster could not be restarted"; failed=$((failed + 1)); }
count_crashes

# Each shell test gets the cluster in PGHOST/PGPORT/PGUSER, the server's
# binaries in PG_BIN and its log in PG_SERVER_LOG; some crash, stop and
# restart the server, so it is brought back (if need be) before each test
# and after the last.  A test exits 77 when what it needs is not packaged
# for this major.
shell_tests() { # shell_tests LABEL FILES...
	local label=$1 t log rc start sp=0 sf=0 ss=0 want
	shift
	want=$#
	echo "== $label"
	for t in "$@"; do
		if ! throwaway_ensure "$TEST_DIR"; then
			sf=$((sf + 1)); echo "   FAIL the cluster could not be brought back before $t"; break
		fi
		log=$LOG_DIR/$(basename "$t").log
		start=$(date +%s)
		bash "$t" </dev/null >"$log" 2>&1
		rc=$?
		if [ $rc -eq 0 ]; then
			sp=$((sp + 1)); echo "   ok   $t ($(($(date +%s) - start)) s)"
			grep '^summary: ' "$log" | sed 's/^summary: /        /'
		elif [ $rc -eq 77 ]; then
			ss=$((ss + 1)); echo "   skip $t: $(tail -1 "$log")"
		else
			sf=$((sf + 1)); echo "   FAIL $t ($(($(date +%s) - start)) s)"; tail -20 "$log"
		fi
	done
	throwaway_ensure "$TEST_DIR" || { sf=$((sf + 1)); echo "   FAIL the cluster could not be brought back"; }
	tally "$label" "$want" "$sp" "$sf" "$ss"
}
shell_tests "shell tests" test/shell/*.sh
shell_tests "packaging checks" test/package/*.sh

echo "logs: $LOG_DIR"
echo "$skipped skipped$( [ ${#skips[@]} -eq 0 ] || { IFS=';'; echo " (${skips[*]})"; } )"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
