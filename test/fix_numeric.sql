-- fix_all_sequences() judges a sequence by every column it feeds, whatever
-- its type: a numeric column's largest value counts (rounded away from the
-- sequence's direction when it is not an integer), and a numeric value no
-- bigint can pass makes it skip the sequence, naming the column.  The
-- check judges numeric columns the same way.
BEGIN;
SELECT plan(27);

CREATE SCHEMA fnum;
SET LOCAL search_path = fnum, public;
SET LOCAL seqguard.mode = off;	-- explicit ids below must stay where they are put

-- one sequence, an integer table at 100 and a numeric table at 500 (and
-- 101, where a sequence moved past the integer column alone would collide)
CREATE SEQUENCE shared_seq;
CREATE TABLE ints (id integer PRIMARY KEY DEFAULT nextval('shared_seq'));
CREATE TABLE nums (id numeric PRIMARY KEY DEFAULT nextval('shared_seq'));
INSERT INTO ints VALUES (100);
INSERT INTO nums VALUES (101), (500);

-- the same with a value that is not an integer, and without an index
CREATE SEQUENCE frac_seq;
CREATE TABLE frac_ints (id integer PRIMARY KEY DEFAULT nextval('frac_seq'));
CREATE TABLE frac_nums (id numeric DEFAULT nextval('frac_seq'));
INSERT INTO frac_ints VALUES (100);
INSERT INTO frac_nums VALUES (500.5), (17);

-- the same, descending
CREATE SEQUENCE down_seq INCREMENT -1;
CREATE TABLE down_ints (id integer PRIMARY KEY DEFAULT nextval('down_seq'));
CREATE TABLE down_nums (id numeric(12, 2) PRIMARY KEY DEFAULT nextval('down_seq'));
INSERT INTO down_ints VALUES (-100);
INSERT INTO down_nums VALUES (-101), (-500.5);

-- odd ids: START 1 INCREMENT 2, the first odd value past 501.5 is 503
CREATE SEQUENCE odd_seq START 1 INCREMENT 2;
CREATE TABLE odd_ints (id integer PRIMARY KEY DEFAULT nextval('odd_seq'));
CREATE TABLE odd_nums (id numeric PRIMARY KEY DEFAULT nextval('odd_seq'));
INSERT INTO odd_ints VALUES (101);
INSERT INTO odd_nums VALUES (501.5);

-- a numeric column alone
CREATE SEQUENCE lone_seq;
CREATE TABLE lone_nums (id numeric(20) PRIMARY KEY DEFAULT nextval('lone_seq'));
INSERT INTO lone_nums VALUES (1), (300);

-- a numeric value beyond bigint: nothing can be moved past it
CREATE SEQUENCE huge_seq;
CREATE TABLE huge_ints (id integer PRIMARY KEY DEFAULT nextval('huge_seq'));
CREATE TABLE huge_nums (id numeric PRIMARY KEY DEFAULT nextval('huge_seq'));
INSERT INTO huge_ints VALUES (100);
INSERT INTO huge_nums VALUES (1e20);

-- NaN sorts above every number in a numeric index
CREATE SEQUENCE nan_seq;
CREATE TABLE nan_ints (id integer PRIMARY KEY DEFAULT nextval('nan_seq'));
CREATE TABLE nan_nums (id numeric PRIMARY KEY DEFAULT nextval('nan_seq'));
INSERT INTO nan_ints VALUES (100);
INSERT INTO nan_nums VALUES (500), ('NaN');

-- the check judges numeric columns as the repair does
CREATE TEMP TABLE h AS SELECT * FROM check_sequence_health(ARRAY['fnum']);
SELECT is((SELECT status FROM h WHERE table_name = 'nums'), 'out_of_sync',
          'check_sequence_health() reports the numeric column at 500 out_of_sync');
SELECT is((SELECT max_id FROM h WHERE table_name = 'nums'), 500::bigint,
          'with 500 as its largest value');
SELECT is((SELECT status || ' ' || max_id FROM h WHERE table_name = 'ints'), 'out_of_sync 100',
          'the integer column sharing the sequence is judged');

-- the dry run, then the fix
CREATE TEMP TABLE dry AS SELECT * FROM fix_all_sequences(true, ARRAY['fnum']);
CREATE TEMP TABLE r AS SELECT * FROM fix_all_sequences() WITH NO DATA;
SELECT lives_ok($$INSERT INTO r SELECT * FROM fix_all_sequences(false, ARRAY['fnum'])$$,
                'fix_all_sequences() completes over integer, numeric, NaN and out-of-range values');

