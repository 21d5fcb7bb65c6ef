-- fix_all_sequences() and fix_sequence(): one assertion per rule.
BEGIN;
SELECT plan(21);
SET LOCAL seqguard.mode = off;	-- lagging rows are made on purpose

CREATE SCHEMA rc;
CREATE SCHEMA rc_other;
SET LOCAL search_path = rc, public;

-- even ids keep their parity; a descending step of -3 keeps its grid
CREATE SEQUENCE even_seq START 2 INCREMENT 2;
CREATE TABLE even (id bigint PRIMARY KEY DEFAULT nextval('even_seq'));
INSERT INTO even VALUES (17);
CREATE SEQUENCE down3_seq INCREMENT -3 START -1 MAXVALUE -1;
CREATE TABLE down3 (id bigint PRIMARY KEY DEFAULT nextval('down3_seq'));
INSERT INTO down3 VALUES (-20);
-- a sequence shared across schemas
CREATE SEQUENCE rc.shared_seq;
CREATE TABLE rc.here (id bigint PRIMARY KEY DEFAULT nextval('rc.shared_seq'));
CREATE TABLE rc_other.there (id bigint PRIMARY KEY DEFAULT nextval('rc.shared_seq'));
INSERT INTO rc.here VALUES (10);
INSERT INTO rc_other.there VALUES (500);
-- two sequence-fed columns in one table
CREATE TABLE two (id serial PRIMARY KEY, ticket bigint);
CREATE SEQUENCE ticket_seq OWNED BY two.ticket;
INSERT INTO two VALUES (30, 700);
-- the sequence's own MAXVALUE stops it
CREATE SEQUENCE capped_seq MAXVALUE 100;
CREATE TABLE capped (id bigint PRIMARY KEY DEFAULT nextval('capped_seq'));
INSERT INTO capped VALUES (100);
-- (within the last tenth of so small a range, 100 would be a sentinel
-- while the sequence is not there itself)
SELECT FROM setval('capped_seq', 95);
-- empty with START 100, moved away
CREATE SEQUENCE start_seq START 100;
CREATE TABLE started (id bigint DEFAULT nextval('start_seq'));
SELECT FROM setval('start_seq', 5000);

CREATE TEMP TABLE r AS SELECT * FROM fix_all_sequences(schemas => ARRAY['rc']);

SELECT is((SELECT new_next_value FROM r WHERE sequence_name = 'even_seq'), 18::bigint,
          'START 2 INCREMENT 2 past 17 gives 18: even ids stay even');
SELECT is(nextval('even_seq'), 18::bigint, 'and nextval() returns it');
SELECT is((SELECT new_next_value FROM r WHERE sequence_name = 'down3_seq'), -22::bigint,
          'INCREMENT -3 from -1 past -20 gives -22 (-1 - 7 * 3)');
SELECT is((SELECT new_next_value FROM r WHERE sequence_name = 'shared_seq'), 501::bigint,
          'a shared sequence is judged against a table outside the chosen schemas too');
SELECT ok((SELECT detail LIKE '%rc_other.there.id%' FROM r WHERE sequence_name = 'shared_seq'),
          'and the detail names every column it covers');
SELECT is((SELECT action FROM r WHERE sequence_name = 'capped_seq'), 'skipped',
          'a sequence at its MAXVALUE is skipped');
SELECT ok((SELECT detail LIKE '%below the limit 100%' AND old_next_value IS NULL FROM r WHERE sequence_name = 'capped_seq'),
          'and the detail gives the limit');
SELECT is((SELECT last_value FROM capped_seq), 95::bigint, 'and it is not moved');
SELECT is((SELECT count(*) FROM r WHERE sequence_name = 'start_seq'), 0::bigint,
          'a sequence ahead of an empty table is left alone by default');
SELECT is((SELECT count(*) FROM fix_all_sequences(schemas => ARRAY['rc']) WHERE action <> 'skipped'), 0::bigint,
          'a second run has nothing to do');

-- fix_sequence() with a column
INSERT INTO two VALUES (31, 900);
SELECT is((SELECT string_agg(sequence_name || ':' || new_next_value, ',') FROM fix_sequence('two', 'ticket')),
          'ticket_seq:901', 'fix_sequence(tbl, column) fixes only that column''s sequence');
INSERT INTO two VALUES (40, 950);
SELECT is((SELECT string_agg(sequence_name || ':' || new_next_value, ',' ORDER BY sequence_name) FROM fix_sequence('two')),
          'ticket_seq:951,two_id_seq:41', 'fix_sequence(tbl) fixes every sequence of the table');
SELECT is((SELECT new_next_value FROM fix_sequence('rc_other.there', dry_run => true)), NULL::bigint,
          'a table whose sequence is in order gives no row');

-- allow_backward
SELECT is((SELECT action || ':' || new_next_value FROM fix_all_sequences(schemas => ARRAY['rc'], allow_backward => true)
            WHERE sequence_name = 'start_seq'), 'reset:100', 'allow_backward resets an empty table''s sequence to START');
SELECT is(nextval('start_seq'), 100::bigint, 'so nextval() returns START');
SELECT FROM setval('even_seq', 1000);
SELECT is((SELECT action || ':' || new_next_value FROM fix_sequence('even', allow_backward => true)), 'reset:18',
          'allow_backward brings a sequence ahead of its data back to just past it, on its grid');

-- dry runs report what a run does, and change nothing
INSERT INTO here VALUES (800);
SELECT is((SELECT old_next_value || '->' || new_next_value || ':' || action FROM fix_sequence('here', dry_run => true)),
          '501->801:would_advance', 'a dry run reports the move');
SELECT is((SELECT last_value FROM shared_seq), 501::bigint, 'without making it');
SELECT is((SELECT old_next_value || '->' || new_next_value || ':' || action FROM fix_sequence('here')),
          '501->801:advanced', 'the real run reports the same numbers');

-- an error changes nothing
INSERT INTO here VALUES (900);
SELECT throws_ok($$SELECT * FROM fix_all_sequences(schemas => ARRAY['rc', 'no_such'])$$, '3F000', NULL,
                 'an unknown schema is an error');
SELECT is((SELECT last_value FROM shared_seq), 801::bigint, 'raised before any sequence was moved');

SELECT * FROM finish();
ROLLBACK;
