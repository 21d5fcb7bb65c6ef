-- A role with no right on a sequence (no SELECT, USAGE or UPDATE, no USAGE
-- on its schema) must not learn its position from the guard.  Any role may
-- create a temporary table whose default calls nextval() on the sequence
-- by its OID; if the guard's verdict on an explicit id written there
-- depended on whether the id is at or past the sequence's next value, a
-- few dozen rolled-back inserts would reveal that value exactly.  Here the
-- outcome (in error mode: fails or not) must be the same for an id just
-- below and one at the hidden next value.
BEGIN;
SELECT plan(3);
LOAD 'seqguard';
SET LOCAL seqguard.mode = error;

CREATE SCHEMA gph;
CREATE TABLE gph.orders (id bigserial PRIMARY KEY);
INSERT INTO gph.orders SELECT FROM generate_series(1, 4321);
CREATE ROLE seqguard_outsider;
SELECT ok(NOT has_sequence_privilege('seqguard_outsider', 'gph.orders_id_seq', 'SELECT,USAGE,UPDATE')
          AND NOT has_schema_privilege('seqguard_outsider', 'gph', 'USAGE'),
          '(the role has no right on the sequence or its schema)');

-- the outcome of inserting v into the role's temporary table, rolled back
CREATE FUNCTION pg_temp.outcome(v bigint) RETURNS text LANGUAGE plpgsql AS $$
DECLARE st text;
BEGIN
  SET LOCAL ROLE seqguard_outsider;
  BEGIN
    EXECUTE 'INSERT INTO pg_temp.outsider_probe VALUES ($1)' USING v;
    RAISE EXCEPTION USING ERRCODE = 'SGRBK';
  EXCEPTION WHEN SQLSTATE 'SGRBK' THEN
    st := 'accepted';
  WHEN OTHERS THEN
    st := 'failed ' || SQLSTATE;
  END;
  RESET ROLE;
  RETURN st;
END $$;
SET LOCAL ROLE seqguard_outsider;
SELECT format('CREATE TEMP TABLE outsider_probe (id bigint DEFAULT nextval(%L::regclass))', c.oid)
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = 'gph' AND c.relname = 'orders_id_seq' \gexec
RESET ROLE;

SELECT is(pg_temp.outcome(4322), pg_temp.outcome(4321),
          'an id at the hidden next value is treated as one just below it');
SELECT is(pg_temp.outcome(1000000), pg_temp.outcome(10),
          'an id far past the hidden next value is treated as one far below it');

SELECT * FROM finish();
ROLLBACK;
