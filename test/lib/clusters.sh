# shellcheck shell=bash
# test/lib/clusters.sh - sourced by the shell tests that run clusters of
# their own (standby.sh, failover.sh): throwaway clusters as the postgres
# user with their sockets in one work directory, queries by SQLSTATE, and
# ok/FAIL lines ending with "summary: NAME, N passed, N failed".

BIN=${PG_BIN:-/usr/lib/postgresql/${PG_MAJOR:-15}/bin}
# the server's major version, from the binaries under test
SERVER_MAJOR=$("$BIN/postgres" --version | grep -oE '[0-9]+' | head -1)
export SERVER_MAJOR

as_pg() { if [ "$(id -un)" = postgres ]; then "$@"; else runuser -u postgres -- "$@"; fi; }

# work_dir NAME: a new directory under /tmp for the clusters and their sockets
work_dir() {
	local d
	d=$(mktemp -d "/tmp/seqguard-$1.XXXXXX")
	chmod 755 "$d"
	chown postgres: "$d"
	echo "$d"
}

# cluster_init DIR PORT SOCKDIR [postgresql.conf lines...]: initdb and start
cluster_init() {
	local dir=$1 port=$2 sock=$3
	shift 3
	as_pg "$BIN/initdb" -D "$dir" -A trust -U postgres >"$dir.initdb.log" 2>&1 ||
		{ cat "$dir.initdb.log"; exit 1; }
	cluster_conf "$dir" "$port" "$sock" "$@"
	cluster_start "$dir"
}

# cluster_conf DIR PORT SOCKDIR [lines...]: this cluster's own settings
cluster_conf() {
	local dir=$1 port=$2 sock=$3
	shift 3
	{
		echo "port = $port"
		echo "listen_addresses = ''"
		echo "unix_socket_directories = '$sock'"
		echo "fsync = off"
		for line in "$@"; do echo "$line"; done
	} >>"$dir/postgresql.conf"
}

cluster_start() {
	as_pg "$BIN/pg_ctl" -D "$1" -l "$1.log" -w start >/dev/null || { cat "$1.log"; exit 1; }
}

cluster_stop() { # cluster_stop DIR [MODE]
	if [ -f "$1/postmaster.pid" ]; then
		as_pg "$BIN/pg_ctl" -D "$1" -m "${2:-immediate}" -w stop >/dev/null 2>&1 || true
	fi
}

# q SOCKDIR PORT DB [psql args...]: rows, unaligned, stop on error
q() {
	local sock=$1 port=$2 db=$3
	shift 3
	"$BIN/psql" -X -q -t -A -v ON_ERROR_STOP=1 -h "$sock" -p "$port" -U postgres -d "$db" "$@"
}

# sqlstate SOCKDIR PORT DB SQL: "ok" if it runs, else the SQLSTATE of its error
sqlstate() {
	local out
	if out=$("$BIN/psql" -X -q -t -A -v ON_ERROR_STOP=1 -h "$1" -p "$2" -U postgres -d "$3" \
		-c '\set VERBOSITY sqlstate' -c "$4" 2>&1); then
		echo ok
	else
		sed -n 's/.*ERROR: *\([0-9A-Z]\{5\}\).*/\1/p' <<<"$out" | head -1
	fi
}

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
