#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# seqguard is a trusted extension: the owner of a database (a migration
# role of Django, Rails or Prisma, not a superuser) creates, updates and
# drops it there, and what it then calls acts with that role's rights: its
# own tables are checked, repaired and sampled, another role's table it
# may not read is skipped, and the guard (LOAD, seqguard.mode) stays a
# superuser's to set up.  A role without CREATE on the database cannot
# create it.  Runs in the main test cluster (PGHOST, PGPORT).
set -euo pipefail
cd "$(dirname "$0")"
# shellcheck source=../lib/pg.sh
. ../lib/pg.sh
# shellcheck source=../lib/assert.sh
. ../lib/assert.sh

DB=seqguard_trusted
q() { "$BIN/psql" -X -q -t -A -v ON_ERROR_STOP=1 "$@"; }
state() { # state ROLE SQL: "ok", or the SQLSTATE of the error
	local out
	if out=$("$BIN/psql" -X -q -t -A -v ON_ERROR_STOP=1 -U "$1" -d $DB -c '\set VERBOSITY sqlstate' -c "$2" 2>&1); then
		echo ok
	else
		sed -n 's/.*ERROR: *\([0-9A-Z]\{5\}\).*/\1/p' <<<"$out" | head -1
	fi
}
cleanup() {
	q -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "DROP ROLE IF EXISTS app_owner" -c "DROP ROLE IF EXISTS app_reader" \
		-c "DROP ROLE IF EXISTS other_owner" >/dev/null 2>&1 || true
}
trap cleanup EXIT
cleanup
q -d postgres -c "CREATE ROLE app_owner LOGIN" -c "CREATE ROLE app_reader LOGIN" -c "CREATE ROLE other_owner" \
	-c "CREATE DATABASE $DB OWNER app_owner"
q -d $DB -c "REVOKE CREATE ON SCHEMA public FROM PUBLIC" -c "GRANT CREATE ON SCHEMA public TO app_owner, other_owner"

expect "a role without CREATE on the database may not create it" 42501 "$(state app_reader "CREATE EXTENSION seqguard")"
expect "the database's owner, not a superuser, creates it" ok "$(state app_owner "CREATE EXTENSION seqguard")"
expect "(owned by that role)" app_owner "$(q -d $DB -c "SELECT extowner::regrole FROM pg_extension WHERE extname = 'seqguard'")"

q -d $DB -U app_owner -c "CREATE TABLE orders (id serial PRIMARY KEY)" -c "INSERT INTO orders VALUES (10)"
q -d $DB -c "SET ROLE other_owner" -c "CREATE TABLE secrets (id serial PRIMARY KEY)" -c "INSERT INTO secrets VALUES (99)"
expect "its own table is checked" "orders:out_of_sync secrets:skipped" \
	"$(q -d $DB -U app_owner -c "SELECT string_agg(table_name || ':' || status, ' ' ORDER BY table_name) FROM check_sequence_health()")"
expect "and repaired; another role's table it may not read is left alone" "orders_id_seq:advanced secrets_id_seq:skipped" \
	"$(q -d $DB -U app_owner -c "SELECT string_agg(sequence_name || ':' || action, ' ' ORDER BY sequence_name) FROM fix_all_sequences()")"
expect "(the other role's sequence did not move)" 1 "$(q -d $DB -c "SELECT last_value FROM secrets_id_seq")"
expect "it samples the sequences it may read" 1 "$(q -d $DB -U app_owner -c "SELECT sample_sequences()")"
expect "the guard stays a superuser's to set up: LOAD is refused" 42501 "$(state app_owner "LOAD 'seqguard'")"
expect "and so is seqguard.mode" 42501 "$(state app_owner "SELECT FROM check_sequence_health(); SET seqguard.mode = off")"
expect "it updates it from 1.0" ok "$(state app_owner "DROP EXTENSION seqguard; CREATE EXTENSION seqguard VERSION '1.0'; ALTER EXTENSION seqguard UPDATE")"
expect "(to 1.1)" 1.1 "$(q -d $DB -c "SELECT extversion FROM pg_extension WHERE extname = 'seqguard'")"
expect "and drops it" ok "$(state app_owner "DROP EXTENSION seqguard")"

summary "trusted extension"
