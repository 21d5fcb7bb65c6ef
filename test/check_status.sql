-- check_sequence_health(): the numbers and the status for sequences of
-- every shape (direction, step, limits, is_called, CYCLE), exhaustion
-- against the smaller of the sequence's and the column type's limits,
-- the threshold, and which status wins when several apply.
BEGIN;
SELECT plan(48);

CREATE SCHEMA cs;
SET LOCAL search_path = cs, public;
SET LOCAL seqguard.mode = off;	-- explicit ids below must stay where they are put

CREATE TEMP VIEW h AS SELECT * FROM check_sequence_health(ARRAY['cs']);
CREATE FUNCTION cs.st(t name, thr float8 DEFAULT NULL) RETURNS text LANGUAGE sql AS
$$ SELECT status FROM check_sequence_health(ARRAY['cs'], thr) WHERE table_name = t $$;

-- an empty table with a fresh serial
CREATE TABLE empty_t (id serial PRIMARY KEY);
SELECT is((SELECT ROW(max_id, sequence_value, next_value, capacity_used, status, detail)::text FROM h WHERE table_name = 'empty_t'),
          ROW(NULL::bigint, 1::bigint, 1::bigint, 0::float8, 'ok', NULL::text)::text,
          'empty table: no max_id, next value 1, nothing used, ok, no detail');

-- in sync, then an explicit id equal to the next value, then repaired
CREATE TABLE b (id serial PRIMARY KEY);
INSERT INTO b DEFAULT VALUES; INSERT INTO b DEFAULT VALUES; INSERT INTO b DEFAULT VALUES;
SELECT is((SELECT max_id || ' ' || sequence_value || ' ' || next_value || ' ' || status FROM h WHERE table_name = 'b'),
          '3 3 4 ok', 'three ids drawn from the sequence: max 3, last 3, next 4, ok');
INSERT INTO b VALUES (4);
SELECT is(st('b'), 'out_of_sync', 'next value equal to max_id is out_of_sync');
SELECT throws_ok('INSERT INTO cs.b DEFAULT VALUES', '23505', NULL,
                 '(and indeed the next insert collides)');
SELECT FROM setval('b_id_seq', 4);
SELECT is(st('b'), 'ok', 'next value one past max_id is ok');

-- a sequence stepping by 10 from 5
CREATE SEQUENCE s10 INCREMENT 10 START 5;
CREATE TABLE t10 (id int DEFAULT nextval('s10'));
INSERT INTO t10 DEFAULT VALUES; INSERT INTO t10 DEFAULT VALUES; INSERT INTO t10 DEFAULT VALUES;
SELECT is((SELECT max_id || ' ' || sequence_value || ' ' || next_value FROM h WHERE table_name = 't10'),
          '25 25 35', 'increment 10: next value is last_value + 10');
INSERT INTO t10 VALUES (34);
SELECT is(st('t10'), 'ok', 'a value between the steps below the next value is ok');
INSERT INTO t10 VALUES (35);
SELECT is(st('t10'), 'out_of_sync', 'a value equal to the next step is out_of_sync');

-- is_called = false: the next nextval() returns last_value itself
CREATE TABLE nc (id bigint PRIMARY KEY);
CREATE SEQUENCE nc_seq OWNED BY nc.id;
INSERT INTO nc VALUES (99);
SELECT FROM setval('nc_seq', 100, false);
SELECT is((SELECT sequence_value || ' ' || next_value || ' ' || status FROM h WHERE table_name = 'nc'),
          '100 100 ok', 'setval(s, 100, false): next value 100, above 99, ok');
INSERT INTO nc VALUES (100);
SELECT is(st('nc'), 'out_of_sync', 'setval(s, 100, false) with 100 in the table: out_of_sync');
SELECT FROM setval('nc_seq', 100, true);
SELECT is((SELECT next_value || ' ' || status FROM h WHERE table_name = 'nc'),
          '101 ok', 'setval(s, 100, true): next value 101, ok');
SELECT is((SELECT sequence_value FROM h WHERE table_name = 'nc'), (SELECT last_value FROM nc_seq),
          'sequence_value is the sequence''s last_value');

