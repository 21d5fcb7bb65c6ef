#!/usr/bin/env bash
# The Debian package as a user builds it, on a fresh machine: debootstrap a
# minimal root of the host's release from the host's Debian mirror, copy
# the checkout's files into it, and there run the documented commands
#
#   apt-get install build-essential
#   apt-get build-dep ./
#   dpkg-buildpackage -us -uc -b        (with its build-time tests)
#   apt install ./postgresql-15-seqguard_*.deb
#
# then start a cluster, create the extension and run the demo: the sample
# database's lagging sequences make an insert fail, fix_all_sequences()
# repairs them, the insert succeeds, and the guard (LOAD 'seqguard') keeps
# a sequence ahead of an explicit id.  Nothing on the host is used but the
# mirror.  Prints the time of each step; ends with "N passed, N failed".
# Needs root.
#   bash scripts/package-test.sh
# PKG_ROOT (default /tmp/seqguard-pkgroot) is removed at the end unless
# KEEP_ROOT=1; PKG_PORT (default 54331) is the cluster's port, on a socket
# only.
set -euo pipefail
cd "$(dirname "$0")/.."

PG_MAJOR=${PG_MAJOR:-15}
PKG_ROOT=${PKG_ROOT:-/tmp/seqguard-pkgroot}
PKG_PORT=${PKG_PORT:-54331}
LOG_DIR=${LOG_DIR:-/tmp/seqguard-deb}
SOCK=/tmp/seqguard-pkgtest

[ "$(id -u)" = 0 ] || { echo "package-test: needs root (debootstrap, chroot)" >&2; exit 1; }

t0=$SECONDS
step() { # step NAME: print the time of the step that ended
	local now=$SECONDS
	printf '   %-32s %4ds\n' "$1" "$((now - t_step))"
	t_step=$now
}
t_step=$SECONDS
passed=0
failed=0
check() { # check WHAT GOT WANT
	if [ "$2" = "$3" ]; then
		echo "   ok   $1"
		passed=$((passed + 1))
	else
		echo "   FAIL $1: got '$2', expected '$3'"
		failed=$((failed + 1))
	fi
}

if ! command -v debootstrap >/dev/null; then
	DEBIAN_FRONTEND=noninteractive apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
fi

# The host's Debian mirror for a suite, from its apt sources (one-line
# format in sources.list and *.list, deb822 format in *.sources; any of
# them may be missing); DEBIAN_MIRROR / DEBIAN_SECURITY_MIRROR override.
apt_uri() {
	local suite=$1 f
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -r "$f" ] || continue
		awk -v s="$suite" '$1 == "deb" { i = 2; if ($2 ~ /^\[/) { while ($i !~ /\]$/) i++; i++ }
			if ($(i + 1) == s) print $i }' "$f"
	done
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -r "$f" ] || continue
		awk -v s="$suite" '
			/^[[:space:]]*$/ { if (ok && uri != "") print uri; uri = ""; ok = 0; next }
			$1 == "URIs:" { uri = $2 }
			$1 == "Suites:" { for (i = 2; i <= NF; i++) if ($i == s) ok = 1 }
			END { if (ok && uri != "") print uri }' "$f"
	done
}

# shellcheck source=/dev/null
. /etc/os-release
codename=$VERSION_CODENAME
mirror=${DEBIAN_MIRROR:-$(apt_uri "$codename" | head -n 1)}
security=${DEBIAN_SECURITY_MIRROR:-$(apt_uri "$codename-security" | head -n 1)}
[ -n "$mirror" ] || { echo "package-test: no Debian mirror for $codename in the apt sources" >&2; exit 1; }

