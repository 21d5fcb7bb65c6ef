# shellcheck shell=bash
# test/lib/pg.sh - the one set of cluster helpers, sourced by scripts/lib.sh
# and by the shell tests: throwaway clusters run as the postgres user, with
# their sockets in a directory of the test's, and queries by SQLSTATE.
# Sourced, not run.  BIN: the server's binaries (PG_BIN, or PG_MAJOR's).

BIN=${PG_BIN:-/usr/lib/postgresql/${PG_MAJOR:-15}/bin}

# run a command as the postgres user (initdb and the server refuse root)
as_pg() { if [ "$(id -un)" = postgres ]; then "$@"; else runuser -u postgres -- "$@"; fi; }

# the server's major version, from the binaries under test
server_major() { "$BIN/postgres" --version | grep -oE '[0-9]+' | head -1; }

# work_dir NAME: a new directory under /tmp for clusters and their sockets
work_dir() {
	local d
	d=$(mktemp -d "/tmp/seqguard-$1.XXXXXX")
	chmod 755 "$d"
	chown postgres: "$d"
	echo "$d"
}

# cluster_conf DATADIR PORT SOCKDIR [postgresql.conf lines...]: a cluster
# listening only on a socket in SOCKDIR
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

# cluster_create DATADIR PORT SOCKDIR [lines...]: initdb and configure, not started
cluster_create() {
	local dir=$1
	as_pg "$BIN/initdb" -D "$dir" -A trust -U postgres >"$dir.initdb.log" 2>&1 ||
		{ cat "$dir.initdb.log"; return 1; }
	cluster_conf "$@"
}

# cluster_start DATADIR [LOGFILE]: start it (log: DATADIR.log)
cluster_start() {
	as_pg "$BIN/pg_ctl" -D "$1" -l "${2:-$1.log}" -w -t 120 start >/dev/null ||
		{ tail -30 "${2:-$1.log}"; return 1; }
}

# cluster_init DATADIR PORT SOCKDIR [lines...]: create and start
cluster_init() {
	cluster_create "$@" && cluster_start "$1"
}

# cluster_stop DATADIR [MODE]: stop it if it runs (MODE: immediate)
cluster_stop() {
	if [ -f "$1/postmaster.pid" ]; then
		as_pg "$BIN/pg_ctl" -D "$1" -m "${2:-immediate}" -w stop >/dev/null 2>&1 || true
	fi
}

# cluster_ensure DATADIR PORT SOCKDIR [LOGFILE]: it runs and takes connections
# (a test may have crashed it, stopped it or left it in crash recovery)
cluster_ensure() {
	local dir=$1 port=$2 sock=$3 log=${4:-$1.log}
	if ! as_pg "$BIN/pg_ctl" -D "$dir" status >/dev/null 2>&1 &&
		! as_pg "$BIN/pg_ctl" -D "$dir" -l "$log" -w -t 120 start >/dev/null; then
		tail -20 "$log"
		return 1
	fi
	for _ in $(seq 1 120); do
		"$BIN/pg_isready" -q -h "$sock" -p "$port" && return 0
		sleep 0.5
	done
	echo "the cluster in $dir does not take connections"
	return 1
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

# wait_for WHAT COMMAND...: until COMMAND prints "t" (90 s at most); on a
# timeout, say what was awaited, run wait_diagnose where the test defines
# one (to show a log), and exit 1
wait_for() {
	local what=$1
	shift
	for _ in $(seq 1 450); do
		[ "$("$@" 2>/dev/null)" = t ] && return 0
		sleep 0.2
	done
	echo "timed out waiting for $what"
	if declare -F wait_diagnose >/dev/null; then wait_diagnose || true; fi
	exit 1
}
