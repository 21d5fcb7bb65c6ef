#!/usr/bin/env bash
# Extension upgrades: a database that created an earlier release of the
# extension and ran ALTER EXTENSION seqguard UPDATE must end up with exactly
# the objects that a fresh CREATE EXTENSION of the current version creates:
# the same functions (signature, body, volatility, parallel label,
# strictness, rows, grants), comments, types and relations, and the same
# extension version; and every function of the earlier release must be
# there unchanged (an update adds, it does not change a signature).  A
# release without an update path to the current version (no
# seqguard--OLD--NEW.sql) fails.
#
# The releases and the commit that holds each one's script:
RELEASES=(
	"1.0 bef666879a9200ef54e242f8466e3892f9965df6"
)
# When default_version in seqguard.control is itself a release (as 1.0 is
# until the next version), its script must still create what the released
# one created: a change to the SQL interface needs a new version and an
# upgrade script.  (Until a version is published, its commit above may be
# moved forward instead.)
#
# Needs PGHOST/PGPORT/PGUSER of a running cluster with the current build
# installed (PG_CONFIG names its pg_config), root or the owner of its
# extension directory (the earlier releases' scripts are put there for the
# test and removed afterwards), and the git history of this repository.
set -euo pipefail
cd "$(dirname "$0")/../.."
PG_CONFIG=${PG_CONFIG:-pg_config}
extdir=$("$PG_CONFIG" --sharedir)/extension
DB_OLD=seqguard_upgrade_old
DB_NEW=seqguard_upgrade_new
tmp=$(mktemp -d)
placed=()
cleanup() {
	for f in "${placed[@]}"; do rm -f "$f"; done
	rm -rf "$tmp"
}
trap cleanup EXIT

q() { psql -X -q -t -A -v ON_ERROR_STOP=1 "$@"; }
fresh_db() {
	q -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1"
}

# Every object that belongs to the extension, one block each, sorted: what
# a user or a dump would see of it.
objects() {
	q -d "$1" <<'SQL'
WITH m AS (
	SELECT d.classid, d.objid
	FROM pg_depend d
	JOIN pg_extension e ON d.refclassid = 'pg_extension'::regclass AND d.refobjid = e.oid
	WHERE e.extname = 'seqguard' AND d.deptype = 'e'
)
SELECT 'extension seqguard version ' || extversion
	|| ' relocatable ' || extrelocatable
	|| ' schema ' || extnamespace::regnamespace
	|| ' config ' || coalesce(extconfig::regclass[]::text, '{}')
FROM pg_extension WHERE extname = 'seqguard'
UNION ALL
SELECT * FROM (
	SELECT pg_describe_object(m.classid, m.objid, 0)
		|| coalesce(E'\n  comment: ' || c.description, '')
		|| coalesce(E'\n  ' || CASE
			WHEN m.classid = 'pg_proc'::regclass THEN
				(SELECT CASE WHEN p.prokind IN ('f', 'p') THEN pg_get_functiondef(p.oid)
					ELSE p.prokind::text || ' ' || pg_get_function_identity_arguments(p.oid) END
					|| E'\n  acl: ' || coalesce(p.proacl::text, 'default')
				 FROM pg_proc p WHERE p.oid = m.objid)
			WHEN m.classid = 'pg_class'::regclass THEN
				(SELECT r.relkind::text || ' acl ' || coalesce(r.relacl::text, 'default')
					|| coalesce(E'\n  ' || pg_get_viewdef(r.oid), '')
					|| coalesce(E'\n  ' || (
						SELECT string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
							|| CASE WHEN a.attnotnull THEN ' not null' ELSE '' END
							|| coalesce(' default ' || pg_get_expr(ad.adbin, ad.adrelid), '')
							|| coalesce(' comment ' || cd.description, ''), E'\n  ' ORDER BY a.attnum)
						FROM pg_attribute a
						LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
						LEFT JOIN pg_description cd ON cd.objoid = a.attrelid AND cd.classoid = 'pg_class'::regclass
							AND cd.objsubid = a.attnum
						WHERE a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped), '')
				 FROM pg_class r WHERE r.oid = m.objid)
			WHEN m.classid = 'pg_type'::regclass THEN
				(SELECT t.typtype::text || ' ' || format_type(t.oid, NULL)
					|| coalesce(' (' || (SELECT string_agg(e.enumlabel, ', ' ORDER BY e.enumsortorder)
						FROM pg_enum e WHERE e.enumtypid = t.oid) || ')', '')
				 FROM pg_type t WHERE t.oid = m.objid)
		END, '') AS obj
	FROM m
	LEFT JOIN pg_description c ON c.objoid = m.objid AND c.classoid = m.classid AND c.objsubid = 0
	ORDER BY 1
) s;
SQL
}