cleanup() {
	if [ -x "$PKG_ROOT/usr/lib/postgresql/$PG_MAJOR/bin/pg_ctl" ] && [ -f "$PKG_ROOT/tmp/pgdata/postmaster.pid" ]; then
		chroot "$PKG_ROOT" runuser -u postgres -- "/usr/lib/postgresql/$PG_MAJOR/bin/pg_ctl" \
			-D /tmp/pgdata -m immediate -w stop >/dev/null 2>&1 || true
	fi
	for m in "$PKG_ROOT/dev/shm" "$PKG_ROOT/dev/pts" "$PKG_ROOT/proc"; do
		if mountpoint -q "$m"; then umount "$m"; fi
	done
	if [ "${KEEP_ROOT:-0}" != 1 ] && [ -d "$PKG_ROOT" ]; then
		# nothing is mounted below it any more (checked before removing)
		if ! grep -q " $PKG_ROOT/" /proc/mounts; then rm -rf "$PKG_ROOT"; fi
	fi
}
trap cleanup EXIT
mkdir -p "$LOG_DIR"

echo "== a fresh $codename root ($mirror)"
cleanup
rm -rf "$PKG_ROOT"
debootstrap --variant=minbase "$codename" "$PKG_ROOT" "$mirror" >"$LOG_DIR/debootstrap.log" 2>&1 ||
	{ tail -30 "$LOG_DIR/debootstrap.log"; exit 1; }
{
	echo "deb $mirror $codename main"
	echo "deb-src $mirror $codename main"
	echo "deb $mirror $codename-updates main"
	echo "deb-src $mirror $codename-updates main"
	[ -z "$security" ] || echo "deb $security $codename-security main"
} >"$PKG_ROOT/etc/apt/sources.list"
# no service starts inside the root, and no cluster is created by the
# server package: the test starts its own on a socket
printf '#!/bin/sh\nexit 101\n' >"$PKG_ROOT/usr/sbin/policy-rc.d"
chmod +x "$PKG_ROOT/usr/sbin/policy-rc.d"
mkdir -p "$PKG_ROOT/etc/postgresql-common"
echo "create_main_cluster = false" >"$PKG_ROOT/etc/postgresql-common/createcluster.conf"
mount -t proc proc "$PKG_ROOT/proc"
mount -t tmpfs shm "$PKG_ROOT/dev/shm"
mkdir -p "$PKG_ROOT/dev/pts"
mount -t devpts -o newinstance devpts "$PKG_ROOT/dev/pts"
cp -f /etc/resolv.conf "$PKG_ROOT/etc/resolv.conf" 2>/dev/null || true
step "debootstrap"

in_root() { chroot "$PKG_ROOT" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8 "$@"; }

# the checkout's files, committed or not, without what .gitignore excludes
echo "== the checkout in the root"
mkdir -p "$PKG_ROOT/usr/src/seqguard"
git ls-files -z --cached --others --exclude-standard |
	while IFS= read -r -d '' f; do if [ -e "$f" ]; then printf '%s\0' "$f"; fi; done |
	tar --null -T - -cf - | tar -C "$PKG_ROOT/usr/src/seqguard" -xf -
step "copy"

echo "== apt-get install build-essential; apt-get build-dep ./"
in_root apt-get update -qq
in_root apt-get install -y -q build-essential >"$LOG_DIR/build-essential.log" 2>&1 ||
	{ tail -30 "$LOG_DIR/build-essential.log"; exit 1; }
in_root sh -c 'cd /usr/src/seqguard && apt-get build-dep -y -q ./' >"$LOG_DIR/build-dep.log" 2>&1 ||
	{ tail -30 "$LOG_DIR/build-dep.log"; exit 1; }
step "build dependencies"

echo "== dpkg-buildpackage -us -uc -b (with the build-time tests)"
if in_root sh -c 'cd /usr/src/seqguard && dpkg-buildpackage -us -uc -b' >"$LOG_DIR/build.log" 2>&1; then
	check "dpkg-buildpackage -us -uc -b builds and passes its tests" ok ok
else
	tail -60 "$LOG_DIR/build.log"
	check "dpkg-buildpackage -us -uc -b builds and passes its tests" failed ok
	echo "$passed passed, $failed failed"
	exit 1
