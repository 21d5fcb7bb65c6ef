-- check_sequence_health() on 10,000 sequence-fed tables in one schema,
-- under the default max_locks_per_transaction: it completes and finds
-- exactly the 1,000 out-of-sync tables, because it releases each table's
-- lock once it has read it; the PL/pgSQL loop people write for the same
-- job, in one transaction, runs out of lock memory.  The check, the assert
-- and the repair also complete inside a SERIALIZABLE transaction, under the
-- default max_pred_locks_per_transaction.
--
-- Not one transaction: creating (or dropping) 10,000 tables in one
-- transaction would itself exhaust the lock table.  The tables are made
-- and dropped by procedures that COMMIT every 500 tables; only the
-- assertions run in a transaction, which is rolled back.
SET client_min_messages = warning;
SET seqguard.mode = off;	-- the explicit ids must leave every 10th sequence behind

-- the leftovers of an interrupted run, dropped the same way
DO $$
DECLARE r record; k int := 0;
BEGIN
  FOR r IN SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'many_tables' AND c.relkind = 'r' LOOP
    EXECUTE format('DROP TABLE many_tables.%I', r.relname);
    k := k + 1;
    IF k % 500 = 0 THEN COMMIT; END IF;
  END LOOP;
END $$;
DROP SCHEMA IF EXISTS many_tables CASCADE;

CREATE SCHEMA many_tables;
CREATE PROCEDURE many_tables.create_tables(n int) LANGUAGE plpgsql AS $$
BEGIN
  FOR i IN 1..n LOOP
    EXECUTE format('CREATE TABLE many_tables.t%s (id serial PRIMARY KEY)', i);
    EXECUTE format('INSERT INTO many_tables.t%s DEFAULT VALUES', i);
    IF i % 10 = 0 THEN
      -- an explicit id at the sequence's next value: out of sync
      EXECUTE format('INSERT INTO many_tables.t%s VALUES (2)', i);
    END IF;
    IF i % 500 = 0 THEN COMMIT; END IF;
  END LOOP;
END $$;
CREATE PROCEDURE many_tables.drop_tables() LANGUAGE plpgsql AS $$
DECLARE r record; k int := 0;
BEGIN
  FOR r IN SELECT relname FROM pg_class
            WHERE relnamespace = 'many_tables'::regnamespace AND relkind = 'r' LOOP
    EXECUTE format('DROP TABLE many_tables.%I', r.relname);
    k := k + 1;
    IF k % 500 = 0 THEN COMMIT; END IF;
  END LOOP;
END $$;

-- the check people write: loop over the serial columns, max() of each,
-- compare with the sequence, all in the one transaction of the call
CREATE FUNCTION many_tables.loop_check(lim int DEFAULT NULL) RETURNS int LANGUAGE plpgsql AS $$
DECLARE r record; m bigint; lv bigint; lagging int := 0;
BEGIN
  FOR r IN SELECT c.relname, a.attname, pg_get_serial_sequence(format('%I.%I', n.nspname, c.relname), a.attname) AS seq
             FROM pg_class c
             JOIN pg_namespace n ON n.oid = c.relnamespace
             JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
            WHERE n.nspname = 'many_tables' AND c.relkind = 'r'
              AND pg_get_serial_sequence(format('%I.%I', n.nspname, c.relname), a.attname) IS NOT NULL
            ORDER BY substring(c.relname FROM 2)::int LIMIT lim LOOP
    EXECUTE format('SELECT max(%I) FROM many_tables.%I', r.attname, r.relname) INTO m;
    EXECUTE format('SELECT last_value FROM %s', r.seq) INTO lv;
    IF m > lv THEN  -- every sequence here has been called: its next value is lv + 1
      lagging := lagging + 1;
    END IF;
  END LOOP;
  RETURN lagging;
END $$;

CALL many_tables.create_tables(10000);
RESET client_min_messages;

