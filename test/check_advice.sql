-- Every piece of advice in a detail is a complete, runnable next step:
-- where the repair cannot move a sequence far enough (MAXVALUE, or the
-- column type's limit), the check does not send the user to a repair that
-- would be skipped, and neither detail leaves a "..." to fill in.  Running
-- the statements a detail gives ("Repair with: ...") repairs the column.
-- The note on a sequence and column of different types appears only where
-- the column type is the limit that applies.
BEGIN;
SELECT plan(14);
SET LOCAL seqguard.mode = off;

-- run the statements after "Repair with: " in a detail
\ir lib/advice.sql
CREATE FUNCTION pg_temp.run_advice(detail text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE stmts text := substring(detail from 'Repair with: (.*;)');
BEGIN
  IF stmts IS NULL THEN RETURN 'no advice'; END IF;
  PERFORM pg_temp.run_statements(stmts);
  RETURN 'ok';
END $$;

CREATE SCHEMA gca;
-- MAXVALUE 10 on an integer column: the limit comes from MAXVALUE
CREATE SEQUENCE gca.capped MAXVALUE 10;
CREATE TABLE gca.c (id int PRIMARY KEY DEFAULT nextval('gca.capped'));
INSERT INTO gca.c SELECT g FROM generate_series(1, 10) g;
SELECT setval('gca.capped', 5);

SELECT is((SELECT status FROM check_sequence_health(ARRAY['gca']) WHERE table_name = 'c'), 'out_of_sync',
          'MAXVALUE 10, rows up to 10: out_of_sync');
SELECT doesnt_match((SELECT detail FROM check_sequence_health(ARRAY['gca']) WHERE table_name = 'c'),
                    'bigint but the column is integer',
                    'no note on the types, whose limit does not apply');
SELECT doesnt_match((SELECT detail FROM check_sequence_health(ARRAY['gca']) WHERE table_name = 'c'),
                    '\.\.\.', 'the check''s detail has nothing to fill in');
SELECT is((SELECT action FROM fix_sequence('gca.c', dry_run => true)), 'skipped',
          '(the repair alone cannot move it)');
SELECT doesnt_match((SELECT detail FROM fix_sequence('gca.c', dry_run => true)), '\.\.\.',
                    'the repair''s detail has nothing to fill in');
SELECT is(pg_temp.run_advice((SELECT detail FROM check_sequence_health(ARRAY['gca']) WHERE table_name = 'c')), 'ok',
          'the check''s advice runs');
SELECT is((SELECT status FROM check_sequence_health(ARRAY['gca']) WHERE table_name = 'c'), 'ok',
          'and leaves the column ok');

-- smallserial whose sequence is near the type's limit, and a row at it
CREATE TABLE gca.s (id smallserial PRIMARY KEY);
SELECT setval('gca.s_id_seq', 32000);
INSERT INTO gca.s VALUES (32767);
SELECT is((SELECT status FROM check_sequence_health(ARRAY['gca']) WHERE table_name = 's'), 'out_of_sync',
          'smallint at its limit: out_of_sync');
SELECT is((SELECT action FROM fix_sequence('gca.s', dry_run => true)), 'skipped',
          '(the repair alone cannot move it)');
SELECT matches((SELECT detail FROM fix_sequence('gca.s', dry_run => true)),
               'the steps of SELECT \* FROM public\.widening_plan\(''gca\.s'', ''id''\); SELECT \* FROM public\.fix_sequence\(''gca\.s'', ''id''\);',
               'the repair''s detail gives the plan that widens the column and its sequence, then the repair');
SELECT is(pg_temp.run_advice((SELECT detail FROM fix_sequence('gca.s', dry_run => true))), 'ok',
          'the repair''s advice runs');
SELECT is((SELECT status FROM check_sequence_health(ARRAY['gca']) WHERE table_name = 's'), 'ok',
          'and leaves the column ok');
SELECT lives_ok($$INSERT INTO gca.s DEFAULT VALUES$$, 'and the next default insert succeeds');

-- the note does appear where the column's type is the limit, beside a problem
CREATE SEQUENCE gca.nseq;
CREATE TABLE gca.n (id int PRIMARY KEY DEFAULT nextval('gca.nseq'));
INSERT INTO gca.n VALUES (50);
SELECT matches((SELECT detail FROM check_sequence_health(ARRAY['gca']) WHERE table_name = 'n'),
               'The sequence is bigint but the column is integer', 'the note on the types, where it applies');

SELECT * FROM finish();
ROLLBACK;
