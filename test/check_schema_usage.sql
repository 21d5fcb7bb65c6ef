-- A table in a schema on which the caller has no USAGE cannot be read by
-- the caller (SELECT max(id) is refused), even with SELECT on the table
-- and on its sequence: check_sequence_health() reports it skipped with no
-- numbers, and fix_all_sequences() skips its sequence.  The roles are
-- created here and go with the ROLLBACK.
BEGIN;
SELECT plan(18);

SET LOCAL seqguard.mode = off;	-- explicit ids below must stay where they are put
CREATE ROLE csu_reader;
CREATE SCHEMA csu_hidden;	-- no USAGE for csu_reader
CREATE SCHEMA csu_open;
GRANT USAGE ON SCHEMA csu_open TO csu_reader;

-- every table is out of sync, so a row the role may read says out_of_sync
-- a serial table: table and sequence in the hidden schema
CREATE TABLE csu_hidden.t (id serial PRIMARY KEY);
INSERT INTO csu_hidden.t VALUES (4242);
GRANT SELECT ON csu_hidden.t TO csu_reader;
GRANT SELECT, USAGE, UPDATE ON csu_hidden.t_id_seq TO csu_reader;
-- a table in the hidden schema fed by a sequence in the open one
CREATE SEQUENCE csu_open.s2;
CREATE TABLE csu_hidden.t2 (id bigint PRIMARY KEY DEFAULT nextval('csu_open.s2'));
INSERT INTO csu_hidden.t2 VALUES (4343);
GRANT SELECT ON csu_hidden.t2 TO csu_reader;
GRANT SELECT, USAGE, UPDATE ON csu_open.s2 TO csu_reader;
-- the same grants in the open schema
CREATE TABLE csu_open.visible (id serial PRIMARY KEY);
INSERT INTO csu_open.visible VALUES (77);
GRANT SELECT ON csu_open.visible TO csu_reader;
GRANT SELECT, USAGE, UPDATE ON csu_open.visible_id_seq TO csu_reader;
-- a partition tree rooted in the open schema with a partition in the
-- hidden one: SELECT max(id) FROM the root reads it, so the check does
CREATE TABLE csu_open.parted (id bigserial, k int) PARTITION BY LIST (k);
CREATE TABLE csu_open.parted_1 PARTITION OF csu_open.parted FOR VALUES IN (1);
CREATE TABLE csu_hidden.parted_2 PARTITION OF csu_open.parted FOR VALUES IN (2);
INSERT INTO csu_open.parted VALUES (60, 2);
GRANT SELECT ON csu_open.parted TO csu_reader;
GRANT SELECT, USAGE ON csu_open.parted_id_seq TO csu_reader;

CREATE TEMP TABLE as_super AS SELECT * FROM check_sequence_health(ARRAY['csu_hidden', 'csu_open']);
CREATE TEMP TABLE as_reader AS SELECT * FROM check_sequence_health() WITH NO DATA;
CREATE TEMP TABLE fix_reader AS SELECT * FROM fix_all_sequences() WITH NO DATA;
CREATE TEMP TABLE reader_max AS SELECT NULL::bigint AS m;
CREATE TEMP TABLE reader_assert (outcome text);
GRANT INSERT, UPDATE, SELECT ON as_reader, fix_reader, reader_max, reader_assert TO csu_reader;

SET LOCAL ROLE csu_reader;
INSERT INTO as_reader SELECT * FROM check_sequence_health(ARRAY['csu_hidden', 'csu_open']);
UPDATE reader_max SET m = (SELECT max(id) FROM csu_open.parted);
DO $$
BEGIN
  PERFORM assert_sequences_healthy(ARRAY['csu_hidden', 'csu_open']);
  INSERT INTO reader_assert VALUES ('no error');
EXCEPTION WHEN OTHERS THEN
  INSERT INTO reader_assert VALUES (SQLSTATE || ': ' || SQLERRM);
END $$;
INSERT INTO fix_reader SELECT * FROM fix_all_sequences(schemas => ARRAY['csu_hidden', 'csu_open']);
RESET ROLE;

SELECT is((SELECT count(*) FROM as_super WHERE status = 'out_of_sync'), 4::bigint,
          '(as superuser, all four tables are read and out of sync)');
SELECT throws_ok($$SET LOCAL ROLE csu_reader; SELECT max(id) FROM csu_hidden.t$$, '42501', NULL,
                 '(SELECT max(id) is refused to the role, for want of USAGE on the schema)');

SELECT is((SELECT status FROM as_reader WHERE table_name = 't'), 'skipped',
          'a table in a schema without USAGE is skipped, although the role has SELECT on it and its sequence');
SELECT ok((SELECT max_id IS NULL AND sequence_value IS NULL AND next_value IS NULL AND capacity_used IS NULL
             FROM as_reader WHERE table_name = 't'),
          'and shows no numbers');
SELECT matches((SELECT detail FROM as_reader WHERE table_name = 't'), 'schema',
               'the detail says it is the schema');
SELECT doesnt_match((SELECT detail FROM as_reader WHERE table_name = 't'), '4242',
                    'and does not reveal the value');
SELECT is((SELECT status FROM as_reader WHERE table_name = 't2'), 'skipped',
          'also when its sequence is in a schema the role may use');
SELECT ok((SELECT max_id IS NULL FROM as_reader WHERE table_name = 't2'), 'and its max_id is not shown');
SELECT is((SELECT status || ' ' || max_id FROM as_reader WHERE table_name = 'visible'), 'out_of_sync 77',
          'the same grants in a schema with USAGE: read');
SELECT is((SELECT max_id FROM as_reader WHERE table_name = 'parted'), (SELECT m FROM reader_max),
          'a partition in a schema without USAGE is read through its root, as SELECT max(id) FROM root does');
SELECT is((SELECT outcome FROM reader_assert), '23000: 2 sequence-fed columns are out of sync or exhausted',
          'assert_sequences_healthy() as the role lists only the two tables it may read');

SELECT is((SELECT action FROM fix_reader WHERE sequence_name = 't_id_seq'), 'skipped',
          'fix_all_sequences() skips the sequence of the table in the schema without USAGE');
SELECT doesnt_match((SELECT detail FROM fix_reader WHERE sequence_name = 't_id_seq'), '4242',
                    'without revealing the value');
SELECT is((SELECT last_value || ' ' || is_called FROM csu_hidden.t_id_seq), '1 false', 'and does not move it');
SELECT is((SELECT action FROM fix_reader WHERE sequence_name = 's2'), 'skipped',
          'nor the sequence in the open schema that feeds it');
SELECT is((SELECT last_value || ' ' || is_called FROM csu_open.s2), '1 false', '(s2 is not moved)');
SELECT is((SELECT action || ' ' || new_next_value FROM fix_reader WHERE sequence_name = 'visible_id_seq'), 'advanced 78',
          'the sequence of the table in the schema with USAGE is advanced');
SELECT ok(NOT has_schema_privilege('csu_reader', 'csu_hidden', 'USAGE'),
          '(the role still has no USAGE on the schema)');

SELECT * FROM finish();
ROLLBACK;
