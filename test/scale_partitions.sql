-- check_sequence_health(), assert_sequences_healthy() and
-- fix_all_sequences() on a partition tree of 1,000 partitions keep only a
-- few locks at a time: each partition's lock is released once it is read.
--
-- The lock table is shared by all sessions and holds about
-- max_locks_per_transaction * (max_connections + ...) locks; a reader that
-- keeps every partition locked until the whole tree is read (as
-- SELECT max(id) FROM the root does) fails with "out of shared memory"
-- once the tree is larger than what is free.  Rather than build a tree
-- larger than the whole table (over 12,000 partitions under the default
-- settings, minutes to create), the test transaction first takes all but
-- 500 of the free entries with advisory locks, as a busy server's other
-- sessions would hold them, and then reads the tree.
--
-- The partitions must be created by committed transactions (locks a
-- transaction already holds take no new entry), so they are made and
-- dropped by procedures that COMMIT every 250 partitions; only the
-- assertions run in a transaction, which is rolled back.
SET client_min_messages = warning;
SET seqguard.mode = off;	-- the explicit id must leave the sequence behind

-- the leftovers of an interrupted run, dropped the same way
DO $$
DECLARE r record; k int := 0;
BEGIN
  FOR r IN SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'many_partitions' AND c.relkind = 'r' LOOP
    EXECUTE format('DROP TABLE many_partitions.%I', r.relname);
    k := k + 1;
    IF k % 250 = 0 THEN COMMIT; END IF;
  END LOOP;
END $$;
DROP SCHEMA IF EXISTS many_partitions CASCADE;

CREATE SCHEMA many_partitions;
CREATE TABLE many_partitions.parted (id bigserial, k int, PRIMARY KEY (id, k)) PARTITION BY LIST (k);
CREATE PROCEDURE many_partitions.create_partitions(n int) LANGUAGE plpgsql AS $$
BEGIN
  FOR i IN 1..n LOOP
    EXECUTE format('CREATE TABLE many_partitions.p%s PARTITION OF many_partitions.parted FOR VALUES IN (%s)', i, i);
    IF i % 250 = 0 THEN COMMIT; END IF;
  END LOOP;
END $$;
CREATE PROCEDURE many_partitions.drop_partitions() LANGUAGE plpgsql AS $$
DECLARE r record; k int := 0;
BEGIN
  FOR r IN SELECT relname FROM pg_class
            WHERE relnamespace = 'many_partitions'::regnamespace AND relkind = 'r' LOOP
    EXECUTE format('DROP TABLE many_partitions.%I', r.relname);
    k := k + 1;
    IF k % 250 = 0 THEN COMMIT; END IF;
  END LOOP;
END $$;

CALL many_partitions.create_partitions(1000);
-- ids from the sequence in the first partition, an explicit one in the last
INSERT INTO many_partitions.p1 (k) SELECT 1 FROM generate_series(1, 10);
INSERT INTO many_partitions.p1000 VALUES (5000, 1000);
RESET client_min_messages;

BEGIN;
SELECT plan(16);

-- how many more locks the lock table takes now: as many advisory locks
-- as fit, in a subtransaction that gives them back when it fails
CREATE TEMP TABLE free_locks (n int);
DO $$
DECLARE n int := 0;
BEGIN
  BEGIN
    FOR i IN 1..1000000 LOOP
      PERFORM pg_advisory_xact_lock_shared(i);
      n := i;
    END LOOP;
  EXCEPTION WHEN out_of_memory THEN
    NULL;
  END;
  INSERT INTO free_locks VALUES (n);
END $$;
-- all but 500 of them taken
DO $$
BEGIN
  PERFORM pg_advisory_xact_lock_shared(i) FROM generate_series(1, (SELECT n - 500 FROM free_locks)) i;
END $$;
CREATE TEMP TABLE h AS SELECT * FROM check_sequence_health() WITH NO DATA;
CREATE TEMP TABLE dry AS SELECT * FROM fix_all_sequences() WITH NO DATA;
CREATE TEMP TABLE r AS SELECT * FROM fix_all_sequences() WITH NO DATA;

