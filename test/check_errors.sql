-- check_sequence_health() and assert_sequences_healthy(): bad input is an
-- ERROR with a fitting SQLSTATE and a message naming the problem, raised
-- before anything is reported; good edge values are accepted.
BEGIN;
SELECT plan(26);

CREATE SCHEMA ce;
CREATE TABLE ce.t (id serial PRIMARY KEY);
INSERT INTO ce.t DEFAULT VALUES;

-- schemas
SELECT throws_ok($$SELECT * FROM check_sequence_health(ARRAY['ce_nope'])$$, '3F000',
                 'schema "ce_nope" does not exist', 'an unknown schema is an error naming it');
SELECT throws_ok($$SELECT * FROM check_sequence_health(ARRAY['ce', 'ce_nope'])$$, '3F000',
                 'schema "ce_nope" does not exist', 'one unknown schema among known ones is an error, not a partial answer');
SELECT throws_ok($$SELECT * FROM check_sequence_health(ARRAY['ce', NULL])$$, '22004', NULL,
                 'a NULL element in schemas is an error');
SELECT throws_ok($$SELECT * FROM check_sequence_health(ARRAY[ARRAY['ce'], ARRAY['ce']]::name[])$$, '2202E', NULL,
                 'a two-dimensional schemas array is an error');
CREATE FUNCTION pg_temp.empty_schemas() RETURNS text LANGUAGE plpgsql AS $$
DECLARE n bigint;
BEGIN
  SELECT count(*) INTO n FROM check_sequence_health(ARRAY[]::name[]);
  RETURN n || ' rows';
EXCEPTION WHEN invalid_parameter_value THEN
  RETURN 'error';
END $$;
SELECT ok(pg_temp.empty_schemas() IN ('error', '0 rows'),
          'an empty schemas array never means every schema: an error or no rows');
SELECT lives_ok($$SELECT * FROM check_sequence_health(NULL, NULL)$$, 'NULL schemas and NULL threshold are the defaults');
SELECT is((SELECT count(*) FROM check_sequence_health(NULL) WHERE table_schema = 'ce'), 1::bigint,
          'NULL schemas covers every schema');

-- exhaustion_threshold out of (0, 1]
SELECT throws_ok($$SELECT * FROM check_sequence_health(ARRAY['ce'], 0)$$, '22023', NULL, 'threshold 0 is an error');
SELECT throws_ok($$SELECT * FROM check_sequence_health(ARRAY['ce'], -1)$$, '22023', NULL, 'threshold -1 is an error');
SELECT throws_ok($$SELECT * FROM check_sequence_health(ARRAY['ce'], 1.5)$$, '22023', NULL, 'threshold 1.5 is an error');
SELECT throws_ok($$SELECT * FROM check_sequence_health(ARRAY['ce'], 1.0000001)$$, '22023', NULL,
                 'threshold just above 1 is an error');
SELECT throws_ok($$SELECT * FROM check_sequence_health(ARRAY['ce'], 'NaN')$$, '22023', NULL, 'threshold NaN is an error');
SELECT throws_ok($$SELECT * FROM check_sequence_health(ARRAY['ce'], 'Infinity')$$, '22023', NULL,
                 'threshold Infinity is an error');
SELECT throws_ok($$SELECT * FROM check_sequence_health(ARRAY['ce'], '-Infinity')$$, '22023', NULL,
                 'threshold -Infinity is an error');
SELECT throws_like($$SELECT * FROM check_sequence_health(ARRAY['ce'], 2)$$, '%exhaustion_threshold%',
                   'the message names the argument');
SELECT lives_ok($$SELECT * FROM check_sequence_health(ARRAY['ce'], 1)$$, 'threshold 1 is accepted');
SELECT lives_ok($$SELECT * FROM check_sequence_health(ARRAY['ce'], 1e-300)$$, 'a tiny positive threshold is accepted');
SELECT is((SELECT status FROM check_sequence_health(ARRAY['ce'], 1e-300)), 'near_exhaustion',
          '(and with it one used value of 2147483647 is near_exhaustion)');

-- the setting
SELECT throws_ok($$SET LOCAL seqguard.exhaustion_threshold = 0$$, '22023', NULL, 'the setting cannot be 0');
SELECT throws_ok($$SET LOCAL seqguard.exhaustion_threshold = 1.5$$, '22023', NULL, 'the setting cannot be 1.5');
SELECT throws_ok($$SET LOCAL seqguard.exhaustion_threshold = 'NaN'$$, '22023', NULL, 'the setting cannot be NaN');
SELECT throws_ok($$SET LOCAL seqguard.exhaustion_threshold = 'lots'$$, '22023', NULL, 'the setting must be a number');
SELECT is(current_setting('seqguard.exhaustion_threshold'), '0.9', 'after the failed attempts it is still 0.9');

-- assert_sequences_healthy() checks its argument the same way
SELECT throws_ok($$SELECT assert_sequences_healthy(ARRAY['ce_nope'])$$, '3F000',
                 'schema "ce_nope" does not exist', 'assert: an unknown schema is an error naming it');
SELECT throws_ok($$SELECT assert_sequences_healthy(ARRAY[NULL]::name[])$$, '22004', NULL,
                 'assert: a NULL element is an error');
SELECT throws_ok($$SELECT assert_sequences_healthy(ARRAY[ARRAY['ce'], ARRAY['ce']]::name[])$$, '2202E', NULL,
                 'assert: a two-dimensional array is an error');

SELECT * FROM finish();
ROLLBACK;