# each function of the extension: its signature and a digest of its definition
functions() {
	q -d "$1" -c "SELECT p.oid::regprocedure || ' ' || md5(pg_get_functiondef(p.oid))
		FROM pg_depend d JOIN pg_extension e ON d.refobjid = e.oid JOIN pg_proc p ON p.oid = d.objid
		WHERE d.refclassid = 'pg_extension'::regclass AND d.classid = 'pg_proc'::regclass
		  AND e.extname = 'seqguard' AND d.deptype = 'e'" | LC_ALL=C sort
}

default=$(sed -n "s/^default_version[[:space:]]*=[[:space:]]*'\([^']*\)'.*/\1/p" seqguard.control)
[ -n "$default" ] || { echo "FAIL: no default_version in seqguard.control"; exit 1; }
echo "current version (seqguard.control): $default"

fail=0
for rel in "${RELEASES[@]}"; do
	read -r version commit <<<"$rel"
	script=$tmp/seqguard--$version.sql
	if ! git cat-file -e "$commit:seqguard--$version.sql" 2>/dev/null; then
		echo "FAIL: the script of release $version is not in the git history ($commit); a shallow clone needs git fetch --unshallow"
		exit 1
	fi
	git show "$commit:seqguard--$version.sql" >"$script"

	if [ "$version" = "$default" ]; then
		# the released script, installed as a version of its own name, against
		# what the current script creates
		name=${version}_released
		echo "== $version is the current version: the released script against the current one"
	else
		name=$version
		echo "== $version -> $default: ALTER EXTENSION seqguard UPDATE against CREATE EXTENSION"
	fi
	target=$extdir/seqguard--$name.sql
	if [ -e "$target" ] && ! cmp -s "$target" "$script"; then
		echo "FAIL: $target is installed and differs from the released script of $version"
		fail=1
		continue
	fi
	if [ ! -e "$target" ]; then
		cp "$script" "$target"
		placed+=("$target")
	fi

	fresh_db "$DB_OLD"
	q -d "$DB_OLD" -c "CREATE EXTENSION seqguard VERSION '$name'"
	if [ "$version" != "$default" ]; then
		path=$(q -d "$DB_OLD" -c "SELECT path FROM pg_extension_update_paths('seqguard')
			WHERE source = '$version' AND target = '$default'")
		if [ -z "$path" ]; then
			echo "FAIL: no update path from $version to $default: add seqguard--$version--$default.sql (and install it)"
			fail=1
			continue
		fi
		echo "   update path: $path"
		functions "$DB_OLD" >"$tmp/old_functions.txt"
		q -d "$DB_OLD" -c "ALTER EXTENSION seqguard UPDATE"
	fi
	objects "$DB_OLD" >"$tmp/old.txt"
	if [ "$version" != "$default" ]; then
		functions "$DB_OLD" >"$tmp/old_functions_updated.txt"
		if [ -n "$(comm -23 "$tmp/old_functions.txt" "$tmp/old_functions_updated.txt")" ]; then
			echo "FAIL: functions of $version changed or went away in the update to $default:"
			comm -23 "$tmp/old_functions.txt" "$tmp/old_functions_updated.txt"
			fail=1
		else
			echo "   ok   every function of $version is there unchanged ($(wc -l <"$tmp/old_functions.txt"))"
		fi
	fi
	fresh_db "$DB_NEW"
	q -d "$DB_NEW" -c "CREATE EXTENSION seqguard"
	objects "$DB_NEW" >"$tmp/new.txt"
	if [ "$version" = "$default" ]; then
		# the only intended difference: the version's name
		sed -i "1s/ version ${name//./\\.} / version $version /" "$tmp/old.txt"
	fi
	n=$(q -d "$DB_NEW" -c "SELECT count(*) FROM pg_depend d JOIN pg_extension e ON d.refobjid = e.oid
		WHERE d.refclassid = 'pg_extension'::regclass AND e.extname = 'seqguard' AND d.deptype = 'e'")
	if diff -u --label "from $version" --label "fresh $default" "$tmp/old.txt" "$tmp/new.txt" >"$tmp/diff"; then
		echo "   ok   the same objects ($n members, their definitions, comments and grants)"
	else
		if [ "$version" = "$default" ]; then
			echo "FAIL: seqguard--$default.sql no longer creates what release $default created;"
			echo "      a change to the SQL interface needs a new default_version and seqguard--$default--NEW.sql:"
		else
			echo "FAIL: after ALTER EXTENSION seqguard UPDATE from $version the objects differ from a fresh $default:"
		fi
		cat "$tmp/diff"
		fail=1
	fi
done
q -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $DB_OLD" -c "DROP DATABASE IF EXISTS $DB_NEW"
[ "$fail" = 0 ]
