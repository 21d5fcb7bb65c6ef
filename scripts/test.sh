#!/usr/bin/env bash
# The README's second command: every test against a throwaway cluster.
#   pg_regress (sql/ + expected/), isolation specs (specs/), pgTAP (test/*.sql
#   through pg_prove) and the shell tests (test/*.sh, e.g. the crash test).
# Ends with "N passed, N failed" and exits non-zero on any failure.
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
cluster_start "$TEST_DIR" "$TEST_PORT"
set +e
trap 'cluster_stop "$TEST_DIR"' EXIT

passed=0
failed=0
count() { # count LOGFILE PASS_REGEX FAIL_REGEX
	local p f
	p=$(grep -Ec "$2" "$1")
	f=$(grep -Ec "$3" "$1")
	passed=$((passed + p))
	failed=$((failed + f))
	echo "   $p passed, $f failed"
}

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

# pg_regress and the isolation specs run separately, so that a failure in
# one does not stop make before the other
rm -rf results output_iso regression.diffs regression.out
for suite in regress isolation; do
	wait_ready
	echo "== $suite (make installcheck)"
	if [ $suite = regress ]; then
		vars="ISOLATION="
		diffs=regression.diffs
	else
		vars="REGRESS="
		diffs=output_iso/regression.diffs
	fi
	make -s PG_CONFIG="$PG_CONFIG" installcheck $vars >"$LOG_DIR/$suite.log" 2>&1
	rc=$?
	# PostgreSQL 15 prints "test NAME ... ok"; 16 and later print TAP ("ok 1 - NAME")
	count "$LOG_DIR/$suite.log" '(\.\.\. ok|^ok [0-9]+ +[-+] )' '(\.\.\. FAILED|^not ok [0-9]+ )'
	if [ $rc -ne 0 ] && ! grep -Eq '(FAILED|^not ok)' "$LOG_DIR/$suite.log"; then
		failed=$((failed + 1))
		echo "   make installcheck failed:"; tail -20 "$LOG_DIR/$suite.log"
	fi
	if [ -f $diffs ]; then
		cp $diffs "$LOG_DIR/$suite.diffs"
		head -200 $diffs
	fi
done

wait_ready
echo "== pgTAP (pg_prove)"
if ls test/*.sql >/dev/null 2>&1; then
	psql -X -q -d postgres -c 'DROP DATABASE IF EXISTS seqguard_tap' -c 'CREATE DATABASE seqguard_tap' &&
		psql -X -q -d seqguard_tap -c 'CREATE EXTENSION pgtap' -c 'CREATE EXTENSION seqguard'
	pg_prove -v -d seqguard_tap test/*.sql >"$LOG_DIR/pgtap.log" 2>&1
	rc=$?
	count "$LOG_DIR/pgtap.log" '^ok [0-9]+' '^not ok [0-9]+'
	tail -3 "$LOG_DIR/pgtap.log"
	if [ $rc -ne 0 ]; then
		grep -B2 -A8 -E '^not ok|^# |Dubious|ERROR' "$LOG_DIR/pgtap.log" | head -80
		grep -q '^not ok' "$LOG_DIR/pgtap.log" || failed=$((failed + 1))
	fi
fi

# every backend crash so far is a failure (the shell tests below stop the
# server on purpose)
crashes=$(grep -c 'terminated by signal' "$TEST_DIR/server.log")
if [ "$crashes" -gt 0 ]; then
	failed=$((failed + crashes))
	echo "== server crashes: $crashes"
	grep 'terminated by signal' "$TEST_DIR/server.log"
fi

# Each shell test gets the cluster in PGHOST/PGPORT/PGUSER, the server's
# binaries in PG_BIN and its log in PG_SERVER_LOG; some crash, stop and
# restart the server, so it is brought back (if need be) before each test
# and after the last.  A test exits 77 when what it needs is not packaged
# for this major.
echo "== shell tests"
sp=0
sf=0
ss=0
for t in test/*.sh; do
	[ -e "$t" ] || continue
	if ! cluster_ensure "$TEST_DIR"; then
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
cluster_ensure "$TEST_DIR" || { sf=$((sf + 1)); echo "   FAIL the cluster could not be brought back"; }
passed=$((passed + sp))
failed=$((failed + sf))
echo "   $sp passed, $sf failed, $ss skipped"

echo "logs: $LOG_DIR"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