SELECT is((SELECT action || ' ' || new_next_value FROM r WHERE sequence_name = 'shared_seq'), 'advanced 501',
          'a sequence shared by an integer column at 100 and a numeric column at 500 is advanced past 500');
SELECT is((SELECT action || ' ' || new_next_value FROM dry WHERE sequence_name = 'shared_seq'), 'would_advance 501',
          'the dry run says the same');
SELECT matches((SELECT detail FROM r WHERE sequence_name = 'shared_seq'), 'largest value .* is 500',
               'the detail gives 500 as the largest value');
SELECT lives_ok('INSERT INTO fnum.nums DEFAULT VALUES',
                'the next insert into the numeric table does not collide');
SELECT is((SELECT max(id) FROM nums), 501::numeric, '(it got 501)');

SELECT is((SELECT action || ' ' || new_next_value FROM r WHERE sequence_name = 'frac_seq'), 'advanced 501',
          '500.5 in a numeric column without an index moves the sequence to 501');
SELECT is(nextval('frac_seq'), 501::bigint, 'and nextval() returns 501');

SELECT is((SELECT action || ' ' || new_next_value FROM r WHERE sequence_name = 'down_seq'), 'advanced -501',
          'descending: -500.5 moves the sequence down to -501');
SELECT lives_ok('INSERT INTO fnum.down_nums DEFAULT VALUES',
                'and the next insert into the numeric table does not collide');

SELECT is((SELECT action || ' ' || new_next_value FROM r WHERE sequence_name = 'odd_seq'), 'advanced 503',
          'START 1 INCREMENT 2 past 501.5 gives 503: odd ids stay odd');

SELECT is((SELECT action || ' ' || new_next_value FROM r WHERE sequence_name = 'lone_seq'), 'advanced 301',
          'a sequence that feeds only a numeric column is advanced past its values');
SELECT lives_ok('INSERT INTO fnum.lone_nums DEFAULT VALUES',
                'and the next insert into it does not collide');

SELECT is((SELECT action FROM r WHERE sequence_name = 'huge_seq'), 'skipped',
          'a numeric value beyond bigint makes the fix skip the sequence');
SELECT is((SELECT action FROM dry WHERE sequence_name = 'huge_seq'), 'skipped',
          'the dry run too');
SELECT matches((SELECT split_part(detail, ' Covers ', 1) FROM r WHERE sequence_name = 'huge_seq'), 'huge_nums',
               'the reason given names the numeric column');
SELECT ok((SELECT old_next_value IS NULL AND new_next_value IS NULL FROM r WHERE sequence_name = 'huge_seq'),
          'a skipped sequence shows no numbers');
SELECT is((SELECT last_value || ' ' || is_called FROM huge_seq), '1 false',
          'and is not moved, not even past the integer column');

SELECT is((SELECT action || ' ' || new_next_value FROM r WHERE sequence_name = 'nan_seq'), 'advanced 501',
          'NaN in the numeric column is passed over: advanced past the largest number, 500');
SELECT is((SELECT action || ' ' || new_next_value FROM dry WHERE sequence_name = 'nan_seq'), 'would_advance 501',
          'the dry run says the same');

-- every row of the dry run is the row of the real run
SELECT is((SELECT count(*) FROM dry), (SELECT count(*) FROM r), 'the dry run reports as many sequences as the fix');
SELECT is_empty($$SELECT sequence_name, old_next_value, new_next_value, replace(action, 'would_advance', 'advanced'), detail FROM dry
                  EXCEPT SELECT sequence_name, old_next_value, new_next_value, action, detail FROM r$$,
                'and the same numbers and details');

-- a second run has nothing left to do but the skipped ones
SELECT is((SELECT string_agg(sequence_name, ',' ORDER BY sequence_name) FROM fix_all_sequences(false, ARRAY['fnum'])
            WHERE action <> 'skipped'), NULL,
          'a second run moves nothing');
SELECT is((SELECT status FROM check_sequence_health(ARRAY['fnum']) WHERE table_name = 'nums'), 'ok',
          'after the fix, the check reports the numeric column ok');

SELECT * FROM finish();
ROLLBACK;