-- descending
CREATE SEQUENCE dseq INCREMENT -1;
CREATE TABLE dt (id bigint DEFAULT nextval('dseq'));
INSERT INTO dt DEFAULT VALUES; INSERT INTO dt DEFAULT VALUES; INSERT INTO dt DEFAULT VALUES;
SELECT is((SELECT max_id || ' ' || next_value || ' ' || status FROM h WHERE table_name = 'dt'),
          '-3 -4 ok', 'descending: max_id is the smallest value, next is one below, ok');
INSERT INTO dt VALUES (-10), (5);
SELECT is((SELECT max_id || ' ' || status FROM h WHERE table_name = 'dt'),
          '-10 out_of_sync', 'descending: a smaller explicit id makes it out_of_sync (a larger one does not count)');
SELECT FROM setval('dseq', -10, false);
SELECT is(st('dt'), 'out_of_sync', 'descending: next value equal to the smallest is out_of_sync');
SELECT FROM setval('dseq', -11, false);
SELECT is((SELECT next_value || ' ' || status FROM h WHERE table_name = 'dt'),
          '-11 ok', 'descending: next value below the smallest is ok');

-- MINVALUE, MAXVALUE and START away from the defaults
CREATE SEQUENCE r AS integer MINVALUE 1000 MAXVALUE 5000 START 1000;
CREATE TABLE rt (id int DEFAULT nextval('r'));
SELECT is((SELECT next_value || ' ' || capacity_used || ' ' || status FROM h WHERE table_name = 'rt'),
          '1000 0 ok', 'fresh sequence starting at MINVALUE 1000: next 1000, nothing used');
SELECT FROM setval('r', 4700);
-- the usable range is 1000..5000, 4001 values, of which 1000..4700 are used
SELECT is(round((SELECT capacity_used FROM h WHERE table_name = 'rt')::numeric, 9),
          round(3701 / 4001.0, 9), 'capacity_used counts from MINVALUE to MAXVALUE');
SELECT is(st('rt'), 'near_exhaustion', '92.5% used is near_exhaustion at the default threshold 0.9');
SELECT is(st('rt', 0.93), 'ok', '... and ok at threshold 0.93');
SELECT FROM setval('r', 5000);
SELECT is((SELECT coalesce(next_value::text, 'NULL') || ' ' || sequence_value || ' ' || status FROM h WHERE table_name = 'rt'),
          'NULL 5000 exhausted', 'at MAXVALUE: next value NULL, exhausted');
SELECT throws_ok($$SELECT nextval('cs.r')$$, '2200H', NULL, '(and indeed nextval() fails)');
SELECT is(st('rt', 1), 'exhausted', 'exhausted beats near_exhaustion, whatever the threshold');

-- exhausted by the column's type before the sequence's own limit
CREATE SEQUENCE big AS bigint;
CREATE TABLE tb (id int DEFAULT nextval('big'));
SELECT FROM setval('big', 2147483646);
SELECT is((SELECT next_value || ' ' || status FROM h WHERE table_name = 'tb'),
          '2147483647 near_exhaustion', 'bigint sequence, integer column: 2147483647 still fits');
SELECT FROM setval('big', 2147483647);
SELECT is((SELECT next_value || ' ' || status FROM h WHERE table_name = 'tb'),
          '2147483648 exhausted', 'bigint sequence at 2147483647 feeding integer: exhausted, nextval itself would work');
SELECT is((SELECT capacity_used FROM h WHERE table_name = 'tb'), 1::float8,
          'capacity_used is measured against the integer column, not the bigint sequence');
SELECT throws_ok('INSERT INTO cs.tb DEFAULT VALUES', '22003', NULL, '(and indeed the insert fails)');
CREATE SEQUENCE i4 AS integer;
CREATE TABLE ts (id smallint DEFAULT nextval('i4'));
SELECT FROM setval('i4', 32767);
SELECT is(st('ts'), 'exhausted', 'integer sequence at 32767 feeding smallint: exhausted');

-- a serial at the end of its integer sequence
CREATE TABLE full_t (id serial);
SELECT FROM setval('full_t_id_seq', 2147483647);
SELECT is((SELECT coalesce(next_value::text, 'NULL') || ' ' || status FROM h WHERE table_name = 'full_t'),
          'NULL exhausted', 'serial at 2147483647: next value NULL, exhausted');
SELECT FROM setval('full_t_id_seq', 2147483647, false);
SELECT is((SELECT next_value || ' ' || status FROM h WHERE table_name = 'full_t'),
          '2147483647 near_exhaustion', 'setval(s, 2147483647, false): one value left, not exhausted');

