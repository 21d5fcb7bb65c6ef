#!/usr/bin/env bash
# scripts/upgrade-test.sh - a major upgrade by logical replication, with
# seqguard on the new server: the host's PostgreSQL 15 publishes, a
# subscriber of each newer major (17 from trixie, 18 from sid, 19 from sid +
# experimental, each in its Debian chroot, scripts/chroot.sh) with seqguard
# preloaded replicates it over TCP on 127.0.0.1, and the cutover to it needs
# no sequence step: test/shell/subscriber.sh with SUB_ROOT set, once per
# major.  A chroot that is missing is set up first (scripts/versions.sh
# --prepare); seqguard is built and installed in it from this tree.
#
# Ends with "N passed, N failed" over the checks of every major (a major
# whose run failed without a count is one failure) and exits non-zero on
# any failure.
#
# Environment:
#   SEQGUARD_UPGRADE_TO    the subscribers' majors (default: SEQGUARD_VERSIONS, or "17 18 19";
#                          the host's own major and those without a chroot are left out)
#   SEQGUARD_UPGRADE_PORT  first of the three ports (default 54420)
#   SEQGUARD_CHROOTS       where the chroots live (default /var/tmp/seqguard-chroots)
set -uo pipefail
cd "$(dirname "$0")/.."
SRC=$(pwd)
CHROOTS=${SEQGUARD_CHROOTS:-/var/tmp/seqguard-chroots}
TARGETS=${SEQGUARD_UPGRADE_TO:-${SEQGUARD_VERSIONS:-17 18 19}}
PORT=${SEQGUARD_UPGRADE_PORT:-54420}
# shellcheck source=chroot.sh
. "$SRC/scripts/chroot.sh"
trap umount_chroot EXIT
[ "$(id -u)" = 0 ] || { echo "upgrade-test.sh: run as root (chroot, mount)" >&2; exit 2; }
export PG_MAJOR=$HOST_MAJOR
[ -x "/usr/lib/postgresql/$PG_MAJOR/bin/postgres" ] ||
	{ echo "upgrade-test.sh: PostgreSQL $PG_MAJOR is not installed (scripts/test.sh installs it)" >&2; exit 2; }

passed=0
failed=0
for nn in $TARGETS; do
	source=$(source_of "$nn")
	echo "== PostgreSQL $HOST_MAJOR publisher, PostgreSQL $nn subscriber ($source)"
	case $source in
	host | none)
		echo "   not a chroot major here: left out"
		continue
		;;
	esac
	root=$(chroot_of "$nn" "$source")
	if [ ! -f "$root/etc/seqguard-chroot" ] &&
		! SEQGUARD_VERSIONS=$nn bash scripts/versions.sh --prepare; then
		echo "   FAIL the chroot could not be set up"
		failed=$((failed + 1))
		continue
	fi
	copy_tree "$root"
	mount_chroot "$root"
	log=$(mktemp)
	if ! in_chroot "$root" make -s -C /var/tmp/seqguard-src \
		PG_CONFIG="/usr/lib/postgresql/$nn/bin/pg_config" install >"$log" 2>&1; then
		tail -20 "$log"
		echo "   FAIL seqguard could not be built for PostgreSQL $nn"
		failed=$((failed + 1))
	else
		SUB_ROOT=$root SUB_MAJOR=$nn SUB_PORT=$PORT bash test/shell/subscriber.sh >"$log" 2>&1
		rc=$?
		sed 's/^/   /' "$log"
		if [[ $(grep '^summary: ' "$log" | tail -1) =~ ([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
			passed=$((passed + BASH_REMATCH[1]))
			failed=$((failed + BASH_REMATCH[2]))
			[ $rc -eq 0 ] || [ "${BASH_REMATCH[2]}" -gt 0 ] || failed=$((failed + 1))
		else
			failed=$((failed + 1))
		fi
	fi
	rm -f "$log"
	umount_chroot
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
