# shellcheck shell=bash
# scripts/chroot.sh - the Debian chroots other PostgreSQL versions run in
# (scripts/versions.sh sets them up; scripts/upgrade-test.sh uses them too):
# where they live, entering one, what is mounted while one is in use, and
# this tree copied in.  Sourced, not run; needs SRC (this tree) and CHROOTS.

HOST_MAJOR=15

# The Debian suite (and extra suite) that ships major NN; "host" or "none".
source_of() {
	case $1 in
	"$HOST_MAJOR") echo host ;;
	17) echo trixie ;;
	18) echo sid ;;
	19) echo sid+experimental ;;
	*)
		if [ -x "/usr/lib/postgresql/$1/bin/postgres" ] ||
			apt-cache show "postgresql-$1" >/dev/null 2>&1; then
			echo host
		else
			echo none
		fi
		;;
	esac
}

# host_mirror debian|debian-security: the first such URI in the host's apt sources
host_mirror() {
	local u
	u=$(grep -hoE "https?://[^ ]+/$1/?( |\$)" /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
		/etc/apt/sources.list.d/*.sources 2>/dev/null | head -n 1 | tr -d ' ') || true
	echo "${u%/}"
}

reachable() { curl -fsI -m 20 "$1" >/dev/null 2>&1; }

# in_chroot ROOT CMD...: run CMD in ROOT with a clean environment
in_chroot() {
	local root=$1
	shift
	chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
		LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
}

# Mounted only while a chroot is in use: /proc, a tmpfs on /dev/shm (the
# server's dynamic shared memory) and, where debootstrap made no device
# nodes, the host's /dev.
MOUNTED=()
mount_chroot() {
	local root=$1
	if ! mountpoint -q "$root/proc"; then
		mount -t proc proc "$root/proc"
		MOUNTED+=("$root/proc")
	fi
	if [ ! -c "$root/dev/null" ] && ! mountpoint -q "$root/dev"; then
		mount --bind /dev "$root/dev"
		MOUNTED+=("$root/dev")
	fi
	mkdir -p "$root/dev/shm"
	if ! mountpoint -q "$root/dev/shm"; then
		mount -t tmpfs -o mode=1777,nosuid,nodev,size=1g seqguard-shm "$root/dev/shm"
		MOUNTED+=("$root/dev/shm")
	fi
}
umount_chroot() {
	local i
	for ((i = ${#MOUNTED[@]} - 1; i >= 0; i--)); do
		umount "${MOUNTED[i]}" 2>/dev/null || umount -l "${MOUNTED[i]}"
	done
	MOUNTED=()
}

# copy_tree ROOT: this tree to /var/tmp/seqguard-src in ROOT, as it is in
# the working tree (without build products), with its git history (a clone
# at the same commit), which the release and upgrade tests read
copy_tree() {
	local dest=$1/var/tmp/seqguard-src head
	rm -rf "$dest"
	mkdir -p "$dest"
	if head=$(git -C "$SRC" rev-parse --verify -q HEAD 2>/dev/null); then
		git clone -q --no-checkout "$SRC" "$dest"
		git -C "$dest" checkout -q --detach "$head"
	fi
	tar -C "$SRC" --exclude=.git --exclude='*.o' --exclude='*.bc' --exclude='*.so' \
		--exclude=results --exclude=output_iso --exclude='regression.*' -cf - . | tar -C "$dest" -xf -
	chmod -R a+rX "$dest"
}

chroot_of() { echo "$CHROOTS/pg$1-${2//+/-}"; }
