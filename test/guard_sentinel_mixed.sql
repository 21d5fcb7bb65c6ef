-- A statement that writes a sentinel (a value within the guard's margin at
-- the end of the range, such as 2147483647 for "unknown") beside ordinary
-- ids still moves the sequence past the ordinary ids; so does one that
-- writes ordinary ids into a table that already holds a sentinel.  The
-- repair and the check judge such a column by its ordinary values too, so
-- that a repaired column is not reported out of sync, and the next default
-- insert succeeds.
BEGIN;
SELECT plan(18);
LOAD 'seqguard';
SET LOCAL seqguard.mode = fix;

\ir lib/next_value.sql

CREATE SCHEMA gsm;

-- one INSERT: an ordinary id and a sentinel
CREATE TABLE gsm.a (id serial PRIMARY KEY, v text);
INSERT INTO gsm.a VALUES (500, 'x'), (2147483647, 'unknown');
SELECT is(pg_temp.next_value('gsm.a_id_seq'), 501::numeric,
          'INSERT of 500 and 2147483647: the sequence moves past 500');
SELECT lives_ok($$INSERT INTO gsm.a (v) VALUES ('next')$$, 'and the next default insert succeeds');

-- COPY whose last row is a sentinel
CREATE TABLE gsm.c (id serial PRIMARY KEY, v text);
COPY gsm.c FROM STDIN;
10	a
700	b
2147483647	unknown
\.
SELECT is(pg_temp.next_value('gsm.c_id_seq'), 701::numeric,
          'COPY of 10, 700 and 2147483647: the sequence moves past 700');

-- a sentinel already in the table; later statements write ordinary ids
CREATE TABLE gsm.t (id serial PRIMARY KEY, v text);
INSERT INTO gsm.t VALUES (2147483647, 'unknown');
SELECT is(pg_temp.next_value('gsm.t_id_seq'), 1::numeric, '(a sentinel alone does not move the sequence)');
SET LOCAL seqguard.mode = off;
INSERT INTO gsm.t VALUES (800, 'written while the guard was off');
SET LOCAL seqguard.mode = fix;
INSERT INTO gsm.t VALUES (300, 'y');
SELECT is(pg_temp.next_value('gsm.t_id_seq'), 801::numeric,
          'beside a sentinel row, fix mode catches up past every ordinary row');

-- the same, descending, on integer (the sentinel is near -2147483648)
CREATE SEQUENCE gsm.down INCREMENT -1;
CREATE TABLE gsm.d (id int PRIMARY KEY DEFAULT nextval('gsm.down'));
INSERT INTO gsm.d VALUES (-40), (-2147483648);
SELECT is(pg_temp.next_value('gsm.down'), -41::numeric, 'descending: the sequence moves past -40');

-- the repair and the check, on a table left behind with a sentinel in it
SET LOCAL seqguard.mode = off;
CREATE TABLE gsm.r (id serial PRIMARY KEY, v text);
INSERT INTO gsm.r VALUES (1), (2), (900), (2147483647);
SET LOCAL seqguard.mode = fix;
SELECT is((SELECT status FROM check_sequence_health(ARRAY['gsm']) WHERE table_name = 'r'),
          'out_of_sync', 'check: behind its ordinary ids, out_of_sync');
SELECT is((SELECT max_id FROM check_sequence_health(ARRAY['gsm']) WHERE table_name = 'r'),
          2147483647::bigint, 'check: max_id is still the largest value');
SELECT matches((SELECT detail FROM check_sequence_health(ARRAY['gsm']) WHERE table_name = 'r'),
               'largest value 900 ', 'check: the detail names the largest ordinary value');
SELECT is((SELECT action || ' ' || new_next_value FROM fix_sequence('gsm.r')),
          'advanced 901', 'fix_sequence() moves the sequence past the ordinary ids');
SELECT is(pg_temp.next_value('gsm.r_id_seq'), 901::numeric, '(next value 901)');
SELECT is((SELECT status FROM check_sequence_health(ARRAY['gsm']) WHERE table_name = 'r'),
          'ok', 'check after the repair: ok');
SELECT matches((SELECT detail FROM check_sequence_health(ARRAY['gsm']) WHERE table_name = 'r'),
               '2147483647.*sentinel', 'check: the detail notes the sentinel');
SELECT cmp_ok((SELECT capacity_used FROM check_sequence_health(ARRAY['gsm']) WHERE table_name = 'r'),
              '<', 0.001::float8, 'check: the sentinel does not count as used capacity');
SELECT lives_ok($$SELECT assert_sequences_healthy(ARRAY['gsm'])$$, 'the assertion passes after the repair');
SELECT lives_ok($$INSERT INTO gsm.r (v) VALUES ('next')$$, 'and the next default insert succeeds');
SELECT is((SELECT count(*)::int FROM fix_all_sequences(schemas => ARRAY['gsm'])), 0,
          'a second repair has nothing to do');

-- a sequence that is itself within the margin is judged by every value
SET LOCAL seqguard.mode = off;
CREATE TABLE gsm.e (id serial PRIMARY KEY);
SELECT setval('gsm.e_id_seq', 2147483000);
INSERT INTO gsm.e VALUES (2147483500);
SELECT is((SELECT status FROM check_sequence_health(ARRAY['gsm']) WHERE table_name = 'e'),
          'out_of_sync', 'a sequence already inside the margin, behind a value there: out_of_sync');

SELECT * FROM finish();
ROLLBACK;
