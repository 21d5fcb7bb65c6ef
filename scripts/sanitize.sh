#!/usr/bin/env bash
# Builds seqguard with AddressSanitizer and UndefinedBehaviorSanitizer
# (gcc: -fsanitize=address,undefined), installs it into a private copy of
# the server, starts a cluster whose postmaster has the sanitizer runtime
# preloaded, and runs pg_regress, the isolation specs and pgTAP against it.
# Fails when a sanitizer reports an error with a frame in seqguard's code,
# or when a server process crashes; reports from PostgreSQL's own code
# are counted and shown apart, not failed on (the server is not built
# with the sanitizers, see below).  Every test of the suites must also run
# and pass.
#
#   bash scripts/sanitize.sh                    # the working tree
#   SANITIZE_SRC=/path/to/copy bash scripts/sanitize.sh
#
# Settings (environment): SAN_DIR (work directory, default
# /tmp/seqguard-sanitize), SAN_PORT (default 54360), PG_ROOT (private copy
# of the server, default $SAN_DIR/root; never the system's), PG_MAJOR,
# SAN_PGTAP=0 to skip pgTAP.
#
# What it can and cannot see: only seqguard is instrumented.  ASan checks
# seqguard's own stack and global objects and every access it makes to
# memory from malloc(); memory from palloc() comes from PostgreSQL's
# (uninstrumented) allocator in large blocks, so an overrun inside a
# palloc'd chunk is not seen (Valgrind, or a server built with
# --enable-cassert and the sanitizers, sees those).  UBSan checks
# seqguard's arithmetic, shifts, conversions, alignment and NULL
# arguments; signed overflow is checked because the build adds -fno-wrapv
# (PostgreSQL itself builds with -fwrapv, under which overflow is defined
# and would go unreported).
set -euo pipefail
cd "$(dirname "$0")/.."

SAN_DIR=${SAN_DIR:-/tmp/seqguard-sanitize}
SAN_PORT=${SAN_PORT:-54360}
export PG_ROOT=${PG_ROOT:-$SAN_DIR/root}
SRC=$(cd "${SANITIZE_SRC:-.}" && pwd)
. scripts/lib.sh
[ -n "$PG_ROOT" ] || die "PG_ROOT must be a private copy of the server"

SAN_CFLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-wrapv"
BUILD=$SAN_DIR/build
LOGS=$SAN_DIR/logs
CLUSTER=$SAN_DIR/cluster
start_time=$(date +%s)

install_deps
command -v gcc >/dev/null || die "gcc is needed"
libasan=$(gcc -print-file-name=libasan.so)
[ -e "$libasan" ] || die "no libasan for gcc ($libasan): apt-get install libasan8"
libasan=$(readlink -f "$libasan")
pg_private_copy "$PG_ROOT"

