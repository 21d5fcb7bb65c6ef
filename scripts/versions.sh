#!/usr/bin/env bash
# scripts/versions.sh - the whole test suite (scripts/test.sh: pg_regress,
# isolation, pgTAP, shell tests) on every PostgreSQL major version available
# here, and a version x suite table of the results.
#
#   15  the host's own server (Debian 12), through a private copy of its
#       installation, so that the system's seqguard is left alone
#   17  Debian trixie      \
#   18  Debian sid          } each in its own debootstrap chroot (minbase),
#   19  sid + experimental /  created when missing and reused afterwards
#   16  no Debian suite reachable here ships it: reported, not failed
#
# Each chroot gets a copy of this tree and runs its scripts/test.sh with
# PG_MAJOR set, so every version runs exactly the same suite.  Exits non-zero
# when any version fails to build or fails a test.
#
# scripts/versions.sh --prepare only sets up the chroots.
#
# Environment:
#   SEQGUARD_VERSIONS        majors to run (default "15 16 17 18 19"), e.g. "15"
#   SEQGUARD_CHROOTS         where the chroots live (default /var/tmp/seqguard-chroots)
#   SEQGUARD_VERSIONS_LOGS   where the logs go (default /tmp/seqguard-versions)
#   SEQGUARD_PORT            the clusters' port (default 54400; the shell tests
#                            also take the twelve ports above it); the versions
#                            run one after the other
#   SEQGUARD_MIRROR          Debian mirror (default: the host's, from /etc/apt)
#   SEQGUARD_SECURITY_MIRROR Debian security mirror (default: the host's)
#   SEQGUARD_HOST_LOG        output of a scripts/test.sh run just made on the host
#                            (as CI does before): its results make the row of
#                            the major it ran instead of a second run, and are
#                            left out of the closing count (the caller has
#                            them); SEQGUARD_HOST_TIME its seconds
set -euo pipefail
cd "$(dirname "$0")/.."
SRC=$(pwd)

VERSIONS=${SEQGUARD_VERSIONS:-15 16 17 18 19}
CHROOTS=${SEQGUARD_CHROOTS:-/var/tmp/seqguard-chroots}
LOGS=${SEQGUARD_VERSIONS_LOGS:-/tmp/seqguard-versions}
PORT=${SEQGUARD_PORT:-54400}
# shellcheck source=chroot.sh
. "$SRC/scripts/chroot.sh"
trap umount_chroot EXIT

die() { echo "versions.sh: $*" >&2; exit 2; }
[ "$(id -u)" = 0 ] || die "run as root (debootstrap, chroot, mount)"
for nn in $VERSIONS; do
	case $nn in
	1[5-9] | [2-9][0-9]) ;;
	*) die "SEQGUARD_VERSIONS: '$nn' is not a PostgreSQL major version from 15 on" ;;
	esac
done

source_label() {
	case $1 in
	host) echo "host, Debian $(cat /etc/debian_version 2>/dev/null)" ;;
	*+*) echo "chroot, Debian ${1//+/ + }" ;;
	*) echo "chroot, Debian $1" ;;
	esac
}

fmt_time() { printf '%dm%02ds' $(($1 / 60)) $(($1 % 60)); }

