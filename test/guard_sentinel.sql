-- One statement's values never move a sequence to within a margin of the
-- end of its usable range ([lo, hi]: MINVALUE/MAXVALUE narrowed by the
-- column type).  The move is refused when the new next value would be
-- past hi - margin, margin = max((hi - lo) / 1000, 1000), mirrored for
-- descending sequences; the WARNING (2200H) is in sql/guard_warnings.sql.
-- Later default inserts keep working.
BEGIN;
SELECT plan(16);
LOAD 'seqguard';
SET LOCAL seqguard.mode = fix;

\ir lib/next_value.sql

CREATE SCHEMA gsent;

-- integer serial: hi = 2147483647, margin = 2147483
CREATE TABLE gsent.i (id serial PRIMARY KEY, v int);
SELECT lives_ok($$INSERT INTO gsent.i (id) VALUES (2147483646)$$, '(a sentinel just below the top of integer)');
SELECT is(pg_temp.next_value('gsent.i_id_seq'), 1::numeric, 'the sequence is not moved to the sentinel');
SELECT lives_ok($$INSERT INTO gsent.i (v) VALUES (1), (2)$$, 'and later default inserts keep working');
SELECT lives_ok($$INSERT INTO gsent.i (id) VALUES (2147000000)$$, '(an id inside the margin)');
SELECT is(pg_temp.next_value('gsent.i_id_seq'), 3::numeric, 'the sequence is not moved into the margin');

-- the same in a transaction that is rolled back
CREATE TABLE gsent.r (id serial PRIMARY KEY);
SAVEPOINT before_sentinel;
INSERT INTO gsent.r (id) VALUES (2147483646);
ROLLBACK TO SAVEPOINT before_sentinel;
SELECT is(pg_temp.next_value('gsent.r_id_seq'), 1::numeric,
          'a sentinel written in a rolled-back transaction leaves the sequence where it was');
SELECT lives_ok($$INSERT INTO gsent.r DEFAULT VALUES; INSERT INTO gsent.r DEFAULT VALUES$$,
                'and default inserts keep working');

-- outside the margin: moved
CREATE TABLE gsent.far (id serial PRIMARY KEY);
INSERT INTO gsent.far VALUES (2000000000);
SELECT is(pg_temp.next_value('gsent.far_id_seq'), 2000000001::numeric, 'an id outside the margin moves the sequence');

-- smallint: hi = 32767, margin = 1000
CREATE TABLE gsent.s1 (id smallserial PRIMARY KEY);
INSERT INTO gsent.s1 VALUES (31767);
SELECT is(pg_temp.next_value('gsent.s1_id_seq'), 31768::numeric, 'smallint: 31767 moves the sequence');
CREATE TABLE gsent.s2 (id smallserial PRIMARY KEY);
INSERT INTO gsent.s2 VALUES (31768);
SELECT is(pg_temp.next_value('gsent.s2_id_seq'), 1::numeric, 'smallint: 31768 does not');

-- the sequence's own MAXVALUE narrows the range: hi = 100000, margin = 1000
CREATE SEQUENCE gsent.capped MAXVALUE 100000;
CREATE TABLE gsent.c (id bigint PRIMARY KEY DEFAULT nextval('gsent.capped'));
INSERT INTO gsent.c VALUES (98000);
SELECT is(pg_temp.next_value('gsent.capped'), 98001::numeric, 'MAXVALUE 100000: 98000 moves the sequence');
INSERT INTO gsent.c VALUES (99500);
SELECT is(pg_temp.next_value('gsent.capped'), 98001::numeric, 'MAXVALUE 100000: 99500 does not');

-- bigint: the last values of the type
CREATE TABLE gsent.b (id bigserial PRIMARY KEY);
INSERT INTO gsent.b VALUES (9223372036854775806);
SELECT is(pg_temp.next_value('gsent.b_id_seq'), 1::numeric, 'bigint: a sentinel near the top does not move the sequence');

-- descending, on integer: lo = -2147483648, hi = -1, margin = 2147483
CREATE SEQUENCE gsent.down INCREMENT -1;
CREATE TABLE gsent.d (id int PRIMARY KEY DEFAULT nextval('gsent.down'));
INSERT INTO gsent.d VALUES (-2000000000);
SELECT is(pg_temp.next_value('gsent.down'), -2000000001::numeric, 'descending: an id outside the margin moves the sequence');
INSERT INTO gsent.d VALUES (-2147483000);
SELECT is(pg_temp.next_value('gsent.down'), -2000000001::numeric, 'descending: an id inside the margin does not');
SELECT lives_ok($$INSERT INTO gsent.d DEFAULT VALUES$$, 'and default inserts keep working');

SELECT * FROM finish();
ROLLBACK;
