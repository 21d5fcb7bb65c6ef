#!/usr/bin/env bash
# test/lib/tap.sh SRCDIR: the pgTAP tests (SRCDIR/test/*.sql) through
# pg_prove, in a database of their own (contrib_regression_tap) of the
# server that PGHOST/PGPORT/PGUSER name, as pg_regress reaches it.  Run by
# "make installcheck" (and "make installcheck-tap").
#   TAP=yes   fail when pg_prove or the pgtap extension is missing
#   TAP=auto  (default) skip them then, saying so
#   TAP=no    skip them
set -uo pipefail
src=${1:-.}
mode=${TAP:-auto}
db=contrib_regression_tap
[ "$mode" = no ] && { echo "pgTAP: not run (TAP=no)"; exit 0; }

missing=""
command -v pg_prove >/dev/null || missing="pg_prove"
if [ "$(psql -X -q -t -A -d postgres -c "SELECT count(*) FROM pg_available_extensions WHERE name = 'pgtap'" 2>&1)" != 1 ]; then
	missing="$missing${missing:+ and }the pgtap extension"
fi
if [ -n "$missing" ]; then
	if [ "$mode" = yes ]; then
		echo "pgTAP: $missing not installed"
		exit 1
	fi
	echo "pgTAP: NOT RUN, $missing not installed (install them, or TAP=no to say so; TAP=yes makes this an error)"
	exit 0
fi

psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "SET client_min_messages = warning" \
	-c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" || exit 1
psql -X -q -v ON_ERROR_STOP=1 -d "$db" -c 'CREATE EXTENSION pgtap' -c 'CREATE EXTENSION seqguard' || exit 1
pg_prove -v -d "$db" "$src"/test/*.sql