-- The same calls, each in a SERIALIZABLE transaction of its own.  What a
-- call returns, or the error it raises, is recorded here and asserted
-- below, in the one transaction that pgTAP reports from.  The repair's
-- moves outlast its transaction, so the 1,000 sequences are then put back
-- behind their tables, where the tests below expect them.
CREATE FUNCTION many_tables.outcome(query text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE result text;
BEGIN
  EXECUTE query INTO result;
  RETURN result;
EXCEPTION WHEN OTHERS THEN
  RETURN SQLSTATE || ': ' || SQLERRM;
END $$;
CREATE TEMP TABLE serializable_runs (call text PRIMARY KEY, outcome text);
BEGIN ISOLATION LEVEL SERIALIZABLE;
INSERT INTO serializable_runs VALUES ('check', many_tables.outcome($$
  SELECT count(*) || ' rows, ' || count(*) FILTER (WHERE status = 'out_of_sync') || ' out_of_sync'
    FROM check_sequence_health(ARRAY['many_tables'])$$));
COMMIT;
BEGIN ISOLATION LEVEL SERIALIZABLE;
INSERT INTO serializable_runs VALUES ('assert', many_tables.outcome($$
  SELECT 'no error' FROM assert_sequences_healthy(ARRAY['many_tables'])$$));
COMMIT;
BEGIN ISOLATION LEVEL SERIALIZABLE;
INSERT INTO serializable_runs VALUES ('dry run', many_tables.outcome($$
  SELECT count(*) FILTER (WHERE action = 'would_advance') || ' would_advance'
    FROM fix_all_sequences(true, ARRAY['many_tables'])$$));
COMMIT;
BEGIN ISOLATION LEVEL SERIALIZABLE;
INSERT INTO serializable_runs VALUES ('fix', many_tables.outcome($$
  SELECT count(*) FILTER (WHERE action = 'advanced') || ' advanced'
    FROM fix_all_sequences(false, ARRAY['many_tables'])$$));
COMMIT;
DO $$
BEGIN
  PERFORM setval(format('many_tables.t%s_id_seq', i * 10), 1) FROM generate_series(1, 1000) i;
END $$;

BEGIN;
SELECT plan(17);

SELECT is(current_setting('max_locks_per_transaction'),
          (SELECT boot_val FROM pg_settings WHERE name = 'max_locks_per_transaction'),
          'max_locks_per_transaction has its default (64; 128 from PostgreSQL 19 on)');
SELECT is((SELECT count(*) FROM pg_class WHERE relnamespace = 'many_tables'::regnamespace AND relkind = 'r'),
          10000::bigint, '(10,000 tables were created)');

CREATE TEMP TABLE result AS SELECT * FROM check_sequence_health(ARRAY['many_tables']);
SELECT is((SELECT count(*) FROM result), 10000::bigint,
          'check_sequence_health() returns one row for each of the 10,000 tables');
SELECT is((SELECT count(*) FROM result WHERE status = 'out_of_sync'), 1000::bigint,
          'exactly 1,000 of them are out_of_sync');
SELECT is((SELECT count(*) FROM result WHERE status = 'out_of_sync' AND substring(table_name FROM 2)::int % 10 <> 0),
          0::bigint, 'and they are the tables with an explicit id, every 10th');
SELECT is((SELECT count(*) FROM result WHERE status = 'ok'), 9000::bigint, 'the other 9,000 are ok');
SELECT is((SELECT count(*) FROM pg_locks
            WHERE pid = pg_backend_pid() AND locktype = 'relation' AND granted
              AND relation IN (SELECT oid FROM pg_class WHERE relnamespace = 'many_tables'::regnamespace)),
          0::bigint, 'after the check this transaction holds no lock on any of the tables, indexes or sequences');
SELECT throws_ok($$SELECT assert_sequences_healthy(ARRAY['many_tables'])$$, '23000',
                 '1000 sequence-fed columns are out of sync or exhausted',
                 'assert_sequences_healthy() over the same schema completes and fails with the 1,000');
SELECT throws_ok('SELECT many_tables.loop_check()', '53200', 'out of shared memory',
                 'the PL/pgSQL loop with max() over the same tables in one transaction runs out of lock memory');
SELECT is(many_tables.loop_check(100), 10,
          '(the same loop over the first 100 tables works, and finds their 10 lagging sequences)');
SELECT is((SELECT count(*) FROM fix_all_sequences(true, ARRAY['many_tables'])), 1000::bigint,
          'a dry run of fix_all_sequences() over the 10,000 tables reports the 1,000');
SELECT is((SELECT count(*) FROM fix_all_sequences(false, ARRAY['many_tables']) WHERE action = 'advanced'),
          1000::bigint, 'fix_all_sequences() repairs all 1,000 in one transaction');
SELECT is((SELECT count(*) FROM check_sequence_health(ARRAY['many_tables']) WHERE status = 'out_of_sync'),
          0::bigint, 'after which none is out of sync');

-- in the SERIALIZABLE transaction
SELECT is((SELECT outcome FROM serializable_runs WHERE call = 'check'), '10000 rows, 1000 out_of_sync',
          'SERIALIZABLE: check_sequence_health() over the 10,000 tables completes and finds the 1,000');
SELECT is((SELECT outcome FROM serializable_runs WHERE call = 'assert'),
          '23000: 1000 sequence-fed columns are out of sync or exhausted',
          'SERIALIZABLE: assert_sequences_healthy() completes and fails with the 1,000');
SELECT is((SELECT outcome FROM serializable_runs WHERE call = 'dry run'), '1000 would_advance',
          'SERIALIZABLE: a dry run of fix_all_sequences() completes and reports the 1,000');
SELECT is((SELECT outcome FROM serializable_runs WHERE call = 'fix'), '1000 advanced',
          'SERIALIZABLE: fix_all_sequences() completes and repairs the 1,000');

SELECT * FROM finish();
ROLLBACK;

SET client_min_messages = warning;
CALL many_tables.drop_tables();
DROP SCHEMA many_tables CASCADE;