# setup_chroot NN SOURCE ROOT: debootstrap ROOT (minbase) unless it is
# there, point apt at SOURCE with deb-src lines, and install the server, its
# headers and what the suite needs.  Marks the chroot complete at the end.
setup_chroot() {
	local nn=$1 source=$2 root=$3 suite=${2%%+*} mirror secmirror s script
	mirror=${SEQGUARD_MIRROR:-$(host_mirror debian)}
	mirror=${mirror:-http://deb.debian.org/debian}
	secmirror=${SEQGUARD_SECURITY_MIRROR:-$(host_mirror debian-security)}
	if ! command -v debootstrap >/dev/null; then
		apt-get update -qq && apt-get install -y -qq debootstrap >/dev/null
	fi
	# debootstrap removes its directory /debootstrap when it has finished
	if [ ! -x "$root/usr/bin/apt-get" ] || [ -d "$root/debootstrap" ]; then
		awk -v r="$root/" 'index($2, r) == 1 { print $2 }' /proc/mounts | sort -r |
			while read -r m; do umount -l "$m"; done
		rm -rf --one-file-system "$root"
		script=/usr/share/debootstrap/scripts/$suite
		[ -e "$script" ] || script=/usr/share/debootstrap/scripts/sid
		mkdir -p "$root"
		debootstrap --variant=minbase "$suite" "$root" "$mirror" "$script"
	fi
	# no services started by package scripts, no recommends; the mirror may
	# serve Release files past their Valid-Until (signatures are still checked)
	printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
	chmod 755 "$root/usr/sbin/policy-rc.d"
	printf 'APT::Install-Recommends "false";\nAPT::Install-Suggests "false";\nAcquire::Check-Valid-Until "false";\n' \
		>"$root/etc/apt/apt.conf.d/90seqguard"
	{
		for s in "$suite" "$suite-updates"; do
			if [ "$s" = "$suite" ] || reachable "$mirror/dists/$s/Release"; then
				echo "deb $mirror $s main"
				echo "deb-src $mirror $s main"
			fi
		done
		if [ -n "$secmirror" ] && reachable "$secmirror/dists/$suite-security/Release"; then
			echo "deb $secmirror $suite-security main"
		fi
		case $source in
		*+experimental)
			echo "deb $mirror experimental main"
			echo "deb-src $mirror experimental main"
			;;
		esac
	} >"$root/etc/apt/sources.list"
	case $source in
	*+experimental)
		# experimental for PostgreSQL's own packages only
		cat >"$root/etc/apt/preferences.d/seqguard" <<-EOF
			Package: postgresql-$nn* postgresql-server-dev-$nn postgresql-client-$nn libpq5 libpq-dev postgresql-common* postgresql-client-common
			Pin: release a=experimental
			Pin-Priority: 500
		EOF
		;;
	esac
	cp -f /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
	mount_chroot "$root"
	in_chroot "$root" apt-get update -qq
	in_chroot "$root" dpkg --configure -a
	in_chroot "$root" apt-cache show "postgresql-$nn" >/dev/null 2>&1 ||
		die "postgresql-$nn is not in $source"
	# clusters are made by the tests, never by the packages
	in_chroot "$root" apt-get install -y -qq postgresql-common >/dev/null
	sed -i 's/^#\?[[:space:]]*create_main_cluster[[:space:]]*=.*/create_main_cluster = false/' \
		"$root/etc/postgresql-common/createcluster.conf"
	# the rest is what scripts/test.sh installs (lib.sh's install_deps)
	copy_tree "$root"
	in_chroot "$root" env PG_MAJOR="$nn" bash -c '. /var/tmp/seqguard-src/scripts/lib.sh && install_deps'
	in_chroot "$root" apt-get clean
	umount_chroot
	echo "$nn $source" >"$root/etc/seqguard-chroot"
}

# ensure_chroot NN SOURCE: set up the chroot for NN unless it is complete;
# sets SETUP to the time it took, or "reused"
ensure_chroot() {
	local nn=$1 source=$2 root t0
	root=$(chroot_of "$nn" "$source")
	SETUP=reused
	[ -f "$root/etc/seqguard-chroot" ] && return 0
	t0=$SECONDS
	echo "   setting up $root (log: $LOGS/$nn-setup.log)"
	# in a process of its own, so that set -e stops it at the first failure
	if ! bash "$SRC/scripts/versions.sh" --setup "$nn" "$source" "$root" >"$LOGS/$nn-setup.log" 2>&1 9>&-; then
		SETUP="**FAILED** ($(fmt_time $((SECONDS - t0))))"
		tail -20 "$LOGS/$nn-setup.log" | sed 's/^/   /'
		return 1
	fi
	SETUP=$(fmt_time $((SECONDS - t0)))
	echo "$SETUP" >"$LOGS/$nn-setup.time"
}