# a clean copy of the sources, built with the sanitizers
cluster_stop "$CLUSTER"
rm -rf "$BUILD" "$LOGS"
mkdir -p "$BUILD" "$LOGS"
(cd "$SRC" && tar --exclude='*.o' --exclude='*.bc' --exclude='*.so' \
	--exclude=results --exclude=output_iso -cf - Makefile ./*.control ./*.sql src sql expected specs test) |
	tar -xf - -C "$BUILD"
echo "== build ($SAN_CFLAGS)"
make -s -C "$BUILD" PG_CONFIG="$PG_CONFIG" PG_CFLAGS="$SAN_CFLAGS" \
	SHLIB_LINK="-fsanitize=address,undefined" >"$LOGS/build.log" 2>&1 ||
	{ cat "$LOGS/build.log"; die "build failed"; }
make -s -C "$BUILD" PG_CONFIG="$PG_CONFIG" install >>"$LOGS/build.log" 2>&1 ||
	{ cat "$LOGS/build.log"; die "install failed"; }
so="$($PG_CONFIG --pkglibdir)/seqguard.so"
ldd "$so" | grep -q libasan || die "$so is not linked with libasan"

# The runtime initializes at the first malloc(); in a server linked with
# libsystemd that can be inside a library constructor or setlocale() that
# holds one of glibc's locale locks, and the initialization's look-up of
# the optional swift_demangle() symbol then formats a dlerror() message
# under the same lock and deadlocks the process before main().  A
# preloaded stub swift_demangle() (which never demangles anything) makes
# that look-up succeed.
printf '%s\n' '#include <stddef.h>' \
	'char *swift_demangle(const char *n, size_t l, char *o, size_t *ol, unsigned f);' \
	'char *swift_demangle(const char *n, size_t l, char *o, size_t *ol, unsigned f) { return NULL; }' \
	>"$SAN_DIR/noswift.c"
gcc -shared -fPIC -O2 -o "$SAN_DIR/libnoswift.so" "$SAN_DIR/noswift.c"

# the cluster: the postmaster, and so every backend, starts with the
# sanitizer runtime loaded first
chown postgres: "$LOGS"
throwaway_init "$CLUSTER" "$SAN_PORT"
trap 'throwaway_stop "$CLUSTER"' EXIT
# The reports go to the server's stderr, its log file here (a log_path
# setting is not honoured in the backends).  exitcode: a backend that ASan
# stops exits with a code the postmaster counts as a crash (the default,
# 1, is a normal exit for it).
as_pg env LD_PRELOAD="$libasan $SAN_DIR/libnoswift.so" \
	ASAN_OPTIONS="detect_leaks=0:abort_on_error=0:exitcode=86" \
	UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=0" \
	"$PG_BIN/pg_ctl" -D "$CLUSTER/data" -l "$LOGS/server.log" -w start >/dev/null ||
	{ cat "$LOGS/server.log"; die "the cluster did not start"; }
export PGHOST=$CLUSTER PGPORT=$SAN_PORT PGUSER=postgres
pid=$(head -1 "$CLUSTER/data/postmaster.pid")
grep -q libasan "/proc/$pid/maps" || die "the postmaster did not load $libasan"

# the suites: every one of their tests must run and pass, as in
# scripts/test.sh, and the sanitizers must report nothing of seqguard's
suite_failures=0
suite() { # suite NAME WANT COMMAND...: WANT tests must pass
	local name=$1 want=$2 rc=0 ok fail
	shift 2
	# after a crash the server needs a moment to recover
	for _ in $(seq 1 60); do
		"$PG_BIN/pg_isready" -q && break
		sleep 1
	done
	echo "== $name"
	"$@" >"$LOGS/$name.log" 2>&1 || rc=$?
	# (grep -c exits 1 when it counts nothing)
	ok=$(grep -E '(\.\.\. ok|^ok [0-9]+)' "$LOGS/$name.log" | grep -Evc '# (SKIP|skip|TODO|todo)' || true)
	fail=$(grep -Ec '(\.\.\. FAILED|^not ok [0-9]+)' "$LOGS/$name.log" || true)
	echo "   $ok passed, $fail failed (exit status $rc; $want expected)"
	if [ "$rc" -ne 0 ] || [ "$fail" -ne 0 ] || [ "$ok" -lt "$want" ]; then
		suite_failures=$((suite_failures + 1))
		grep -E -B2 -A8 '(FAILED|^not ok|Dubious)' "$LOGS/$name.log" | head -40 || true
	fi
}
suite regress "$(find "$BUILD/sql" -name '*.sql' | wc -l)" \
	make -C "$BUILD" PG_CONFIG="$PG_CONFIG" installcheck ISOLATION= TAP=no
suite isolation "$(find "$BUILD/specs" -name '*.spec' | wc -l)" \
	make -C "$BUILD" PG_CONFIG="$PG_CONFIG" installcheck REGRESS= TAP=no
if [ "${SAN_PGTAP:-1}" != 0 ]; then
	# pgTAP's count: the tests the files plan
	suite pgtap "$(cat "$BUILD"/test/*.sql | grep -oE 'plan\([0-9]+\)' | grep -oE '[0-9]+' | awk '{ s += $1 } END { print s }')" \
		make -C "$BUILD" PG_CONFIG="$PG_CONFIG" installcheck-tap TAP=yes
fi
throwaway_stop "$CLUSTER"

# the reports, one block each: ASan's from "==PID==ERROR:" to
# "==PID==ABORTING", UBSan's a "file:line:col: runtime error:" line and
# its stack frames, if any; a block is seqguard's when one of its frames
# or its location is in seqguard.so or in seqguard's sources
ours=0
theirs=0
while IFS= read -r -d '' block; do
	if grep -qE 'seqguard\.so|(^|[ /(])src/[a-z_]+\.c:' <<<"$block"; then
		ours=$((ours + 1))
		echo "-- report from seqguard:"
		head -30 <<<"$block"
	else
		theirs=$((theirs + 1))
	fi
done < <(awk '
	function flush() { if (b != "") printf "%s%c", b, 0; b = ""; inasan = 0; inub = 0 }
	/^==[0-9]+==ERROR: / { flush(); inasan = 1; b = $0 "\n"; next }
	inasan { b = b $0 "\n"; if ($0 ~ /^==[0-9]+==ABORTING/) flush(); next }
	/runtime error:/ { flush(); inub = 1; b = $0 "\n"; next }
	inub && /^ +#[0-9]+ / { b = b $0 "\n"; next }
	inub { flush() }
	END { flush() }' "$LOGS/server.log")
crashes=$(grep -cE 'terminated by signal|terminated by exception|exited with exit code 86' "$LOGS/server.log" || true)

echo "== sanitizer reports: $ours from seqguard, $theirs from elsewhere (not failed on); server process crashes: $crashes"
echo "logs: $LOGS ($(($(date +%s) - start_time)) s)"
[ "$ours" -eq 0 ] && [ "$crashes" -eq 0 ] && [ "$suite_failures" -eq 0 ]
