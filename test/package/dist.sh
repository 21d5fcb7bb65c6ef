#!/usr/bin/env bash
# The release archive: "make dist" writes seqguard-<version>.zip (the
# committed tree, HEAD) with one top directory named as PGXN expects; built
# from the unpacked archive alone, the extension installs into a fresh
# private copy of the server (no file of an earlier install left in it), is
# created in a cluster of that copy, and passes the archive's own pg_regress
# and isolation tests there.
# Needs root (the cluster runs as postgres), the git history, PG_MAJOR and
# PGPORT (the cluster here takes PGPORT + 1, on a socket only).
set -euo pipefail
cd "$(dirname "$0")/../.."
PG_MAJOR=${PG_MAJOR:-15}
DIST_PORT=${DIST_PORT:-$((${PGPORT:-54330} + 1))}
tmp=$(mktemp -d /tmp/seqguard-dist.XXXXXX)
chmod 755 "$tmp"
root=$tmp/root
bin=$root/usr/lib/postgresql/$PG_MAJOR/bin
# shellcheck source=../lib/pg.sh
. test/lib/pg.sh
cleanup() {
	if [ -f "$tmp/data/postmaster.pid" ]; then
		as_pg "$bin/pg_ctl" -D "$tmp/data" -m immediate -w stop >/dev/null 2>&1 || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT

version=$(perl -MJSON::PP -0777 -ne 'print decode_json($_)->{version}' META.json)
make -s -C "$tmp" -f "$PWD/Makefile" dist >/dev/null
zip=$tmp/seqguard-$version.zip
[ -f "$zip" ] || { echo "FAIL: make dist did not write seqguard-$version.zip"; exit 1; }
tops=$(unzip -Z1 "$zip" | cut -d/ -f1 | sort -u)
[ "$tops" = "seqguard-$version" ] || { echo "FAIL: top directories in the archive: $tops"; exit 1; }
mkdir "$tmp/src"
unzip -q "$zip" -d "$tmp/src"
src=$tmp/src/seqguard-$version
echo "ok   make dist: seqguard-$version.zip, $(unzip -Z1 "$zip" | grep -vc '/$') files under seqguard-$version/"
[ ! -e "$src/.git" ] || { echo "FAIL: the archive contains .git"; exit 1; }

# a private copy of the server with no seqguard in it
mkdir -p "$root/usr/lib/postgresql" "$root/usr/share/postgresql" "$root/usr/include"
cp -a "/usr/lib/postgresql/$PG_MAJOR" "$root/usr/lib/postgresql/"
cp -a "/usr/share/postgresql/$PG_MAJOR" "$root/usr/share/postgresql/"
cp -a /usr/include/postgresql "$root/usr/include/"
rm -rf "$root/usr/lib/postgresql/$PG_MAJOR/lib/seqguard.so" \
	"$root/usr/lib/postgresql/$PG_MAJOR/lib/bitcode/seqguard" \
	"$root/usr/lib/postgresql/$PG_MAJOR/lib/bitcode/seqguard.index.bc" \
	"$root/usr/share/postgresql/$PG_MAJOR/extension/seqguard"*

chown -R postgres: "$src"
as_pg make -s -C "$src" PG_CONFIG="$bin/pg_config" >"$tmp/build.log" 2>&1 ||
	{ tail -30 "$tmp/build.log"; echo "FAIL: build from the archive"; exit 1; }
make -s -C "$src" PG_CONFIG="$bin/pg_config" install >>"$tmp/build.log" 2>&1 ||
	{ tail -30 "$tmp/build.log"; echo "FAIL: make install from the archive"; exit 1; }
echo "ok   built and installed from the archive: $(cd "$root" && find . -path '*seqguard*' -type f ! -path '*bitcode*' | sort | tr '\n' ' ')"

mkdir "$tmp/data" && chown postgres: "$tmp" "$tmp/data"
as_pg "$bin/initdb" -D "$tmp/data" -A trust -U postgres >"$tmp/initdb.log" 2>&1 ||
	{ cat "$tmp/initdb.log"; exit 1; }
as_pg "$bin/pg_ctl" -D "$tmp/data" -l "$tmp/server.log" -w \
	-o "-p $DIST_PORT -k $tmp -c listen_addresses='' -c fsync=off" start >/dev/null ||
	{ cat "$tmp/server.log"; exit 1; }
export PGHOST=$tmp PGPORT=$DIST_PORT PGUSER=postgres
v=$("$bin/psql" -X -q -t -A -v ON_ERROR_STOP=1 -d postgres -c 'CREATE EXTENSION seqguard' \
	-c "SELECT extversion FROM pg_extension WHERE extname = 'seqguard'")
echo "ok   CREATE EXTENSION seqguard: version $v"
# the archive's pg_regress and isolation tests are the checkout's, every one
want=$(($(find sql -name '*.sql' | wc -l) + $(find specs -name '*.spec' | wc -l)))
if as_pg env PGHOST="$PGHOST" PGPORT="$PGPORT" PGUSER=postgres \
	make -s -C "$src" PG_CONFIG="$bin/pg_config" installcheck TAP=no >"$tmp/installcheck.log" 2>&1; then
	ran=$(grep -Ec '(\.\.\. ok|^ok [0-9]+ )' "$tmp/installcheck.log")
	if [ "$ran" -ne "$want" ]; then
		echo "FAIL: make installcheck in the unpacked archive ran $ran tests, the checkout has $want"
		exit 1
	fi
	echo "ok   make installcheck in the unpacked archive: $ran tests, as many as the checkout has"
else
	cat "$tmp/installcheck.log"
	[ ! -f "$src/regression.diffs" ] || head -100 "$src/regression.diffs"
	echo "FAIL: make installcheck in the unpacked archive"
	exit 1
fi
