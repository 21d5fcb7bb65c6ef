-- fix_all_sequences(dry_run => true) reports what the real run then does:
-- the same sequences, numbers and details, would_advance for advanced and
-- would_reset for reset, across edge sequences (both directions, steps of
-- 2, 50 and -3, START other than 1, limits at the type's edge, CYCLE,
-- values at and one step short of the limits, empty tables, sequences
-- ahead of their data), with and without allow_backward.
BEGIN;
SELECT plan(12);

CREATE SCHEMA fde;
SET LOCAL search_path = fde, public;
SET LOCAL seqguard.mode = off;	-- explicit ids below must stay where they are put

-- one table per case, fed by the sequence <case>_seq
CREATE FUNCTION fde.make(name text, seq_options text, coltype text, vals text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('CREATE SEQUENCE fde.%I %s', name || '_seq', seq_options);
  EXECUTE format('CREATE TABLE fde.%I (id %s DEFAULT nextval(%L))', name, coltype, 'fde.' || name || '_seq');
  IF vals IS NOT NULL THEN
    EXECUTE format('INSERT INTO fde.%I VALUES %s', name, vals);
  END IF;
END $$;

-- what the next nextval() returns, without calling it (NULL: it fails)
CREATE FUNCTION fde.next_of(seq name) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE r record;
BEGIN
  EXECUTE format('SELECT last_value, is_called FROM fde.%I', seq) INTO r;
  IF NOT r.is_called THEN RETURN r.last_value; END IF;
  RETURN (SELECT CASE WHEN r.last_value + increment_by BETWEEN min_value AND max_value THEN r.last_value + increment_by
                      WHEN cycle THEN CASE WHEN increment_by > 0 THEN min_value ELSE max_value END END
            FROM pg_sequences WHERE schemaname = 'fde' AND sequencename = seq);
END $$;

-- behind their data
SELECT FROM make('up1', '', 'bigint', '(100)');
SELECT FROM make('even', 'START 2 INCREMENT 2', 'bigint', '(17)');
SELECT FROM make('pool50', 'INCREMENT 50', 'bigint', '(1234)');
SELECT FROM make('down3', 'INCREMENT -3 START -1 MAXVALUE -1', 'bigint', '(-20)');
SELECT FROM make('down1', 'INCREMENT -1', 'integer', '(-100)');
SELECT FROM make('start1000', 'START 1000', 'integer', '(2000)');
SELECT FROM make('notcalled', '', 'bigint', '(50)');
SELECT FROM setval('notcalled_seq', 50, false);
-- at the limits and one step short of them
SELECT FROM make('grid_top', 'START 0 MINVALUE -9223372036854775808', 'bigint', '(9223372036854775807)');
SELECT FROM make('grid_bottom', 'INCREMENT -1 START 0 MINVALUE -9223372036854775808 MAXVALUE 9223372036854775807',
            'bigint', '(-9223372036854775808)');
SELECT FROM make('int_at', 'AS integer', 'integer', '(2147483647)');
SELECT FROM make('int_below', 'AS integer', 'integer', '(2147483646)');
SELECT FROM make('int_start0', 'AS integer START 0 MINVALUE -2147483648', 'integer', '(2147483647)');
SELECT FROM make('small_at', 'AS smallint', 'smallint', '(32767)');
SELECT FROM make('small_below', 'AS smallint', 'smallint', '(32766)');
SELECT FROM make('small_down_at', 'AS smallint INCREMENT -1', 'smallint', '(-32768)');
SELECT FROM make('big_at', '', 'bigint', '(9223372036854775807)');
SELECT FROM make('big_below', '', 'bigint', '(9223372036854775806)');
SELECT FROM make('big_on_int', '', 'integer', '(2147483646)');
SELECT FROM make('odd_below', 'INCREMENT 2', 'bigint', '(9223372036854775806)');
SELECT FROM make('odd_at', 'INCREMENT 2', 'bigint', '(9223372036854775807)');
SELECT FROM make('pool_below', 'INCREMENT 50', 'bigint', '(9223372036854775800)');
SELECT FROM make('pool_at', 'INCREMENT 50', 'bigint', '(9223372036854775801)');
SELECT FROM make('down_below', 'INCREMENT -1', 'bigint', '(-9223372036854775807)');
SELECT FROM make('down_at', 'INCREMENT -1', 'bigint', '(-9223372036854775808)');
SELECT FROM make('down3_at', 'INCREMENT -3 START -1 MAXVALUE -1', 'bigint', '(-9223372036854775807)');
-- Values in the last 1/1000 of a sequence's usable range are sentinels
-- while the sequence itself is not there yet: so that those at the limits
-- count as ids, each of their sequences is first moved near its end, a few
-- steps behind the value (not onto its grid: the repair keeps START's).
SELECT count(setval(s, v)) > 0 AS moved_near_end FROM (VALUES
  ('grid_top_seq', 9223372036854775797), ('grid_bottom_seq', -9223372036854775798),
  ('int_at_seq', 2147483637), ('int_below_seq', 2147483636), ('int_start0_seq', 2147483637),
  ('small_at_seq', 32757), ('small_below_seq', 32756), ('small_down_at_seq', -32758),
  ('big_at_seq', 9223372036854775797), ('big_below_seq', 9223372036854775796),
  ('big_on_int_seq', 2147483636), ('odd_below_seq', 9223372036854775786),
  ('odd_at_seq', 9223372036854775787), ('pool_below_seq', 9223372036854775300),
  ('pool_at_seq', 9223372036854775301), ('down_below_seq', -9223372036854775797),
  ('down_at_seq', -9223372036854775798), ('down3_at_seq', -9223372036854775777)) AS x(s, v) \gset
-- CYCLE
SELECT FROM make('cycle_at', 'MAXVALUE 1000 CYCLE', 'bigint', '(1000)');
SELECT FROM make('cycle_below', 'MAXVALUE 1000 CYCLE', 'bigint', '(999)');
SELECT FROM make('cycle_down', 'INCREMENT -1 MINVALUE -1000 MAXVALUE -1 CYCLE', 'bigint', '(-999)');
-- run out: the next nextval() fails
SELECT FROM make('spent', 'MAXVALUE 10', 'bigint', '(5)');
SELECT FROM setval('spent_seq', 10);
-- empty tables
SELECT FROM make('empty_fresh', '', 'bigint', NULL);
SELECT FROM make('empty_moved', 'START 100', 'bigint', NULL);
SELECT FROM setval('empty_moved_seq', 5000);
SELECT FROM make('empty_down', 'INCREMENT -1 START -5', 'bigint', NULL);
SELECT FROM setval('empty_down_seq', -5000);
-- ahead of their data
SELECT FROM make('ahead', '', 'bigint', '(10)');
SELECT FROM setval('ahead_seq', 1000);
SELECT FROM make('ahead_even', 'START 2 INCREMENT 2', 'bigint', '(17)');
SELECT FROM setval('ahead_even_seq', 1000);
SELECT FROM make('ahead_down', 'INCREMENT -1', 'bigint', '(-10)');
SELECT FROM setval('ahead_down_seq', -1000);
SELECT FROM make('ahead_start', 'START 1000', 'bigint', '(5)');
SELECT FROM setval('ahead_start_seq', 3000);

CREATE TEMP TABLE dry AS SELECT * FROM fix_all_sequences() WITH NO DATA;
CREATE TEMP TABLE real AS SELECT * FROM fix_all_sequences() WITH NO DATA;
CREATE TEMP TABLE dry_back AS SELECT * FROM fix_all_sequences() WITH NO DATA;
CREATE TEMP TABLE real_back AS SELECT * FROM fix_all_sequences() WITH NO DATA;

-- the case from the report: START 0, MINVALUE -2^63, 2^63 - 1 in the column
INSERT INTO dry SELECT * FROM fix_all_sequences(true, ARRAY['fde']);
INSERT INTO real SELECT * FROM fix_all_sequences(false, ARRAY['fde']);
SELECT is((SELECT action FROM dry WHERE sequence_name = 'grid_top_seq'), 'skipped',
          'dry run: a sequence with no value past 9223372036854775807 on its grid is skipped');
SELECT is((SELECT action FROM real WHERE sequence_name = 'grid_top_seq'), 'skipped',
          'the real run skips it too');
SELECT is((SELECT ROW(old_next_value, new_next_value, detail)::text FROM dry WHERE sequence_name = 'grid_top_seq'),
          (SELECT ROW(old_next_value, new_next_value, detail)::text FROM real WHERE sequence_name = 'grid_top_seq'),
          'with the same numbers and detail');
SELECT is((SELECT last_value || ' ' || is_called FROM grid_top_seq), '9223372036854775797 true', 'and it is not moved');

-- forward only
SELECT results_eq(
  $$SELECT sequence_name, old_next_value, new_next_value,
           replace(replace(action, 'would_advance', 'advanced'), 'would_reset', 'reset'), detail
      FROM dry ORDER BY sequence_name$$,
  $$SELECT sequence_name, old_next_value, new_next_value, action, detail
      FROM real ORDER BY sequence_name$$,
  'without allow_backward, the dry run and the real run report the same rows');
SELECT ok((SELECT bool_and(action IN ('would_advance', 'skipped')) AND count(*) FILTER (WHERE action = 'skipped') >= 10
             FROM dry),
          '(the dry run has rows to compare: at least ten skipped)');
SELECT ok((SELECT count(*) >= 10 FROM dry WHERE action = 'would_advance'),
          '(and at least ten sequences behind their data with room to move)');

-- allow_backward, after the forward-only run
INSERT INTO dry_back SELECT * FROM fix_all_sequences(true, ARRAY['fde'], allow_backward => true);
INSERT INTO real_back SELECT * FROM fix_all_sequences(false, ARRAY['fde'], allow_backward => true);
SELECT results_eq(
  $$SELECT sequence_name, old_next_value, new_next_value,
           replace(replace(action, 'would_advance', 'advanced'), 'would_reset', 'reset'), detail
      FROM dry_back ORDER BY sequence_name$$,
  $$SELECT sequence_name, old_next_value, new_next_value, action, detail
      FROM real_back ORDER BY sequence_name$$,
  'with allow_backward, the dry run and the real run report the same rows');
SELECT ok((SELECT count(*) FILTER (WHERE action = 'would_reset') >= 6 FROM dry_back),
          '(the dry run with allow_backward has resets to compare)');

-- what the real runs reported is where the sequences are
SELECT is_empty($$SELECT sequence_name FROM real_back r
                   WHERE r.action <> 'skipped' AND r.new_next_value IS DISTINCT FROM fde.next_of(r.sequence_name)$$,
                'each sequence the run with allow_backward moved is where it said');
SELECT is((SELECT count(*) FROM fix_all_sequences(true, ARRAY['fde'], allow_backward => true) WHERE action <> 'skipped'),
          0::bigint, 'after both runs, a dry run has nothing left to do');
SELECT is((SELECT count(*) FROM fix_all_sequences(true, ARRAY['fde'])), (SELECT count(*) FROM real WHERE action = 'skipped'),
          'and reports again just the sequences it skipped');

SELECT * FROM finish();
ROLLBACK;
