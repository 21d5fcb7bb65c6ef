-- check_sequence_health() and assert_sequences_healthy() change nothing:
-- no sequence moves (also for out-of-sync, exhausted and never-called
-- ones), no row changes, and both run in a read-only transaction.
-- That no table lock is kept after a check is asserted in many_tables.sql,
-- where the tables are not created by the checking transaction.
BEGIN;
SELECT plan(9);

SET LOCAL seqguard.mode = off;
CREATE SCHEMA cro;
CREATE TABLE cro.lag (id serial PRIMARY KEY, v text);
INSERT INTO cro.lag VALUES (500, 'imported');
CREATE TABLE cro.fresh (id bigint GENERATED ALWAYS AS IDENTITY);
CREATE TABLE cro.full_t (id smallserial);
SELECT FROM setval('cro.full_t_id_seq', 32767);
CREATE SEQUENCE cro.down INCREMENT -5 CACHE 10;
CREATE TABLE cro.neg (id int DEFAULT nextval('cro.down'));
INSERT INTO cro.neg DEFAULT VALUES;
INSERT INTO cro.neg VALUES (-1000);

-- every field of every sequence of the schema, read from the sequences themselves
CREATE FUNCTION pg_temp.seq_state() RETURNS text LANGUAGE plpgsql AS $$
DECLARE r record; one text; acc text := '';
BEGIN
  FOR r IN SELECT c.oid::regclass AS seq FROM pg_class c
            WHERE c.relnamespace = 'cro'::regnamespace AND c.relkind = 'S' ORDER BY c.relname LOOP
    EXECUTE format('SELECT last_value || '':'' || log_cnt || '':'' || is_called FROM %s', r.seq) INTO one;
    acc := acc || r.seq || '=' || one || ' ';
  END LOOP;
  RETURN acc;
END $$;
CREATE FUNCTION pg_temp.row_state() RETURNS text LANGUAGE sql AS $$
  SELECT (SELECT string_agg(l::text, ',' ORDER BY id) FROM cro.lag l) || '|' ||
         (SELECT count(*) FROM cro.fresh) || '|' || (SELECT count(*) FROM cro.full_t) || '|' ||
         (SELECT string_agg(id::text, ',' ORDER BY id) FROM cro.neg)
$$;
CREATE TEMP TABLE before AS SELECT pg_temp.seq_state() AS seqs, pg_temp.row_state() AS rows_;

SELECT is((SELECT string_agg(status, ',' ORDER BY table_name) FROM check_sequence_health(ARRAY['cro'])),
          'ok,exhausted,out_of_sync,out_of_sync', '(the schema has ok, exhausted and out_of_sync columns)');
SELECT is(pg_temp.seq_state(), (SELECT seqs FROM before),
          'after a check, every sequence has the same last_value, log_cnt and is_called');
SELECT is(pg_temp.row_state(), (SELECT rows_ FROM before), 'and every table the same rows');
SELECT throws_ok($$SELECT assert_sequences_healthy(ARRAY['cro'])$$, '23000', NULL, '(assert fails here)');
SELECT is(pg_temp.seq_state(), (SELECT seqs FROM before), 'a failing assert moves no sequence either');

-- the same in a read-only transaction (writes to temporary tables, which
-- pgTAP needs, remain allowed)
CREATE TEMP TABLE ro_result AS SELECT * FROM check_sequence_health(ARRAY['cro']) WHERE false;
SET LOCAL transaction_read_only = on;
SELECT lives_ok($$INSERT INTO ro_result SELECT * FROM check_sequence_health(ARRAY['cro'])$$,
                'check_sequence_health() runs in a read-only transaction');
SELECT is((SELECT count(*) FROM ro_result WHERE status = 'out_of_sync'), 2::bigint,
          'and still finds the out-of-sync columns there');
SELECT throws_ok($$SELECT assert_sequences_healthy(ARRAY['cro'])$$, '23000', NULL,
                 'assert_sequences_healthy() fails with 23000, not with a read-only error');
SELECT is(pg_temp.seq_state(), (SELECT seqs FROM before), 'nothing moved');

SELECT * FROM finish();
ROLLBACK;