-- a cycling sequence at its end wraps into values already used
CREATE SEQUENCE cy MAXVALUE 10 CYCLE;
CREATE TABLE cyt (id int PRIMARY KEY DEFAULT nextval('cy'));
INSERT INTO cyt SELECT FROM generate_series(1, 10);
SELECT is((SELECT next_value || ' ' || status FROM h WHERE table_name = 'cyt'),
          '1 out_of_sync', 'CYCLE at MAXVALUE: next value wraps to 1, out_of_sync');

-- status precedence: out_of_sync over near_exhaustion
CREATE SEQUENCE p MAXVALUE 100;
CREATE TABLE pt (id int DEFAULT nextval('p'));
SELECT FROM setval('p', 95);
INSERT INTO pt VALUES (99);
SELECT is((SELECT status || ' ' || capacity_used FROM h WHERE table_name = 'pt'),
          'out_of_sync 0.99', 'out_of_sync beats near_exhaustion; capacity_used counts max_id 99 of 100');

-- capacity_used against the smaller limit
CREATE TABLE half (id serial);
SELECT FROM setval('half_id_seq', 1073741823);
SELECT is((SELECT capacity_used FROM h WHERE table_name = 'half'), 1073741823 / 2147483647.0::float8,
          'a serial half way: capacity_used is last_value / 2147483647');
CREATE SEQUENCE halfbig;
CREATE TABLE halfb (id int DEFAULT nextval('halfbig'));
SELECT FROM setval('halfbig', 1073741823);
SELECT is((SELECT capacity_used FROM h WHERE table_name = 'halfb'), 1073741823 / 2147483647.0::float8,
          'a bigint sequence half way through an integer column''s range: the same share');
SELECT is((SELECT detail FROM h WHERE table_name = 'halfb'), NULL,
           'a healthy row has no detail, not even the type mismatch');

-- descending capacity
CREATE SEQUENCE dc INCREMENT -1 MINVALUE -100 MAXVALUE -1;
CREATE TABLE dct (id int DEFAULT nextval('dc'));
SELECT FROM setval('dc', -95);
SELECT is((SELECT capacity_used || ' ' || status FROM h WHERE table_name = 'dct'),
          '0.95 near_exhaustion', 'descending: 95 of -1..-100 used, near_exhaustion');
CREATE SEQUENCE dcs INCREMENT -1;
CREATE TABLE dcst (id smallint DEFAULT nextval('dcs'));
SELECT FROM setval('dcs', -16384);
SELECT is((SELECT capacity_used FROM h WHERE table_name = 'dcst'), 0.5::float8,
          'descending bigint sequence into smallint: half of -1..-32768 used');
SELECT FROM setval('dcs', -32768);
SELECT is(st('dcst'), 'exhausted', 'descending bigint sequence at -32768 feeding smallint: exhausted');

-- the threshold: argument, setting, boundaries
CREATE SEQUENCE th MAXVALUE 100;
CREATE TABLE tht (id int DEFAULT nextval('th'));
SELECT FROM setval('th', 89);
SELECT is(st('tht'), 'ok', '89 of 100 used: ok at the default threshold');
SELECT FROM setval('th', 90);
SELECT is(st('tht'), 'near_exhaustion', '90 of 100 used: at the default threshold 0.9 is near_exhaustion');
SELECT is(current_setting('seqguard.exhaustion_threshold'), '0.9', 'the default setting is 0.9');
SELECT FROM setval('th', 50);
SELECT is(st('tht', 0.5), 'near_exhaustion', 'threshold argument 0.5: exactly half used is near_exhaustion');
SELECT is(st('tht', 0.51), 'ok', 'threshold argument 0.51: half used is ok');
SELECT is(st('tht', 1), 'ok', 'threshold 1 is accepted');
SET LOCAL seqguard.exhaustion_threshold = 0.5;
SELECT is(st('tht'), 'near_exhaustion', 'the setting 0.5 applies when no argument is given');
SELECT is(st('tht', 0.6), 'ok', 'an argument overrides the setting');
SELECT matches((SELECT detail FROM h WHERE table_name = 'tht'), '50\.0%',
               'the near_exhaustion detail gives the share used');
RESET seqguard.exhaustion_threshold;
SELECT is(st('tht'), 'ok', 'after RESET the default 0.9 applies again');

SELECT * FROM finish();
ROLLBACK;
