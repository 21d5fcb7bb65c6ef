-- check_sequence_health(): the largest (smallest, descending) value is read
-- from a btree index that leads with the column, whatever its order and
-- NULL placement, and only with the rows the statement's snapshot sees;
-- indexes that cannot give the whole column's extreme (partial, expression,
-- other lead_id column, other access methods) are passed over and the
-- table is scanned, which the detail says.
BEGIN;
SELECT plan(27);

CREATE SCHEMA cpr;
SET LOCAL search_path = cpr, public;
SET LOCAL seqguard.mode = off;

CREATE TEMP VIEW h AS SELECT * FROM check_sequence_health(ARRAY['cpr']);
CREATE FUNCTION cpr.scanned(t name) RETURNS boolean LANGUAGE sql AS
$$ SELECT coalesce(detail LIKE '%scanned%', false) FROM check_sequence_health(ARRAY['cpr']) WHERE table_name = t $$;

-- every index order and NULL placement, for an ascending and a descending
-- sequence; the column holds NULLs at both ends of every such index
CREATE SEQUENCE up;
CREATE SEQUENCE down INCREMENT -1;
CREATE FUNCTION cpr.make(t text, seq text, idx text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('CREATE TABLE cpr.%I (id bigint DEFAULT nextval(%L), v text)', t, 'cpr.' || seq);
  EXECUTE format('CREATE INDEX ON cpr.%I %s', t, idx);
  EXECUTE format('INSERT INTO cpr.%I SELECT CASE WHEN g %% 7 = 0 THEN NULL ELSE g * %s END, ''x'' FROM generate_series(1, 2002) g',
                 t, CASE seq WHEN 'up' THEN 1 ELSE -1 END);
END $$;
SELECT make('a_asc', 'up', '(id)');
SELECT make('a_desc', 'up', '(id DESC)');
SELECT make('a_asc_nf', 'up', '(id NULLS FIRST)');
SELECT make('a_desc_nl', 'up', '(id DESC NULLS LAST)');
SELECT make('d_asc', 'down', '(id)');
SELECT make('d_desc', 'down', '(id DESC)');
SELECT make('d_asc_nf', 'down', '(id NULLS FIRST)');
SELECT make('d_desc_nl', 'down', '(id DESC NULLS LAST)');
-- 1..2002 with multiples of 7 (2002 among them) as NULL: the largest value is 2001
SELECT is((SELECT array_agg(table_name || ' ' || max_id ORDER BY table_name) FROM h WHERE table_name LIKE 'a\_%'),
          ARRAY['a_asc 2001', 'a_asc_nf 2001', 'a_desc 2001', 'a_desc_nl 2001'],
          'ascending sequence: the largest value, through indexes of every order and NULL placement');
SELECT is((SELECT array_agg(table_name || ' ' || max_id ORDER BY table_name) FROM h WHERE table_name LIKE 'd\_%'),
          ARRAY['d_asc -2001', 'd_asc_nf -2001', 'd_desc -2001', 'd_desc_nl -2001'],
          'descending sequence: the smallest value, through indexes of every order and NULL placement');
SELECT is((SELECT count(*) FROM h WHERE (table_name LIKE 'a\_%' OR table_name LIKE 'd\_%') AND scanned(table_name)),
          0::bigint, 'none of these tables is scanned: each has a usable index');
SELECT is((SELECT max_id FROM h WHERE table_name = 'a_asc'), (SELECT max(id) FROM a_asc),
          '(the same as max(id))');
SELECT is((SELECT max_id FROM h WHERE table_name = 'd_desc'), (SELECT min(id) FROM d_desc),
          '(the same as min(id))');

-- only NULLs, and no rows
CREATE TABLE allnull (id bigint DEFAULT nextval('up'));
CREATE INDEX ON allnull (id);
INSERT INTO allnull SELECT NULL FROM generate_series(1, 50);
SELECT is((SELECT coalesce(max_id::text, 'NULL') || ' ' || status FROM h WHERE table_name = 'allnull'), 'NULL ok',
          'an indexed column of NULLs only has no max_id and is ok');

-- indexes that cannot give the extreme are passed over
CREATE TABLE partial (id bigint DEFAULT nextval('up'));
CREATE INDEX ON partial (id) WHERE id < 100;
INSERT INTO partial VALUES (5), (50), (500);
SELECT is((SELECT max_id FROM h WHERE table_name = 'partial'), 500::bigint,
          'a partial index is ignored: the value outside its predicate is found');
SELECT ok(scanned('partial'), 'and the detail says the table was scanned');

CREATE TABLE expr (id bigint DEFAULT nextval('up'));
CREATE INDEX ON expr ((-id));
INSERT INTO expr VALUES (5), (700), (50);
SELECT is((SELECT max_id FROM h WHERE table_name = 'expr'), 700::bigint,
          'an expression index is ignored: the largest value is found');
SELECT ok(scanned('expr'), 'and the table was scanned');

CREATE TABLE second_k (k int, id bigint DEFAULT nextval('up'));
CREATE INDEX ON second_k (k, id);
INSERT INTO second_k VALUES (1, 800), (2, 8);
SELECT is((SELECT max_id FROM h WHERE table_name = 'second_k'), 800::bigint,
          'an index on (k, id) is not used for id: 800 under the smaller k is found');
SELECT ok(scanned('second_k'), 'and the table was scanned');

CREATE TABLE lead_id (id bigint DEFAULT nextval('up'), k int);
CREATE INDEX ON lead_id (id, k) INCLUDE (k);
INSERT INTO lead_id VALUES (900, 1), (9, 2);
SELECT is((SELECT max_id FROM h WHERE table_name = 'lead_id'), 900::bigint,
          'an index on (id, k) INCLUDE (k) gives the largest id');
SELECT ok(NOT scanned('lead_id'), 'without a scan');

CREATE TABLE hashed (id bigint DEFAULT nextval('up'));
CREATE INDEX ON hashed USING hash (id);
CREATE INDEX ON hashed USING brin (id);
INSERT INTO hashed VALUES (3), (333), (33);
SELECT is((SELECT max_id FROM h WHERE table_name = 'hashed'), 333::bigint,
          'hash and BRIN indexes are not used for the largest value');
SELECT ok(scanned('hashed'), 'the table was scanned');

CREATE TABLE small (id smallserial PRIMARY KEY);
INSERT INTO small VALUES (-5), (32000), (17);
SELECT is((SELECT max_id FROM h WHERE table_name = 'small'), 32000::bigint,
          'a smallint primary key gives its largest value');
SELECT ok(NOT scanned('small'), 'through its index');

-- only the rows the snapshot sees: deleted, updated and rolled-back rows
CREATE TABLE churn (id serial PRIMARY KEY, v int);
INSERT INTO churn (id) SELECT g FROM generate_series(1, 100) g;
DELETE FROM churn WHERE id > 90;
SELECT is((SELECT max_id FROM h WHERE table_name = 'churn'), 90::bigint,
          'deleted rows (still in the index) are not counted');
UPDATE churn SET id = 5000 WHERE id = 3;
SELECT is((SELECT max_id FROM h WHERE table_name = 'churn'), 5000::bigint,
          'an updated id is counted at its new value');
DELETE FROM churn WHERE id = 5000;
SAVEPOINT before_import;
INSERT INTO churn (id) VALUES (7777);
SELECT is((SELECT max_id FROM h WHERE table_name = 'churn'), 7777::bigint,
          'a row inserted by this transaction is seen');
ROLLBACK TO SAVEPOINT before_import;
SELECT is((SELECT max_id FROM h WHERE table_name = 'churn'), 90::bigint,
          'after ROLLBACK TO SAVEPOINT it is not');
SELECT FROM setval('churn_id_seq', 90);
SELECT is((SELECT status FROM h WHERE table_name = 'churn'), 'ok',
          'so a sequence at 90 is judged against 90, not the rolled-back 7777');

-- the answer agrees with max() on a larger table with an unordered index
CREATE TABLE big (id bigint DEFAULT nextval('up'), pad text);
INSERT INTO big SELECT (g * 7919) % 100003, repeat('p', 50) FROM generate_series(1, 20000) g;
CREATE INDEX ON big (id);
SELECT is((SELECT max_id FROM h WHERE table_name = 'big'), (SELECT max(id) FROM big),
          'max_id equals max(id) on 20,000 scattered values');
DROP INDEX big_id_idx;
SELECT is((SELECT max_id FROM h WHERE table_name = 'big'), (SELECT max(id) FROM big),
          'and still after its index is dropped');
SELECT ok(scanned('big'), 'when it is scanned');

-- a table with a primary key that leads with the column, used through the
-- repair statement: the check and max() agree after many nextval()s
CREATE TABLE busy (id serial PRIMARY KEY);
INSERT INTO busy SELECT FROM generate_series(1, 3000);
SELECT is((SELECT max_id || ' ' || next_value || ' ' || status FROM h WHERE table_name = 'busy'),
          (SELECT max(id) || ' ' || (max(id) + 1) || ' ok' FROM busy),
          'after 3,000 default inserts: max_id is the last id, next is one more, ok');

SELECT * FROM finish();
ROLLBACK;
