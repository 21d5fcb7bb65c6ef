-- Columns whose default computes a value from nextval() (an offset, a
-- multiple, text) hold values that are not the sequence's: the check lists
-- them as skipped and says why, and the repair does not judge the sequence
-- by them, also when the sequence also feeds an ordinary column.
BEGIN;
SELECT plan(9);
SET LOCAL seqguard.mode = off;

CREATE SCHEMA cdv;
CREATE SEQUENCE cdv.s1;
CREATE TABLE cdv.offset_ids (id bigint PRIMARY KEY DEFAULT nextval('cdv.s1') + 1000);
INSERT INTO cdv.offset_ids DEFAULT VALUES;
INSERT INTO cdv.offset_ids DEFAULT VALUES;
CREATE SEQUENCE cdv.s3;
CREATE TABLE cdv.orders (number text PRIMARY KEY DEFAULT 'ORD-' || nextval('cdv.s3'));
INSERT INTO cdv.orders DEFAULT VALUES;
-- one sequence feeding an ordinary column and an offset one
CREATE SEQUENCE cdv.shared;
CREATE TABLE cdv.plain (id bigint PRIMARY KEY DEFAULT nextval('cdv.shared'));
CREATE TABLE cdv.shifted (id bigint PRIMARY KEY DEFAULT nextval('cdv.shared') + 100000);
INSERT INTO cdv.plain VALUES (50);
INSERT INTO cdv.shifted DEFAULT VALUES;
-- an owned column whose default is an offset of its own sequence
CREATE TABLE cdv.owned (id serial PRIMARY KEY);
ALTER TABLE cdv.owned ALTER COLUMN id SET DEFAULT nextval('cdv.owned_id_seq') + 500;
INSERT INTO cdv.owned DEFAULT VALUES;

SELECT is((SELECT status FROM check_sequence_health(ARRAY['cdv']) WHERE table_name = 'offset_ids'),
          'skipped', 'nextval() + 1000: skipped');
SELECT matches((SELECT detail FROM check_sequence_health(ARRAY['cdv']) WHERE table_name = 'offset_ids'),
               'computes its values from nextval', 'and the detail says why');
SELECT is((SELECT status FROM check_sequence_health(ARRAY['cdv']) WHERE table_name = 'orders'),
          'skipped', '''ORD-'' || nextval(): skipped');
SELECT is((SELECT status FROM check_sequence_health(ARRAY['cdv']) WHERE table_name = 'owned'),
          'skipped', 'an owned column with an offset default: skipped');
SELECT is((SELECT status FROM check_sequence_health(ARRAY['cdv']) WHERE table_name = 'plain'),
          'out_of_sync', 'the ordinary column of the shared sequence is judged');
SELECT is((SELECT array_agg(sequence_name || ' ' || action || ' ' || new_next_value ORDER BY sequence_name)
             FROM fix_all_sequences(schemas => ARRAY['cdv'])),
          ARRAY['shared advanced 51'],
          'the repair moves the shared sequence past the ordinary column only, and leaves the others');
SELECT is((SELECT last_value FROM cdv.s1), 2::bigint, 'the offset column''s sequence is not moved');
SELECT throws_ok($$SELECT * FROM fix_sequence('cdv.offset_ids')$$, '22023', NULL,
                 'fix_sequence() on a table with only such a column: no sequence-fed column to repair');
SELECT lives_ok($$SELECT assert_sequences_healthy(ARRAY['cdv'])$$, 'the assertion passes');

SELECT * FROM finish();
ROLLBACK;