# run_version NN SOURCE LOG: scripts/test.sh for major NN, its output in LOG
# and its logs in $LOGS/NN/; sets VERSION to the server's exact version
run_version() {
	local nn=$1 source=$2 log=$3 root rc=0
	if [ "$source" = host ]; then
		VERSION=$("/usr/lib/postgresql/$nn/bin/postgres" --version 2>/dev/null | awk '{print $3}') || true
		PG_MAJOR=$nn PG_ROOT=${SEQGUARD_HOST_ROOT:-/tmp/seqguard-pgroot}-$nn \
			TEST_DIR="$LOGS/$nn-cluster" TEST_PORT=$PORT LOG_DIR="$LOGS/$nn" \
			bash scripts/test.sh >"$log" 2>&1 9>&- || rc=$?
		return $rc
	fi
	root=$(chroot_of "$nn" "$source")
	VERSION=$(in_chroot "$root" "/usr/lib/postgresql/$nn/bin/postgres" --version 2>/dev/null | awk '{print $3}') || true
	copy_tree "$root"
	mount_chroot "$root"
	rm -rf "$root/tmp/seqguard-test-logs"
	in_chroot "$root" env PG_MAJOR="$nn" TEST_DIR=/tmp/seqguard-test TEST_PORT="$PORT" \
		LOG_DIR=/tmp/seqguard-test-logs bash /var/tmp/seqguard-src/scripts/test.sh >"$log" 2>&1 9>&- || rc=$?
	umount_chroot
	rm -rf "${LOGS:?}/$nn"
	if [ -d "$root/tmp/seqguard-test-logs" ]; then
		cp -r "$root/tmp/seqguard-test-logs" "$LOGS/$nn"
	fi
	return $rc
}

# cells LOG: "build regress isolation pgtap shell total" from test.sh's
# output; a suite's two runs (plain and preloaded) are added up, and the
# packaging checks go with the shell tests
cells() {
	awk '
		function cell(p, f, sk) {
			return p " ok" (f > 0 ? ", " f " FAILED" : "") (sk > 0 ? ", " sk " skipped" : "")
		}
		/^== build/ { s = "build" } /^== regress/ { s = "regress" }
		/^== isolation/ { s = "isolation" } /^== pgTAP/ { s = "pgtap" }
		/^== (shell tests|packaging checks)/ { s = "shell" }
		s == "build" && /^   ok/ { c["build"] = "ok" }
		s == "build" && /^   FAILED/ { c["build"] = "**FAILED**" }
		s != "" && s != "build" && /^   [0-9]+ passed, [0-9]+ failed, [0-9]+ skipped/ {
			p[s] += $1; f[s] += $3; k[s] += $5; seen[s] = 1
		}
		/^[0-9]+ passed, [0-9]+ failed$/ { c["total"] = $1 " passed, " $3 " failed" }
		END {
			for (x in seen) c[x] = cell(p[x], f[x], k[x])
			n = split("build regress isolation pgtap shell total", keys, " ")
			for (i = 1; i <= n; i++) printf "%s%s", (i > 1 ? "\t" : ""), (keys[i] in c ? c[keys[i]] : "-")
			print ""
		}' "$1"
}

if [ "${1:-}" = --setup ]; then
	shift
	setup_chroot "$@"
	exit 0
fi

mkdir -p "$LOGS" "$CHROOTS"
# one run at a time on this machine: the chroots and the ports are shared
exec 9>"$CHROOTS/.lock"
flock -n 9 || { echo "waiting for another scripts/versions.sh run"; flock 9; }
status=0

# --prepare: only set up the chroots (CI does it while the host's tests run)
if [ "${1:-}" = --prepare ]; then
	for nn in $VERSIONS; do
		source=$(source_of "$nn")
		case $source in host | none) continue ;; esac
		ensure_chroot "$nn" "$source" || status=1
		echo "PostgreSQL $nn ($source): chroot $SETUP"
	done
	exit $status
