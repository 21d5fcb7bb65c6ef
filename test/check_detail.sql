-- check_sequence_health(): the detail column.  The statement it gives for
-- an out_of_sync or exhausted column must repair it when run as written;
-- notes (CACHE > 1, type mismatch, table scanned) appear whatever the
-- status; a healthy column with nothing to note has a NULL detail.
BEGIN;
SELECT plan(30);

CREATE SCHEMA cd;
SET LOCAL search_path = cd, public;
SET LOCAL seqguard.mode = off;	-- explicit ids below must stay where they are put

CREATE TEMP VIEW h AS SELECT * FROM check_sequence_health(ARRAY['cd']);

-- run the statement(s) that a row's detail gives after "marker:", as a
-- user pasting them would, and return them
\ir lib/advice.sql
CREATE FUNCTION cd.run_from_detail(t name, marker text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  d text := (SELECT detail FROM check_sequence_health(ARRAY['cd']) WHERE table_name = t);
  stmt text := substring(d FROM marker || ': ((?:(?:the steps of )?(?:SELECT|ALTER) [^;]*;\s*)+)');
BEGIN
  IF stmt IS NULL THEN
    RAISE EXCEPTION 'no statement after "%" in detail: %', marker, d;
  END IF;
  PERFORM pg_temp.run_statements(stmt);
  RETURN stmt;
END $$;

-- healthy: no detail
CREATE TABLE fine (id serial PRIMARY KEY);
INSERT INTO fine DEFAULT VALUES;
CREATE TABLE fine_ident (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY);
CREATE TABLE fine_small (id smallserial PRIMARY KEY);
SELECT is((SELECT array_agg(coalesce(detail, 'NULL') ORDER BY table_name) FROM h
            WHERE table_name IN ('fine', 'fine_ident', 'fine_small')),
          ARRAY['NULL', 'NULL', 'NULL'],
          'healthy, indexed columns whose sequence matches their type have a NULL detail');

-- out_of_sync: the detail says what is wrong and how to repair it
CREATE TABLE lag (id serial PRIMARY KEY, v text);
INSERT INTO lag (v) VALUES ('a'), ('b');
INSERT INTO lag VALUES (1041, 'imported');
SELECT is((SELECT status FROM h WHERE table_name = 'lag'), 'out_of_sync', 'an imported id puts lag out of sync');
SELECT matches((SELECT detail FROM h WHERE table_name = 'lag'), '\m3\M.*\m1041\M',
               'the detail names the next value 3 and the largest value 1041');
SELECT matches((SELECT detail FROM h WHERE table_name = 'lag'), 'fix_sequence\(',
               'the detail gives a fix_sequence() call');
SELECT lives_ok($$SELECT cd.run_from_detail('lag', 'Repair with')$$,
                'the repair statement in the detail runs as written');
SELECT is((SELECT status || ' ' || next_value FROM h WHERE table_name = 'lag'), 'ok 1042',
          'after it, the next value is 1042 and the column is ok');
SELECT lives_ok($$INSERT INTO cd.lag (v) VALUES ('new')$$, 'and the next insert succeeds');

-- descending, out of sync
CREATE SEQUENCE down INCREMENT -1;
CREATE TABLE neg (id bigint PRIMARY KEY DEFAULT nextval('down'));
INSERT INTO neg VALUES (-50);
SELECT is((SELECT status FROM h WHERE table_name = 'neg'), 'out_of_sync', 'descending: -50 below -1 is out of sync');
SELECT lives_ok($$SELECT cd.run_from_detail('neg', 'Repair with')$$,
                'the descending repair statement runs as written');
SELECT is((SELECT status || ' ' || next_value FROM h WHERE table_name = 'neg'), 'ok -51',
          'after it, the next value is -51');

-- a shared sequence: repairing through one table covers the others
CREATE SEQUENCE shared;
CREATE TABLE sh_a (id bigint PRIMARY KEY DEFAULT nextval('shared'));
CREATE TABLE sh_b (id bigint PRIMARY KEY DEFAULT nextval('shared'));
INSERT INTO sh_a VALUES (100);
INSERT INTO sh_b VALUES (500);
SELECT lives_ok($$SELECT cd.run_from_detail('sh_a', 'Repair with')$$,
                'the repair statement of one table sharing a sequence runs');
SELECT is((SELECT array_agg(status || ' ' || next_value ORDER BY table_name) FROM h WHERE sequence_name = 'shared'),
          ARRAY['ok 501', 'ok 501'],
          'the shared sequence is moved past the values of both tables');

-- a partition tree: the repair names the root and covers the leaf
CREATE TABLE tree (id bigserial, k int, PRIMARY KEY (id, k)) PARTITION BY LIST (k);
CREATE TABLE tree_1 PARTITION OF tree FOR VALUES IN (1);
CREATE TABLE tree_2 PARTITION OF tree FOR VALUES IN (2);
INSERT INTO tree_2 VALUES (77, 2);
SELECT matches((SELECT detail FROM h WHERE table_name = 'tree'), 'cd\.tree''',
               'the repair statement of a tree names its root');
SELECT lives_ok($$SELECT cd.run_from_detail('tree', 'Repair with')$$,
                'and runs as written');
SELECT is((SELECT status || ' ' || next_value FROM h WHERE table_name = 'tree'), 'ok 78',
          'the tree is then in sync with the value in its partition');

-- exhausted: the detail gives the statements that widen the range
CREATE TABLE full_s (id serial PRIMARY KEY);
SELECT FROM setval('full_s_id_seq', 2147483647);
SELECT matches((SELECT detail FROM h WHERE table_name = 'full_s'), 'MAXVALUE 2147483647',
               'an exhausted serial names the limit it reached');
SELECT lives_ok($$SELECT cd.run_from_detail('full_s', 'Widen the range with')$$,
                'the widening statements in the detail run as written');
SELECT is((SELECT status || ' ' || next_value FROM h WHERE table_name = 'full_s'), 'ok 2147483648',
          'after them the serial is ok and its next value 2147483648');
SELECT lives_ok('INSERT INTO cd.full_s DEFAULT VALUES', 'and the next insert succeeds');

CREATE SEQUENCE wide AS bigint;
CREATE TABLE narrow (id int PRIMARY KEY DEFAULT nextval('wide'));
SELECT FROM setval('wide', 2147483647);
SELECT matches((SELECT detail FROM h WHERE table_name = 'narrow'), 'integer',
               'exhausted by the column type: the detail names the type');
SELECT lives_ok($$SELECT cd.run_from_detail('narrow', 'Widen the range with')$$,
                'the widening statements for the column run as written');
SELECT is((SELECT status || ' ' || coalesce(detail, 'NULL') FROM h WHERE table_name = 'narrow'), 'ok NULL',
          'after them the column is ok and nothing is left to note');

CREATE TABLE ident_near (id int GENERATED BY DEFAULT AS IDENTITY (MAXVALUE 100));
SELECT FROM setval(pg_get_serial_sequence('cd.ident_near', 'id'), 95);
SELECT is((SELECT status FROM h WHERE table_name = 'ident_near'), 'near_exhaustion',
          'an identity with MAXVALUE 100 at 95 is near_exhaustion');
SELECT lives_ok($$SELECT cd.run_from_detail('ident_near', 'Widen the range with')$$,
                'the widening statement for an identity sequence runs as written');
SELECT is((SELECT status FROM h WHERE table_name = 'ident_near'), 'ok',
          'after it the identity column is ok');

-- notes
CREATE SEQUENCE cached CACHE 20;
CREATE TABLE c20 (id bigint PRIMARY KEY DEFAULT nextval('cached'));
INSERT INTO c20 DEFAULT VALUES;
SELECT is((SELECT status || ' ' || coalesce(detail, 'NULL') FROM h WHERE table_name = 'c20'), 'ok NULL',
          'a CACHE 20 sequence in sync is ok, with no note: nothing to do');
INSERT INTO c20 VALUES (500);
SELECT matches((SELECT detail FROM h WHERE table_name = 'c20' AND status = 'out_of_sync'), 'CACHE 20',
               'out of sync, its detail notes CACHE 20, which bears on the repair');
CREATE SEQUENCE b8;
CREATE TABLE i4 (id int PRIMARY KEY DEFAULT nextval('b8'));
INSERT INTO i4 VALUES (7);
SELECT matches((SELECT detail FROM h WHERE table_name = 'i4' AND status = 'out_of_sync'), 'bigint.*integer',
               'an integer column fed by a bigint sequence, out of sync: a note naming both types');
CREATE TABLE noindex (id serial);
INSERT INTO noindex VALUES (3);
SELECT matches((SELECT detail FROM h WHERE table_name = 'noindex' AND status = 'out_of_sync'), 'scan',
               'a column without an index, out of sync: a note that the table was scanned');
INSERT INTO c20 VALUES (900);
SELECT matches((SELECT detail FROM h WHERE table_name = 'c20' AND status = 'out_of_sync'), 'fix_sequence.*CACHE 20',
               'an out_of_sync detail keeps the CACHE note after the repair statement');

SELECT * FROM finish();
ROLLBACK;
