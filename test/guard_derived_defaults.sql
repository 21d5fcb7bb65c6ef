-- A default that computes its value from nextval() (an offset, a multiple,
-- text) gives values that are not the sequence's: a plain default insert
-- into such a column never moves the sequence, never warns and never
-- fails, in any mode.  (The check and the repair: check_derived_defaults.sql.)
BEGIN;
SELECT plan(12);
LOAD 'seqguard';
SET LOCAL seqguard.mode = fix;

CREATE SCHEMA gdv;
CREATE SEQUENCE gdv.s1;
CREATE TABLE gdv.offset_ids (id bigint PRIMARY KEY DEFAULT nextval('gdv.s1') + 1000, v int);
CREATE SEQUENCE gdv.s2;
CREATE TABLE gdv.region_ids (id bigint PRIMARY KEY DEFAULT nextval('gdv.s2') * 10 + 1, v int);
CREATE SEQUENCE gdv.s3;
CREATE TABLE gdv.orders (number text PRIMARY KEY DEFAULT 'ORD-' || nextval('gdv.s3'), v int);
-- a serial whose default was changed to an offset of its own sequence
CREATE TABLE gdv.owned (id serial PRIMARY KEY, v int);
ALTER TABLE gdv.owned ALTER COLUMN id SET DEFAULT nextval('gdv.owned_id_seq') + 500;

INSERT INTO gdv.offset_ids (v) VALUES (1);
INSERT INTO gdv.offset_ids (v) VALUES (2);
INSERT INTO gdv.offset_ids (v) VALUES (3);
SELECT is(array_agg(id ORDER BY id), ARRAY[1001, 1002, 1003]::bigint[],
          'nextval() + 1000: three default inserts give 1001, 1002, 1003') FROM gdv.offset_ids;

INSERT INTO gdv.region_ids (v) SELECT g FROM generate_series(1, 20) g;
INSERT INTO gdv.region_ids (v) VALUES (21);
INSERT INTO gdv.region_ids (v) VALUES (22);
SELECT is(max(id), 221::bigint, 'nextval() * 10 + 1: 22 default inserts end at 221') FROM gdv.region_ids;
SELECT is((SELECT last_value FROM gdv.s2), 22::bigint, 'and the sequence has handed out 22 values');

INSERT INTO gdv.orders (v) VALUES (1);
INSERT INTO gdv.orders (v) VALUES (2);
SELECT is(array_agg(number ORDER BY number), ARRAY['ORD-1', 'ORD-2'],
          '''ORD-'' || nextval(): ORD-1, ORD-2') FROM gdv.orders;

INSERT INTO gdv.owned (v) VALUES (1);
INSERT INTO gdv.owned (v) VALUES (2);
SELECT is(array_agg(id ORDER BY id), ARRAY[501, 502],
          'a serial column with an offset default: 501, 502') FROM gdv.owned;

-- warn mode: no WARNING on a default insert (a WARNING would be an
-- error here)
SET LOCAL seqguard.mode = warn;
SET LOCAL client_min_messages = warning;
CREATE FUNCTION pg_temp.no_warning(stmt text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE stmt;
  RETURN 'ok';
END $$;
SET LOCAL client_min_messages = error;
SELECT is(pg_temp.no_warning($$INSERT INTO gdv.orders (v) VALUES (3)$$), 'ok', '(warn mode, text default)');

-- error mode: default inserts pass
SET LOCAL seqguard.mode = error;
SELECT lives_ok($$INSERT INTO gdv.offset_ids (v) VALUES (4)$$, 'error mode: nextval() + 1000 default insert passes');
SELECT lives_ok($$INSERT INTO gdv.region_ids (v) VALUES (4)$$, 'error mode: nextval() * 10 + 1 default insert passes');
SELECT lives_ok($$INSERT INTO gdv.orders (v) VALUES (4)$$, 'error mode: text default insert passes');
SELECT lives_ok($$INSERT INTO gdv.owned (v) VALUES (4)$$, 'error mode: offset default on a serial column passes');
SELECT lives_ok($$INSERT INTO gdv.offset_ids (id, v) VALUES (5000, 5)$$,
                'error mode: an explicit id into such a column is not judged against the sequence');
SELECT is((SELECT last_value FROM gdv.s1), 4::bigint, 'the sequence has handed out exactly the four default values');

SELECT * FROM finish();
ROLLBACK;
