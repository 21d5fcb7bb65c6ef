-- check_sequence_health() runs as the caller and reads only what the caller
-- may read: a table (or its id column) without SELECT, a sequence without
-- SELECT or USAGE, and a table whose row-level security applies to the
-- caller are skipped, showing no numbers.  The roles are created here and
-- go with the ROLLBACK.
BEGIN;
SELECT plan(27);

SET LOCAL seqguard.mode = off;
CREATE SCHEMA cp;

CREATE ROLE cp_reader;
CREATE ROLE cp_owner;
CREATE ROLE cp_bypass BYPASSRLS;
GRANT USAGE ON SCHEMA cp TO cp_reader, cp_owner, cp_bypass;

-- every table below is out of sync, so that a row the caller may read
-- says out_of_sync and one it may not says skipped
CREATE TABLE cp.noread (id serial PRIMARY KEY, v text);
INSERT INTO cp.noread VALUES (4242, 'secret');
GRANT SELECT, USAGE ON cp.noread_id_seq TO cp_reader;

CREATE TABLE cp.colread (id serial PRIMARY KEY, v text);
INSERT INTO cp.colread VALUES (77, 'x');
GRANT SELECT (id) ON cp.colread TO cp_reader;
GRANT SELECT ON cp.colread_id_seq TO cp_reader;

CREATE TABLE cp.othercol (id serial PRIMARY KEY, v text);
INSERT INTO cp.othercol VALUES (88, 'x');
GRANT SELECT (v) ON cp.othercol TO cp_reader;
GRANT SELECT ON cp.othercol_id_seq TO cp_reader;

CREATE SEQUENCE cp.hidden;
CREATE TABLE cp.seqdenied (id bigint PRIMARY KEY DEFAULT nextval('cp.hidden'));
INSERT INTO cp.seqdenied VALUES (31);
GRANT SELECT ON cp.seqdenied TO cp_reader;

CREATE SEQUENCE cp.usable;
CREATE TABLE cp.sequsage (id bigint PRIMARY KEY DEFAULT nextval('cp.usable'));
INSERT INTO cp.sequsage VALUES (32);
GRANT SELECT ON cp.sequsage TO cp_reader;
GRANT USAGE ON cp.usable TO cp_reader;

CREATE SEQUENCE cp.updatable;
CREATE TABLE cp.sequpdate (id bigint PRIMARY KEY DEFAULT nextval('cp.updatable'));
INSERT INTO cp.sequpdate VALUES (33);
GRANT SELECT ON cp.sequpdate TO cp_reader;
GRANT UPDATE ON cp.updatable TO cp_reader;

CREATE TABLE cp.rls (id serial PRIMARY KEY, owner_name name);
INSERT INTO cp.rls VALUES (555, 'cp_reader');
ALTER TABLE cp.rls ENABLE ROW LEVEL SECURITY;
CREATE POLICY see_all ON cp.rls USING (true);
ALTER TABLE cp.rls OWNER TO cp_owner;
GRANT SELECT ON cp.rls, cp.rls_id_seq TO cp_reader, cp_bypass;

CREATE TABLE cp.rls_forced (id serial PRIMARY KEY);
INSERT INTO cp.rls_forced VALUES (556);
ALTER TABLE cp.rls_forced ENABLE ROW LEVEL SECURITY;
ALTER TABLE cp.rls_forced FORCE ROW LEVEL SECURITY;
CREATE POLICY see_all ON cp.rls_forced USING (true);
ALTER TABLE cp.rls_forced OWNER TO cp_owner;

-- a partition tree readable through its root only
CREATE TABLE cp.parted (id bigserial, k int) PARTITION BY LIST (k);
CREATE TABLE cp.parted_1 PARTITION OF cp.parted FOR VALUES IN (1);
CREATE TABLE cp.parted_2 PARTITION OF cp.parted FOR VALUES IN (2);
INSERT INTO cp.parted VALUES (60, 2);
GRANT SELECT ON cp.parted, cp.parted_id_seq TO cp_reader;

CREATE TEMP TABLE as_super AS SELECT * FROM check_sequence_health(ARRAY['cp']);

SET LOCAL ROLE cp_reader;
CREATE TEMP TABLE as_reader AS SELECT * FROM check_sequence_health(ARRAY['cp']);
CREATE TEMP TABLE reader_max AS SELECT max(id) AS m FROM cp.parted;
RESET ROLE;
SET LOCAL ROLE cp_owner;
CREATE TEMP TABLE as_owner AS SELECT * FROM check_sequence_health(ARRAY['cp']);
RESET ROLE;
SET LOCAL ROLE cp_bypass;
CREATE TEMP TABLE as_bypass AS SELECT * FROM check_sequence_health(ARRAY['cp']);
RESET ROLE;

SELECT is((SELECT count(*) FROM as_super WHERE status = 'out_of_sync'), 9::bigint,
          '(as superuser, all nine tables are read and out of sync)');
