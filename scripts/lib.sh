# shellcheck shell=bash
# scripts/lib.sh - shared by the README's commands: installing what the build
# and the tests need, and a throwaway cluster run as the postgres user with
# its own port and socket directory under /tmp (test/lib/pg.sh).  Sourced,
# not run.

PG_MAJOR=${PG_MAJOR:-15}
# PG_ROOT: a private copy of the server's installation (see pg_private_copy),
# so that a build installed there does not replace the system's seqguard
PG_ROOT=${PG_ROOT:-}
PG_BIN=$PG_ROOT/usr/lib/postgresql/$PG_MAJOR/bin
export PG_MAJOR PG_ROOT PG_BIN
export PG_CONFIG=${PG_CONFIG:-$PG_BIN/pg_config}

die() { echo "$*" >&2; exit 1; }

# Install the server, its headers, pgTAP and pg_prove from Debian's packages,
# and what the monitoring and replication tests run (pg_cron,
# postgres_exporter, curl, pglogical) where Debian has it for this major;
# those tests say "skipped" where it has not.
# Where Debian has no pgTAP package for this major (yet), pgTAP is built from
# Debian's pgtap source package against this major's pg_config (this needs a
# deb-src line in the apt sources).
install_deps() {
	local pkgs="postgresql-$PG_MAJOR postgresql-server-dev-$PG_MAJOR libtap-parser-sourcehandler-pgtap-perl make gcc git unzip"
	local monitoring="postgresql-$PG_MAJOR-cron postgresql-$PG_MAJOR-pglogical prometheus-postgres-exporter curl" pkg missing=
	local pgtap=/usr/share/postgresql/$PG_MAJOR/extension/pgtap.control
	# shellcheck disable=SC2086
	if dpkg -s $pkgs >/dev/null 2>&1 && [ -e "$pgtap" ]; then
		for pkg in $monitoring; do
			if ! dpkg -s "$pkg" >/dev/null 2>&1 && apt-cache show "$pkg" >/dev/null 2>&1; then
				missing="$missing $pkg"
			fi
		done
		[ -n "$missing" ] || return 0
	fi
	[ "$(id -u)" = 0 ] || die "run as root to install: $pkgs postgresql-$PG_MAJOR-pgtap $monitoring"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq $pkgs >/dev/null
	for pkg in $monitoring; do
		if apt-cache show "$pkg" >/dev/null 2>&1; then
			apt-get install -y -qq "$pkg" >/dev/null
		fi
	done
	[ -e "$pgtap" ] && return 0
	if apt-cache show "postgresql-$PG_MAJOR-pgtap" >/dev/null 2>&1; then
		apt-get install -y -qq "postgresql-$PG_MAJOR-pgtap" >/dev/null
	else
		pgtap_from_source
	fi
}

# pgTAP from Debian's source package, built and installed for PG_MAJOR.
# apt-get source checks every file against the signed index; where the mirror
# lacks Debian's packaging files, the upstream tarball it did fetch is enough
# (pgTAP builds with PGXS alone), once its checksum matches the index.
pgtap_from_source() {
	local dir orig sum
	apt-get install -y -qq dpkg-dev patch xz-utils >/dev/null
	dir=$(mktemp -d)
	if ! (cd "$dir" && apt-get source -qq pgtap >"$dir/apt-source.log" 2>&1); then
		orig=$(find "$dir" -maxdepth 1 -name 'pgtap_*.orig.tar.*' | head -n 1)
		[ -n "$orig" ] || {
			cat "$dir/apt-source.log" >&2
			die "no postgresql-$PG_MAJOR-pgtap package, and the pgtap source package could not be fetched (is there a deb-src line?)"
		}
		sum=$(sha256sum "$orig" | cut -d' ' -f1)
		apt-cache showsrc pgtap | grep -q "^ $sum [0-9]* $(basename "$orig")\$" ||
			die "$(basename "$orig"): checksum not found in the pgtap source index"
		tar -C "$dir" -xf "$orig"
	fi
	make -s -C "$dir"/pgtap-*/ PG_CONFIG="/usr/lib/postgresql/$PG_MAJOR/bin/pg_config" >/dev/null
	make -s -C "$dir"/pgtap-*/ PG_CONFIG="/usr/lib/postgresql/$PG_MAJOR/bin/pg_config" install >/dev/null
	rm -rf "$dir"
}

# pg_private_copy DIR: copy the installed server, its extension files and
# headers under DIR, where they keep working (PostgreSQL finds its files
# relative to its binaries); then use PG_ROOT=DIR.  An existing copy gains
# the files of packages installed since (e.g. pg_cron) and keeps its own.
pg_private_copy() {
	local root=$1
	mkdir -p "$root/usr/lib/postgresql" "$root/usr/share/postgresql" "$root/usr/include"
	cp -an "/usr/lib/postgresql/$PG_MAJOR" "$root/usr/lib/postgresql/"
	cp -an "/usr/share/postgresql/$PG_MAJOR" "$root/usr/share/postgresql/"
	cp -an /usr/include/postgresql "$root/usr/include/"
}

# Build as the invoking user, install as root.
build_install() {
	make -s PG_CONFIG="$PG_CONFIG" >/dev/null &&
		make -s PG_CONFIG="$PG_CONFIG" install >/dev/null
}

# the cluster helpers (as_pg, cluster_create, cluster_start, ...)
# shellcheck source=../test/lib/pg.sh
. "$(dirname "${BASH_SOURCE[0]}")/../test/lib/pg.sh"
BIN=$PG_BIN

# throwaway_init DIR PORT [postgresql.conf lines...]: a new cluster in
# DIR/data, not started, listening only on a socket in DIR
throwaway_init() {
	local dir=$1 port=$2
	shift 2
	throwaway_stop "$dir"
	rm -rf "$dir"
	mkdir -p "$dir"
	chown postgres: "$dir"
	cluster_create "$dir/data" "$port" "$dir" "$@" || die "initdb failed"
}

# throwaway_start DIR PORT [lines...]: the same, started, with its log in
# DIR/server.log; PGHOST, PGPORT, PGUSER and PG_SERVER_LOG point at it
throwaway_start() {
	local dir=$1 port=$2
	throwaway_init "$@"
	cluster_start "$dir/data" "$dir/server.log" || die "cluster did not start"
	export PGHOST=$dir PGPORT=$port PGUSER=postgres PG_SERVER_LOG=$dir/server.log
}

# throwaway_ensure DIR: it runs and takes connections again
throwaway_ensure() {
	cluster_ensure "$1/data" "$PGPORT" "$1" "$1/server.log"
}

throwaway_stop() {
	cluster_stop "$1/data" fast
}