fi

rows=()
logs=()
all_passed=0
all_failed=0
all_skipped=0
for nn in $VERSIONS; do
	source=$(source_of "$nn")
	echo "== PostgreSQL $nn ($source)"
	if [ "$source" = none ]; then
		rows+=("| $nn | no package available here | | | | | | | | |")
		echo "   no package available here"
		continue
	fi
	SETUP=-
	VERSION=$nn
	if [ "$source" != host ] && ! ensure_chroot "$nn" "$source"; then
		status=1
		rows+=("| $nn | $(source_label "$source") | $SETUP | | | | | | **FAILED**: chroot setup | |")
		all_failed=$((all_failed + 1))
		logs+=("$nn: $LOGS/$nn-setup.log")
		continue
	fi
	if [ "$SETUP" = reused ] && [ -f "$LOGS/$nn-setup.time" ]; then
		SETUP="$(cat "$LOGS/$nn-setup.time") (ahead)"
	fi
	rm -f "$LOGS/$nn-setup.time"
	[ "$SETUP" = - ] || [ "$SETUP" = reused ] || echo "   chroot set up in $SETUP"
	log=$LOGS/$nn.log
	t0=$SECONDS
	rc=0
	# the host's run that CI made before, for this very major only; its
	# counts are CI's already, so they are not added to the total below
	from_log=""
	if [ "$source" = host ] && [ -n "${SEQGUARD_HOST_LOG:-}" ] &&
		[ "$(sed -n 's/^== build (PostgreSQL \([0-9]*\).*/\1/p' "$SEQGUARD_HOST_LOG")" = "$nn" ]; then
		from_log=1
		cp "$SEQGUARD_HOST_LOG" "$log"
		rm -rf "${LOGS:?}/$nn"
		VERSION=$(sed -n 's/^== build (PostgreSQL \([^ ]*\) .*/\1/p' "$log")
		tail -1 "$log" | grep -Eq '^[1-9][0-9]* passed, 0 failed$' || rc=1
		t0=$((SECONDS - ${SEQGUARD_HOST_TIME:-0}))
	else
		run_version "$nn" "$source" "$log" || rc=$?
	fi
	elapsed=$(fmt_time $((SECONDS - t0)))
	IFS=$'\t' read -r build regress isolation pgtap shell total < <(cells "$log")
	if [ $rc -ne 0 ]; then
		status=1
		if [ "$total" = - ]; then total="**FAILED** (exit $rc)"; else total="**$total**"; fi
	fi
	tail -1 "$log" | sed 's/^/   /'
	if [ -n "$from_log" ]; then
		:
	elif [[ $(tail -1 "$log") =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
		all_passed=$((all_passed + BASH_REMATCH[1]))
		all_failed=$((all_failed + BASH_REMATCH[2]))
		if [[ $(tail -2 "$log" | head -1) =~ ^([0-9]+)\ skipped ]]; then
			all_skipped=$((all_skipped + BASH_REMATCH[1]))
		fi
	else
		all_failed=$((all_failed + 1))
	fi
	echo "   $elapsed; log: $log"
	rows+=("| $VERSION | $(source_label "$source") | $SETUP | $build | $regress | $isolation | $pgtap | $shell | $total | $elapsed |")
	if [ -d "$LOGS/$nn" ]; then logs+=("$nn: $log and $LOGS/$nn/"); else logs+=("$nn: $log"); fi
done

echo
echo "| version | from | chroot setup | build | regress | isolation | pgTAP | shell tests | total | run time |"
echo "|---|---|---|---|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
if [ ${#logs[@]} -gt 0 ]; then
	echo
	echo "logs:"
	printf '  %s\n' "${logs[@]}"
fi
# every version's tests that this run made (not those of SEQGUARD_HOST_LOG,
# which CI counts itself); a version that failed without a count of its own
# (its setup, its build) counts as one failure
echo "$all_skipped skipped"
echo "$all_passed passed, $all_failed failed"
exit $status
