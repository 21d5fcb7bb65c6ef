-- Hostile arguments for every function: NULL in every argument, empty,
-- NULL-element, multi-dimensional and odd-bounded arrays, unknown schemas,
-- out-of-range thresholds.  Each bad call is an ERROR with a fitting
-- SQLSTATE, raised before anything changes; each good edge value gives the
-- answer the defaults give.
BEGIN;
SELECT plan(74);

SET LOCAL seqguard.mode = off;	-- the explicit ids below must stay where they are put
CREATE SCHEMA hx;
CREATE TABLE hx.t (id serial PRIMARY KEY);
INSERT INTO hx.t VALUES (100);	-- out of sync: the sequence still says 1
CREATE TABLE hx.u (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY);
INSERT INTO hx.u DEFAULT VALUES;	-- in order
CREATE TABLE public.hx_victim (x int);

-- the position of hx.t's sequence, to show that failed calls move nothing
CREATE FUNCTION pg_temp.t_seq() RETURNS text LANGUAGE sql AS
  $$SELECT last_value || '/' || is_called FROM hx.t_id_seq$$;
CREATE FUNCTION pg_temp.rows_of(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE r text;
BEGIN
  EXECUTE 'SELECT string_agg(x::text, '';'' ORDER BY x::text) FROM (' || q || ') x' INTO r;
  RETURN r;
END $$;

-- check_sequence_health(schemas, exhaustion_threshold): NULL means the default
SELECT is((SELECT status FROM check_sequence_health(NULL, NULL) WHERE table_schema = 'hx' AND table_name = 't'),
          'out_of_sync', 'check(NULL, NULL): every schema, default threshold');
SELECT is(pg_temp.rows_of('SELECT * FROM check_sequence_health(NULL::name[])'),
          pg_temp.rows_of('SELECT * FROM check_sequence_health()'), 'check(NULL) is check()');
SET LOCAL seqguard.exhaustion_threshold = 1e-12;
SELECT is((SELECT status FROM check_sequence_health(ARRAY['hx'], NULL) WHERE table_name = 'u'),
          'near_exhaustion', 'a NULL threshold takes seqguard.exhaustion_threshold');
SELECT is((SELECT status FROM check_sequence_health(ARRAY['hx'], 0.9) WHERE table_name = 'u'),
          'ok', 'an explicit threshold overrides the setting');
RESET seqguard.exhaustion_threshold;

-- assert_sequences_healthy(schemas)
SELECT throws_ok('SELECT assert_sequences_healthy(NULL)', '23000', NULL,
                 'assert(NULL) covers every schema, and fails on hx.t');
SELECT throws_ok('SELECT assert_sequences_healthy(NULL::name[])', '23000', NULL, 'assert(NULL::name[]) likewise');
SELECT lives_ok($$SELECT assert_sequences_healthy(ARRAY['pg_catalog'])$$, 'assert on a schema without sequence-fed columns returns');

-- fix_all_sequences(dry_run, schemas, allow_backward): NULL flags are errors
SELECT throws_ok('SELECT * FROM fix_all_sequences(NULL)', '22004', NULL, 'fix_all(dry_run NULL) is an error');
SELECT throws_ok('SELECT * FROM fix_all_sequences(NULL, NULL, NULL)', '22004', NULL, 'fix_all(NULL, NULL, NULL) is an error');
SELECT throws_ok('SELECT * FROM fix_all_sequences(false, NULL, NULL)', '22004', NULL,
                 'fix_all(allow_backward NULL) is an error');
SELECT throws_ok('SELECT * FROM fix_all_sequences(true, NULL, NULL)', '22004', NULL,
                 'fix_all(dry run, allow_backward NULL) is an error');
SELECT throws_ok('SELECT * FROM fix_all_sequences(allow_backward => NULL)', '22004', NULL,
                 'fix_all(allow_backward => NULL) is an error');
SELECT throws_like('SELECT * FROM fix_all_sequences(NULL)', '%dry_run%', 'the message names the argument');
SELECT is((SELECT action FROM fix_all_sequences(true, NULL) WHERE sequence_schema = 'hx'), 'would_advance',
          'fix_all(schemas NULL) covers every schema');

-- fix_sequence(tbl, column_name, dry_run, allow_backward)
SELECT throws_ok('SELECT * FROM fix_sequence(NULL)', '22004', NULL, 'fix_sequence(NULL) is an error');
SELECT throws_ok($$SELECT * FROM fix_sequence(NULL, 'id')$$, '22004', NULL, 'fix_sequence(NULL, column) is an error');
SELECT throws_ok('SELECT * FROM fix_sequence(NULL, NULL, NULL, NULL)', '22004', NULL,
                 'fix_sequence(NULL, NULL, NULL, NULL) is an error');
SELECT throws_ok($$SELECT * FROM fix_sequence('hx.t', 'id', NULL)$$, '22004', NULL,
                 'fix_sequence(dry_run NULL) is an error');
SELECT throws_ok($$SELECT * FROM fix_sequence('hx.t', 'id', false, NULL)$$, '22004', NULL,
                 'fix_sequence(allow_backward NULL) is an error');
SELECT throws_ok($$SELECT * FROM fix_sequence('hx.t', NULL, true, NULL)$$, '22004', NULL,
                 'fix_sequence(dry run, allow_backward NULL) is an error');
SELECT is((SELECT action FROM fix_sequence('hx.t', NULL, true)), 'would_advance',
          'fix_sequence(tbl, NULL) covers every column of the table');
SELECT is(pg_temp.t_seq(), '1/false', 'none of the calls above moved the sequence');

-- empty arrays: never "every schema"
SELECT throws_ok($$SELECT * FROM check_sequence_health('{}')$$, '22023', NULL, 'check: an empty schemas array is an error');
SELECT throws_ok($$SELECT assert_sequences_healthy('{}')$$, '22023', NULL, 'assert: an empty schemas array is an error');
SELECT throws_ok($$SELECT * FROM fix_all_sequences(false, '{}')$$, '22023', NULL, 'fix_all: an empty schemas array is an error');
SELECT throws_ok($$SELECT * FROM fix_all_sequences(true, ARRAY[]::name[])$$, '22023', NULL,
                 'fix_all dry run: an empty schemas array is an error');

-- NULL elements
SELECT throws_ok('SELECT * FROM check_sequence_health(ARRAY[NULL]::name[])', '22004', NULL,
                 'check: a schemas array of one NULL is an error');
SELECT throws_ok($$SELECT * FROM fix_all_sequences(false, ARRAY['hx', NULL])$$, '22004', NULL,
                 'fix_all: a NULL element after a good one is an error');
SELECT throws_ok($$SELECT * FROM fix_all_sequences(true, ARRAY[NULL, 'hx'])$$, '22004', NULL,
                 'fix_all dry run: a NULL element is an error');
SELECT throws_ok($$SELECT assert_sequences_healthy(ARRAY['hx', NULL])$$, '22004', NULL,
                 'assert: a NULL element is an error, before the 23000 hx.t would give');

-- more than one dimension
SELECT throws_ok($$SELECT * FROM check_sequence_health('{{hx}}')$$, '2202E', NULL,
                 'check: a 1x1 two-dimensional array is an error');
SELECT throws_ok($$SELECT * FROM fix_all_sequences(false, '{{hx,hx},{hx,hx}}')$$, '2202E', NULL,
                 'fix_all: a two-dimensional array is an error');
SELECT throws_ok($$SELECT * FROM fix_all_sequences(true, '{{{hx}}}')$$, '2202E', NULL,
                 'fix_all dry run: a three-dimensional array is an error');
SELECT throws_ok($$SELECT assert_sequences_healthy('{{hx},{hx}}')$$, '2202E', NULL,
                 'assert: a two-dimensional array is an error');

-- odd bounds and duplicates are still a list of names
SELECT is(pg_temp.rows_of($$SELECT * FROM check_sequence_health('[0:0]={hx}')$$),
          pg_temp.rows_of($$SELECT * FROM check_sequence_health(ARRAY['hx'])$$),
          'a schemas array with lower bound 0 is read like any other');
SELECT is(pg_temp.rows_of($$SELECT * FROM check_sequence_health('[-5:-3]={hx,hx,hx}')$$),
          pg_temp.rows_of($$SELECT * FROM check_sequence_health(ARRAY['hx'])$$),
          'a schema named three times gives each row once');
SELECT is((SELECT count(*) FROM fix_all_sequences(true, ARRAY['hx', 'hx', 'hx'])), 1::bigint,
          'fix_all with a schema named three times reports its sequence once');

-- unknown schemas, and names that are not identifiers
SELECT throws_ok($$SELECT * FROM fix_all_sequences(false, ARRAY['hx_nope'])$$, '3F000',
                 'schema "hx_nope" does not exist', 'fix_all: an unknown schema is an error naming it');
SELECT throws_ok($$SELECT * FROM fix_all_sequences(false, ARRAY['hx', 'hx_nope'])$$, '3F000', NULL,
                 'fix_all: an unknown schema after a known one is an error');
SELECT is(pg_temp.t_seq(), '1/false', 'and hx.t, in the known schema, was not moved');
SELECT throws_ok($$SELECT * FROM fix_all_sequences(true, ARRAY['hx_nope'])$$, '3F000', NULL,
                 'fix_all dry run: an unknown schema is an error');
SELECT throws_ok($$SELECT * FROM check_sequence_health(ARRAY[''])$$, '3F000', NULL,
                 'check: an empty schema name is an unknown schema');
SELECT throws_ok($$SELECT * FROM fix_all_sequences(false, ARRAY[' hx'])$$, '3F000', NULL,
                 'fix_all: a name with a leading space is another name');
SELECT throws_ok($$SELECT * FROM fix_all_sequences(false, ARRAY['HX'])$$, '3F000', NULL,
                 'fix_all: names are not folded to lower case');
SELECT throws_ok($$SELECT * FROM fix_all_sequences(false, ARRAY['"hx"'])$$, '3F000', NULL,
                 'fix_all: names are not parsed as quoted identifiers');
SELECT throws_ok($$SELECT * FROM fix_all_sequences(false, ARRAY['hx''); DROP TABLE public.hx_victim; --'])$$, '3F000', NULL,
                 'fix_all: a schema name full of SQL is an unknown schema');
SELECT throws_ok($$SELECT assert_sequences_healthy(ARRAY['hx_nope'])$$, '3F000', NULL,
                 'assert: an unknown schema is an error, not a pass');
SELECT has_table('public', 'hx_victim', 'no schema name was run as SQL');
SELECT is(pg_temp.t_seq(), '1/false', 'still nothing moved');
SELECT is(pg_temp.rows_of($$SELECT * FROM check_sequence_health(ARRAY['pg_catalog', 'information_schema', 'pg_toast'])$$),
          NULL, 'system schemas are known schemas without sequence-fed columns');

-- exhaustion_threshold outside (0, 1]
SELECT throws_ok($$SELECT * FROM check_sequence_health(ARRAY['hx'], 0)$$, '22023', NULL, 'threshold 0');
SELECT throws_ok($$SELECT * FROM check_sequence_health(ARRAY['hx'], '-0')$$, '22023', NULL, 'threshold -0');
SELECT throws_ok($$SELECT * FROM check_sequence_health(ARRAY['hx'], -1)$$, '22023', NULL, 'threshold -1');
SELECT throws_ok($$SELECT * FROM check_sequence_health(ARRAY['hx'], 2)$$, '22023', NULL, 'threshold 2');
SELECT throws_ok($$SELECT * FROM check_sequence_health(ARRAY['hx'], 1.0000000000000002)$$, '22023', NULL,
                 'threshold one ulp above 1');
SELECT throws_ok($$SELECT * FROM check_sequence_health(ARRAY['hx'], 'NaN')$$, '22023', NULL, 'threshold NaN');
SELECT throws_ok($$SELECT * FROM check_sequence_health(ARRAY['hx'], 'Infinity')$$, '22023', NULL, 'threshold Infinity');
SELECT throws_ok($$SELECT * FROM check_sequence_health(ARRAY['hx'], '-Infinity')$$, '22023', NULL, 'threshold -Infinity');
SELECT throws_ok($$SELECT * FROM check_sequence_health(NULL, 0)$$, '22023', NULL,
                 'threshold 0 with every schema is an error too');
SELECT throws_ok($$SELECT * FROM check_sequence_health(ARRAY['hx_nope'], 0.5)$$, '3F000', NULL,
                 'an unknown schema with a good threshold is the schema error');
SELECT is((SELECT status FROM check_sequence_health(ARRAY['hx'], 1) WHERE table_name = 'u'), 'ok', 'threshold 1 is accepted');
SELECT is((SELECT status FROM check_sequence_health(ARRAY['hx'], 5e-324) WHERE table_name = 'u'), 'near_exhaustion',
          'the smallest positive double is accepted, and one used value reaches it');
SELECT is((SELECT status FROM check_sequence_health(ARRAY['hx'], 5e-324) WHERE table_name = 't'), 'out_of_sync',
          'the most severe status still wins');

-- named arguments, in any order, with the same checks
SELECT throws_ok($$SELECT * FROM check_sequence_health(exhaustion_threshold => 'NaN', schemas => ARRAY['hx'])$$,
                 '22023', NULL, 'named threshold NaN');
SELECT throws_ok($$SELECT * FROM fix_sequence(dry_run => NULL, tbl => 'hx.t')$$, '22004', NULL,
                 'named dry_run NULL');
SELECT is((SELECT new_next_value FROM fix_sequence(column_name => 'id', tbl => 'hx.t', dry_run => true)), 101::bigint,
          'named arguments in another order');

-- a set-returning function called once per outer row (rescans)
SELECT is((SELECT string_agg(s || ':' || coalesce(n::text, '-'), ',' ORDER BY s)
             FROM unnest(ARRAY['hx', 'pg_catalog', 'hx']) s
             LEFT JOIN LATERAL (SELECT count(*) AS n FROM check_sequence_health(ARRAY[s::name])) c ON true),
          'hx:2,hx:2,pg_catalog:0', 'check in a lateral join gives each outer row its own answer');
SELECT throws_ok($$SELECT * FROM unnest(ARRAY['hx', 'hx_nope']) s, LATERAL check_sequence_health(ARRAY[s::name])$$,
                 '3F000', NULL, 'an unknown schema on a later outer row is still an error');
SELECT is((SELECT string_agg(a, ',') FROM (SELECT (fix_all_sequences(true, ARRAY['hx'])).action AS a) x),
          'would_advance', 'fix_all called in the select list');

-- and after all of that, a real repair works and a second one has nothing to do
SELECT is((SELECT action || ' ' || new_next_value FROM fix_all_sequences(false, ARRAY['hx'])), 'advanced 101',
          'the repair advances hx.t');
SELECT is((SELECT count(*) FROM fix_all_sequences(false, ARRAY['hx'])), 0::bigint, 'a second repair returns no row');
SELECT lives_ok($$SELECT assert_sequences_healthy(ARRAY['hx'])$$, 'and assert passes');
SELECT is((SELECT count(*) FROM check_sequence_health(ARRAY['hx']) WHERE status <> 'ok'), 0::bigint,
          'every column of hx is ok');
SELECT is(pg_temp.t_seq(), '101/false', 'the sequence moved only once, to 101');

SELECT * FROM finish();
ROLLBACK;
