-- 10,000 sequence-fed tables under the default max_locks_per_transaction:
-- check_sequence_health() and fix_all_sequences() complete because they
-- release each table's lock after reading it; the loop people write does
-- not.  Creating and dropping the tables commits in batches, since doing
-- either in one transaction would itself exhaust the lock table.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;

CREATE SCHEMA scale;
CREATE PROCEDURE scale.make(n int) LANGUAGE plpgsql AS $$
BEGIN
  FOR i IN 1..n LOOP
    EXECUTE format('CREATE TABLE scale.t%s (id serial PRIMARY KEY)', i);
    IF i % 10 = 0 THEN
      EXECUTE format('INSERT INTO scale.t%s VALUES (%s)', i, i);
    END IF;
    IF i % 500 = 0 THEN COMMIT; END IF;
  END LOOP;
END $$;
CREATE PROCEDURE scale.drop_all() LANGUAGE plpgsql AS $$
DECLARE r record; k int := 0;
BEGIN
  FOR r IN SELECT c.relname FROM pg_class c
            WHERE c.relnamespace = 'scale'::regnamespace AND c.relkind = 'r' LOOP
    EXECUTE format('DROP TABLE scale.%I', r.relname);
    k := k + 1;
    IF k % 500 = 0 THEN COMMIT; END IF;
  END LOOP;
END $$;
CALL scale.make(10000);

-- the check people write: loop, max(), compare, all in one transaction
CREATE FUNCTION scale.naive_check() RETURNS int LANGUAGE plpgsql AS $$
DECLARE r record; m bigint; lagging int := 0;
BEGIN
  FOR r IN SELECT n.nspname, c.relname, a.attname, s.oid AS seq
             FROM pg_depend d
             JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
             JOIN pg_class c ON c.oid = d.refobjid
             JOIN pg_namespace n ON n.oid = c.relnamespace
             JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = d.refobjsubid
            WHERE d.deptype = 'a' AND n.nspname = 'scale' LOOP
    EXECUTE format('SELECT max(%I) FROM %I.%I', r.attname, r.nspname, r.relname) INTO m;
    IF m >= (SELECT last_value FROM pg_sequences
              WHERE schemaname = 'scale' AND sequencename = (SELECT relname FROM pg_class WHERE oid = r.seq)) THEN
      lagging := lagging + 1;
    END IF;
  END LOOP;
  RETURN lagging;
END $$;

BEGIN;
SELECT plan(7);

SELECT is(current_setting('max_locks_per_transaction'), '64',
          'the lock table has its default size');
SELECT is((SELECT count(*) FROM check_sequence_health(ARRAY['scale'])), 10000::bigint,
          'check_sequence_health() returns one row per table for 10,000 tables');
SELECT is((SELECT count(*) FROM check_sequence_health(ARRAY['scale']) WHERE status = 'out_of_sync'),
          1000::bigint, 'and finds exactly the 1,000 out-of-sync ones');
SELECT is((SELECT count(*) FROM pg_locks WHERE pid = pg_backend_pid() AND locktype = 'relation'
             AND relation IN (SELECT oid FROM pg_class WHERE relnamespace = 'scale'::regnamespace)),
          0::bigint, 'no table lock is held after the check');
SELECT throws_ok('SELECT scale.naive_check()', '53200', NULL,
                 'a PL/pgSQL max() loop over the same tables runs out of lock memory');
SELECT is((SELECT count(*) FROM fix_all_sequences(true, ARRAY['scale'])), 1000::bigint,
          'a dry run of fix_all_sequences() over 10,000 tables reports the 1,000');
SELECT is((SELECT count(*) FROM fix_all_sequences(false, ARRAY['scale']) WHERE action = 'advanced'),
          1000::bigint, 'fix_all_sequences() repairs all 1,000 in one transaction');

SELECT * FROM finish();
COMMIT;

CALL scale.drop_all();
DROP SCHEMA scale CASCADE;
