#!/usr/bin/env bash
# Build the Debian packages (postgresql-NN-seqguard_*.deb, one per PostgreSQL
# major version that debian/pgversions and the system support) from the
# files of this checkout, in a scratch copy, so that nothing is written into
# the tree; the .deb files are copied to OUT_DIR.
#   bash scripts/package.sh [OUT_DIR]      (default /tmp/seqguard-deb)
# PACKAGE_BUILD_TESTS=1 also runs the build-time tests (pg_regress and the
# isolation specs through pg_buildext installcheck, in a temporary cluster
# that pg_virtualenv starts on a localhost TCP port); by default the build
# skips them, as scripts/test.sh runs the same suites.
set -euo pipefail
cd "$(dirname "$0")/.."

OUT_DIR=${1:-/tmp/seqguard-deb}
BUILD_DIR=${BUILD_DIR:-/tmp/seqguard-debbuild}

pkgs="build-essential debhelper postgresql-server-dev-all"
[ "${PACKAGE_BUILD_TESTS:-0}" = 1 ] && pkgs="$pkgs postgresql-all"
# shellcheck disable=SC2086
if ! dpkg -s $pkgs >/dev/null 2>&1; then
	[ "$(id -u)" = 0 ] || { echo "run as root to install: $pkgs" >&2; exit 1; }
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq $pkgs >/dev/null
fi

# the checkout's files, committed or not, without what .gitignore excludes
rm -rf "$BUILD_DIR"
mkdir -p "$BUILD_DIR/seqguard" "$OUT_DIR"
git ls-files -z --cached --others --exclude-standard |
	while IFS= read -r -d '' f; do if [ -e "$f" ]; then printf '%s\0' "$f"; fi; done |
	tar --null -T - -cf - | tar -C "$BUILD_DIR/seqguard" -xf -

cd "$BUILD_DIR/seqguard"
if [ "${PACKAGE_BUILD_TESTS:-0}" = 1 ]; then
	dpkg-buildpackage -us -uc -b >"$BUILD_DIR/build.log" 2>&1 ||
		{ tail -60 "$BUILD_DIR/build.log"; exit 1; }
else
	DEB_BUILD_OPTIONS="nocheck ${DEB_BUILD_OPTIONS:-}" \
		dpkg-buildpackage -us -uc -b --build-profiles=nocheck >"$BUILD_DIR/build.log" 2>&1 ||
		{ tail -60 "$BUILD_DIR/build.log"; exit 1; }
fi
cd "$BUILD_DIR"
for deb in postgresql-*-seqguard_*.deb; do
	[ -e "$deb" ] || { echo "no postgresql-NN-seqguard package was built" >&2; exit 1; }
	cp "$deb" "$OUT_DIR/"
	echo "$OUT_DIR/$deb"
done