fi
grep -E '^(ok [0-9]+ |test .* \.\.\. |# All |All [0-9]+ tests)' "$LOG_DIR/build.log" | tail -3 | sed 's/^/        /'
deb=$(cd "$PKG_ROOT/usr/src" && ls "postgresql-$PG_MAJOR-seqguard_"*.deb)
cp "$PKG_ROOT/usr/src/$deb" "$LOG_DIR/"
step "dpkg-buildpackage"

echo "== apt install ./$deb"
in_root sh -c "cd /usr/src && apt install -y -q -o Dpkg::Options::=--force-confold ./$deb" \
	>"$LOG_DIR/apt.log" 2>&1 || { tail -30 "$LOG_DIR/apt.log"; exit 1; }
in_root dpkg -s "postgresql-$PG_MAJOR-seqguard" | grep -E '^(Status|Version|Depends):' | sed 's/^/   /'
step "apt install"

echo "== cluster, extension and demo in the root"
bin=/usr/lib/postgresql/$PG_MAJOR/bin
mkdir -p "$PKG_ROOT$SOCK"
in_root chown postgres: "$SOCK"
in_root runuser -u postgres -- "$bin/initdb" -D /tmp/pgdata -A trust -U postgres >"$LOG_DIR/initdb.log" 2>&1 ||
	{ cat "$LOG_DIR/initdb.log"; exit 1; }
in_root runuser -u postgres -- "$bin/pg_ctl" -D /tmp/pgdata -l /tmp/pgdata/server.log -w \
	-o "-p $PKG_PORT -k $SOCK -c listen_addresses=''" start >/dev/null ||
	{ cat "$PKG_ROOT/tmp/pgdata/server.log"; exit 1; }
cp demo/sample.sql "$PKG_ROOT/tmp/sample.sql"
psql_root() { in_root "$bin/psql" -X -q -v ON_ERROR_STOP=1 -h "$SOCK" -p "$PKG_PORT" -U postgres "$@"; }
psql_root -d postgres -c 'CREATE DATABASE shop'
psql_root -d shop -f /tmp/sample.sql >/dev/null
psql_root -d shop -c 'CREATE EXTENSION seqguard'

check "extension version is the control file's" \
	"$(psql_root -d shop -tA -c "SELECT extversion FROM pg_extension WHERE extname = 'seqguard'")" \
	"$(sed -n "s/^default_version[[:space:]]*=[[:space:]]*'\([^']*\)'.*/\1/p" seqguard.control)"

echo "-- check_sequence_health() on the sample database"
psql_root -d shop -P pager=off -c 'SELECT table_name, column_name, column_kind, sequence_name, max_id, next_value, status
  FROM check_sequence_health()'
# before the repair, the next insert collides, as the user would see it
state=$(psql_root -d shop -tA -c "INSERT INTO orders (customer_id, total) VALUES (1, 9.99)" 2>&1 || true)
check "insert into orders fails before the repair" \
	"$(echo "$state" | grep -c 'duplicate key value violates unique constraint "orders_pkey"')" 1
echo "-- fix_all_sequences()"
psql_root -d shop -P pager=off -c 'SELECT sequence_name, old_next_value, new_next_value, action FROM fix_all_sequences()'
check "no out_of_sync column after the repair" \
	"$(psql_root -d shop -tA -c "SELECT count(*) FROM check_sequence_health() WHERE status = 'out_of_sync'")" 0
check "insert into orders succeeds after the repair" \
	"$(psql_root -d shop -tA -c "INSERT INTO orders (customer_id, total) VALUES (1, 9.99) RETURNING id > 500")" t
# the guard from the packaged library: an explicit id, then the sequence's own
check "guard: LOAD, explicit id 1000, then a default id is past it" \
	"$(psql_root -d shop -tA -c "LOAD 'seqguard'" -c "INSERT INTO products (id, title) VALUES (1000, 'glue')" \
		-c "INSERT INTO products (title) VALUES ('tape') RETURNING id")" 1001
step "demo"

echo "package: $deb; total $((SECONDS - t0))s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
