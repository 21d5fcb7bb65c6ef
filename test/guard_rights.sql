-- The guard moves a sequence only where the writing role could have
-- called nextval() on it (USAGE or UPDATE on the sequence), or for an
-- identity column's own sequence.  Otherwise it leaves the sequence alone
-- (its WARNING, 42501, is in sql/guard_warnings.sql); in error mode such a
-- statement still fails when its value is at or past the next value, with
-- a message that does not show a next value the role may not read.
BEGIN;
SELECT plan(16);
LOAD 'seqguard';
SET LOCAL seqguard.mode = fix;

-- run a statement as a role, rolled back afterwards if asked; 'ok', or the
-- error's SQLSTATE and every text it shows (message, detail, hint)
CREATE FUNCTION pg_temp.as_role(r name, stmt text, roll_back boolean DEFAULT false)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE st text; msg text; det text; hnt text;
BEGIN
  EXECUTE format('SET LOCAL ROLE %I', r);
  BEGIN
    EXECUTE stmt;
    IF roll_back THEN
      RAISE EXCEPTION USING ERRCODE = 'SGRBK', MESSAGE = 'rolled back';
    END IF;
  EXCEPTION WHEN SQLSTATE 'SGRBK' THEN
    NULL;
  WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT,
                            det = PG_EXCEPTION_DETAIL, hnt = PG_EXCEPTION_HINT;
    RESET ROLE;
    RETURN st || ': ' || msg || ' | ' || coalesce(det, '') || ' | ' || coalesce(hnt, '');
  END;
  RESET ROLE;
  RETURN 'ok';
END $$;

\ir lib/next_value.sql

CREATE SCHEMA grights;
CREATE TABLE grights.orders (id bigserial PRIMARY KEY, v int);
-- a table sharing its sequence with orders
CREATE TABLE grights.notes (id bigint PRIMARY KEY DEFAULT nextval('grights.orders_id_seq'), v int);
CREATE TABLE grights.ident (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, v int);
CREATE TABLE grights.usage_t (id serial PRIMARY KEY, v int);
CREATE TABLE grights.update_t (id serial PRIMARY KEY, v int);

-- only the rights every role has (connect, temp): nothing in grights
CREATE ROLE seqguard_nobody;
-- INSERT on tables, no right on their sequences but where granted below
CREATE ROLE seqguard_clerk;
GRANT USAGE ON SCHEMA grights TO seqguard_clerk;
GRANT INSERT ON grights.notes, grights.ident, grights.usage_t, grights.update_t TO seqguard_clerk;
GRANT USAGE ON SEQUENCE grights.usage_t_id_seq TO seqguard_clerk;
GRANT UPDATE ON SEQUENCE grights.update_t_id_seq TO seqguard_clerk;

-- (a) a temporary table whose default names another schema's sequence by OID
SELECT 'grights.orders_id_seq'::regclass::oid AS orders_seq_oid \gset
SELECT is(pg_temp.as_role('seqguard_nobody',
            format('CREATE TEMP TABLE nobody_t (id bigint DEFAULT nextval(%L))', :'orders_seq_oid')),
          'ok', '(a role with only PUBLIC rights creates a temporary table defaulting to another schema''s sequence)');
SELECT is(pg_temp.as_role('seqguard_nobody', $$INSERT INTO nobody_t VALUES (9223372036854775806)$$, true),
          'ok', '(its explicit id near the end of the range, in a subtransaction rolled back)');
SELECT is(pg_temp.next_value('grights.orders_id_seq'), 1::numeric,
          'the other schema''s sequence is not moved');
SELECT FROM setval('grights.orders_id_seq', 1, false);  -- each case on its own
SELECT is(pg_temp.as_role('seqguard_nobody', $$INSERT INTO nobody_t VALUES (5000)$$),
          'ok', '(an ordinary explicit id)');
SELECT is(pg_temp.next_value('grights.orders_id_seq'), 1::numeric,
          'the other schema''s sequence is not moved either');

-- (b) INSERT on a table whose default draws from a sequence shared with another table
SELECT FROM setval('grights.orders_id_seq', 1, false);
SELECT is(pg_temp.as_role('seqguard_clerk', $$INSERT INTO grights.notes VALUES (5000, 1)$$),
          'ok', '(INSERT on a table sharing a sequence the role has no right to)');
SELECT is(pg_temp.next_value('grights.orders_id_seq'), 1::numeric,
          'the shared sequence is not moved');

-- (c) an identity column's own sequence needs no grant
SELECT is(pg_temp.as_role('seqguard_clerk',
            $$INSERT INTO grights.ident (id, v) OVERRIDING SYSTEM VALUE VALUES (700, 1)$$),
          'ok', '(OVERRIDING SYSTEM VALUE by a role without a grant on the identity sequence)');
SELECT cmp_ok(pg_temp.next_value(pg_get_serial_sequence('grights.ident', 'id')), '>', 700::numeric,
              'the identity column''s own sequence is moved');

-- (d) USAGE, or UPDATE, on the sequence: moved
SELECT is(pg_temp.as_role('seqguard_clerk', $$INSERT INTO grights.usage_t VALUES (800, 1)$$), 'ok',
          '(explicit id by a role with USAGE on the sequence)');
SELECT cmp_ok(pg_temp.next_value('grights.usage_t_id_seq'), '>', 800::numeric, 'USAGE on the sequence: moved');
SELECT is(pg_temp.as_role('seqguard_clerk', $$INSERT INTO grights.update_t VALUES (900, 1)$$), 'ok',
          '(explicit id by a role with UPDATE on the sequence)');
SELECT cmp_ok(pg_temp.next_value('grights.update_t_id_seq'), '>', 900::numeric, 'UPDATE on the sequence: moved');

-- error mode: for a role with no right on the sequence the guard cannot
-- compare without revealing the sequence's position (a value just below
-- the next one would pass, one at it would fail), so every explicit id it
-- writes fails alike, with 42501, and no message shows that position
SELECT FROM setval('grights.orders_id_seq', 4241, true);
SET LOCAL seqguard.mode = error;
SELECT matches(pg_temp.as_role('seqguard_clerk', $$INSERT INTO grights.notes VALUES (3, 1)$$),
               '^42501: ', 'error: a value below the next value fails with 42501');
SELECT matches(pg_temp.as_role('seqguard_clerk', $$INSERT INTO grights.notes VALUES (6000, 1)$$),
               '^42501: ', 'error: a value past the next value fails with 42501 alike');
SELECT doesnt_match(pg_temp.as_role('seqguard_clerk', $$INSERT INTO grights.notes VALUES (6000, 1)$$),
                    '4242', 'error: the message does not show the next value of a sequence the role may not read');

SELECT * FROM finish();
ROLLBACK;