SELECT is(current_setting('max_locks_per_transaction'),
          (SELECT boot_val FROM pg_settings WHERE name = 'max_locks_per_transaction'),
          'max_locks_per_transaction has its default (64; 128 from PostgreSQL 19 on)');
SELECT is((SELECT count(*) FROM pg_inherits WHERE inhparent = 'many_partitions.parted'::regclass), 1000::bigint,
          '(the tree has 1,000 partitions)');
SELECT ok((SELECT n BETWEEN 2000 AND 999999 FROM free_locks),
          '(the lock table had room for more than 2,000 locks; all but 500 of them are now taken)');
SELECT throws_ok('SELECT max(id) FROM many_partitions.parted', '53200', 'out of shared memory',
                 'with 500 locks free, SELECT max(id) over the 1,000 partitions runs out of lock memory');

SELECT lives_ok($$INSERT INTO h SELECT * FROM check_sequence_health(ARRAY['many_partitions'])$$,
                'check_sequence_health() over the same tree completes');
SELECT is((SELECT status || ' ' || max_id FROM h WHERE table_name = 'parted'), 'out_of_sync 5000',
          'and finds the explicit id in the last partition');
SELECT throws_ok($$SELECT assert_sequences_healthy(ARRAY['many_partitions'])$$, '23000',
                 '1 sequence-fed column is out of sync or exhausted',
                 'assert_sequences_healthy() completes and fails with the tree''s column');
SELECT lives_ok($$INSERT INTO dry SELECT * FROM fix_all_sequences(true, ARRAY['many_partitions'])$$,
                'a dry run of fix_all_sequences() completes');
SELECT lives_ok($$INSERT INTO r SELECT * FROM fix_all_sequences(false, ARRAY['many_partitions'])$$,
                'fix_all_sequences() completes');
SELECT is((SELECT action || ' ' || new_next_value FROM r WHERE sequence_name = 'parted_id_seq'), 'advanced 5001',
          'and advances the sequence past the tree''s largest id');
SELECT is((SELECT count(*) FROM pg_locks
            WHERE pid = pg_backend_pid() AND locktype = 'relation' AND granted
              AND relation IN (SELECT oid FROM pg_class WHERE relnamespace = 'many_partitions'::regnamespace)),
          0::bigint, 'after them this transaction holds no lock on any partition, index or sequence');

-- the guard, after DDL that brings the whole tree under a sequence, reads
-- the members one at a time too
LOAD 'seqguard';
SET LOCAL seqguard.mode = fix;
CREATE SEQUENCE many_partitions.other;
CREATE SEQUENCE many_partitions.own;
SELECT lives_ok($$ALTER TABLE ONLY many_partitions.parted ALTER COLUMN id SET DEFAULT nextval('many_partitions.other')$$,
                'guard: ALTER TABLE ONLY root ... SET DEFAULT nextval() over the tree completes');
SELECT is((SELECT last_value FROM many_partitions.other), 5001::bigint,
          'guard: and moves the new default''s sequence past the tree''s largest id');
SELECT lives_ok($$ALTER SEQUENCE many_partitions.own OWNED BY many_partitions.parted.id$$,
                'guard: ALTER SEQUENCE ... OWNED BY the tree''s column completes');
SELECT is((SELECT last_value FROM many_partitions.own), 5001::bigint,
          'guard: and moves that sequence past the tree''s largest id');
SELECT is((SELECT count(*) FROM pg_locks WHERE pid = pg_backend_pid() AND locktype = 'advisory'),
          (SELECT n - 500 FROM free_locks)::bigint, '(the advisory locks were held throughout)');

SELECT * FROM finish();
ROLLBACK;

SET client_min_messages = warning;
CALL many_partitions.drop_partitions();
DROP SCHEMA many_partitions CASCADE;
