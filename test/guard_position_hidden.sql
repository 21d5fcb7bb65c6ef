-- A role with no right on a sequence (no SELECT, USAGE or UPDATE, no USAGE
-- on its schema) must not learn its position from the guard.  If the
-- guard's verdict on an explicit id depended on whether the id is at or
-- past the sequence's next value, a few dozen rolled-back inserts would
-- reveal that value exactly.
--   - Into a table of its own (any role may create a temporary table whose
--     default calls nextval() on the sequence by its OID): the table's
--     owner may not draw from the sequence, so the guard does not look at
--     it at all; every id is accepted and the sequence is not touched.
--   - Into a table it may write but whose sequence it may not use: in
--     error mode every id fails alike (42501), whatever its value.
BEGIN;
SELECT plan(9);
LOAD 'seqguard';
SET LOCAL seqguard.mode = error;

CREATE SCHEMA gph;
CREATE TABLE gph.orders (id bigserial PRIMARY KEY);
INSERT INTO gph.orders SELECT FROM generate_series(1, 4321);
CREATE SCHEMA gph_open;
CREATE TABLE gph_open.notes (id bigint PRIMARY KEY DEFAULT nextval('gph.orders_id_seq'));
CREATE ROLE seqguard_outsider;
GRANT USAGE ON SCHEMA gph_open TO seqguard_outsider;
GRANT INSERT ON gph_open.notes TO seqguard_outsider;
SELECT ok(NOT has_sequence_privilege('seqguard_outsider', 'gph.orders_id_seq', 'SELECT,USAGE,UPDATE')
          AND NOT has_schema_privilege('seqguard_outsider', 'gph', 'USAGE'),
          '(the role has no right on the sequence or its schema)');

-- the outcome of inserting v into a table as the role, rolled back
CREATE FUNCTION pg_temp.outcome(tbl text, v bigint) RETURNS text LANGUAGE plpgsql AS $$
DECLARE st text;
BEGIN
  SET LOCAL ROLE seqguard_outsider;
  BEGIN
    EXECUTE format('INSERT INTO %s VALUES ($1)', tbl) USING v;
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

-- its own table: never looked at
SELECT is(pg_temp.outcome('pg_temp.outsider_probe', 4321), 'accepted', 'own table: an id just below the hidden next value is accepted');
SELECT is(pg_temp.outcome('pg_temp.outsider_probe', 4322), 'accepted', 'own table: an id at it too');
SET LOCAL seqguard.mode = fix;
SET LOCAL ROLE seqguard_outsider;
INSERT INTO pg_temp.outsider_probe VALUES (1000000);
RESET ROLE;
SET LOCAL seqguard.mode = error;
SELECT is((SELECT last_value FROM gph.orders_id_seq), 4321::bigint,
          'own table, fix mode: an id far past the sequence does not move it');

-- a table it may write: the same refusal whatever the id
SELECT is(pg_temp.outcome('gph_open.notes', 10), 'failed 42501', 'an id far below the hidden next value fails');
SELECT is(pg_temp.outcome('gph_open.notes', 4321), 'failed 42501', 'an id just below it fails alike');
SELECT is(pg_temp.outcome('gph_open.notes', 4322), 'failed 42501', 'an id at it fails alike');
SELECT is(pg_temp.outcome('gph_open.notes', 1000000), 'failed 42501', 'an id far past it fails alike');
SELECT is((SELECT last_value FROM gph.orders_id_seq), 4321::bigint, '(the sequence was not touched)');

SELECT * FROM finish();
ROLLBACK;
