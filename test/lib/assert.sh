# shellcheck shell=bash
# test/lib/assert.sh - ok/FAIL lines for the shell tests, counted, and the
# closing "summary: NAME, N passed, N failed" line scripts/test.sh shows.
# Sourced, not run.

passed=0
failed=0

expect() { # expect DESCRIPTION WANT HAVE
	if [ "$2" = "$3" ]; then
		passed=$((passed + 1))
		echo "ok   - $1"
	else
		failed=$((failed + 1))
		echo "FAIL - $1"
		echo "       want: $2"
		echo "       have: $3"
	fi
}

# expect_ge DESCRIPTION MIN HAVE: HAVE is a number at least MIN
expect_ge() {
	if [[ $3 =~ ^[0-9]+$ ]] && [ "$3" -ge "$2" ]; then
		passed=$((passed + 1))
		echo "ok   - $1 ($3)"
	else
		failed=$((failed + 1))
		echo "FAIL - $1"
		echo "       want: at least $2"
		echo "       have: $3"
	fi
}

# no_crash LOGFILE...: no server process died in these logs
no_crash() {
	local hits
	hits=$(grep -hE 'terminated by signal|PANIC|TRAP:' "$@" | head -3 || true)
	expect "no server process crashed" "" "$hits"
}

summary() { # summary NAME: the line scripts/test.sh shows for this test
	echo "summary: $1, $passed passed, $failed failed"
	[ "$failed" -eq 0 ]
}