SELECT is((SELECT count(*) FROM as_reader), 9::bigint, 'an unprivileged role still gets a row for every table');

-- no SELECT on the table
SELECT is((SELECT status FROM as_reader WHERE table_name = 'noread'), 'skipped',
          'a table the role cannot SELECT is skipped, although it is out of sync');
SELECT ok((SELECT max_id IS NULL AND sequence_value IS NULL AND next_value IS NULL AND capacity_used IS NULL
             FROM as_reader WHERE table_name = 'noread'),
          'and max_id, sequence_value, next_value and capacity_used are NULL');
SELECT matches((SELECT detail FROM as_reader WHERE table_name = 'noread'), 'permission denied',
               'the detail says permission was denied');
SELECT doesnt_match((SELECT detail FROM as_reader WHERE table_name = 'noread'), '4242',
                    'the detail does not reveal the value');

-- column privileges
SELECT is((SELECT status || ' ' || max_id FROM as_reader WHERE table_name = 'colread'), 'out_of_sync 77',
          'SELECT on the id column alone is enough');
SELECT is((SELECT status FROM as_reader WHERE table_name = 'othercol'), 'skipped',
          'SELECT on another column is not');
SELECT ok((SELECT max_id IS NULL FROM as_reader WHERE table_name = 'othercol'),
          'and its max_id is not shown');

-- sequence privileges
SELECT is((SELECT status FROM as_reader WHERE table_name = 'seqdenied'), 'skipped',
          'a sequence the role has no privilege on is skipped');
SELECT matches((SELECT detail FROM as_reader WHERE table_name = 'seqdenied'), 'sequence',
               'the detail says it is the sequence');
SELECT ok((SELECT max_id IS NULL AND sequence_value IS NULL FROM as_reader WHERE table_name = 'seqdenied'),
          'and shows neither the column''s nor the sequence''s value');
SELECT is((SELECT status || ' ' || sequence_value FROM as_reader WHERE table_name = 'sequsage'),
          (SELECT 'out_of_sync ' || last_value FROM cp.usable),
          'USAGE on the sequence is enough to read it, as for pg_sequences');
SELECT is((SELECT status FROM as_reader WHERE table_name = 'sequpdate'), 'skipped',
          'UPDATE alone on the sequence is not enough to read it');

-- row-level security
SELECT is((SELECT status FROM as_reader WHERE table_name = 'rls'), 'skipped',
          'RLS-enabled table: skipped for a role the policies apply to, even with SELECT');
SELECT matches((SELECT detail FROM as_reader WHERE table_name = 'rls'), 'row-level security',
               'the detail names row-level security');
SELECT ok((SELECT max_id IS NULL FROM as_reader WHERE table_name = 'rls'), 'and max_id is not shown');
SELECT is((SELECT status || ' ' || max_id FROM as_owner WHERE table_name = 'rls'), 'out_of_sync 555',
          'the owner of a table without FORCE ROW LEVEL SECURITY reads it');
SELECT is((SELECT status FROM as_owner WHERE table_name = 'rls_forced'), 'skipped',
          'with FORCE ROW LEVEL SECURITY the owner is skipped too');
SELECT is((SELECT status || ' ' || max_id FROM as_bypass WHERE table_name = 'rls'), 'out_of_sync 555',
          'a BYPASSRLS role reads it');
SELECT is((SELECT status || ' ' || max_id FROM as_super WHERE table_name = 'rls_forced'), 'out_of_sync 556',
          'a superuser reads a FORCE ROW LEVEL SECURITY table');

-- trees: privileges of the root, as for SELECT max(id) FROM root
SELECT is((SELECT max_id FROM as_reader WHERE table_name = 'parted'), (SELECT m FROM reader_max),
          'with SELECT on the root only, max_id is what SELECT max(id) FROM root gives the role');
SELECT is((SELECT max_id FROM as_reader WHERE table_name = 'parted'), 60::bigint,
          '(60, from a partition the role cannot SELECT directly)');

-- the role cannot see more than it may through the other tables either
SELECT is((SELECT count(*) FROM as_owner WHERE status <> 'skipped'), 1::bigint,
          'the owner of the RLS table reads that table only');
SELECT is((SELECT string_agg(table_name, ',' ORDER BY table_name) FROM as_reader WHERE status <> 'skipped'),
          'colread,parted,sequsage',
          'the reader reads exactly the three tables it was granted enough for');

-- the check as a role changes no privilege or owner
SELECT ok(NOT has_table_privilege('cp_reader', 'cp.noread', 'SELECT'), '(cp_reader still cannot SELECT noread)');
SELECT throws_ok($$SET LOCAL ROLE cp_reader; SELECT max(id) FROM cp.noread$$, '42501', NULL,
                 '(and SELECT max(id) as the role is indeed denied)');

SELECT * FROM finish();
ROLLBACK;
