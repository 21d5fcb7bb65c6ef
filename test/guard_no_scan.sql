-- The guard never scans a table.  A BEFORE ROW trigger that leaves the id
-- alone (the usual created_at and updated_at ones) costs nothing on a
-- table without an index on the column, and explicit ids that the
-- statement carries in its plan (VALUES with constants or parameters, as
-- ORMs and PL/pgSQL loops write them) are acted on without reading the
-- table.  Counted by pg_stat_xact_user_tables.seq_scan, this transaction's
-- sequential scans of the table.
BEGIN;
SELECT plan(8);
LOAD 'seqguard';
SET LOCAL seqguard.mode = fix;

\ir lib/next_value.sql
CREATE FUNCTION pg_temp.seq_scans(t regclass) RETURNS bigint LANGUAGE sql AS
$$ SELECT seq_scan FROM pg_stat_xact_user_tables WHERE relid = t $$;

CREATE SCHEMA gns;
CREATE FUNCTION gns.stamp() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN NEW.at := clock_timestamp(); RETURN NEW; END $$;

-- no index on id
CREATE TABLE gns.log (id bigserial, at timestamptz, v int);
CREATE TRIGGER stamp BEFORE INSERT OR UPDATE ON gns.log FOR EACH ROW EXECUTE FUNCTION gns.stamp();
INSERT INTO gns.log (v) SELECT g FROM generate_series(1, 1000) g;

SELECT is(pg_temp.seq_scans('gns.log'), 0::bigint, '(no scan so far)');
DO $$ BEGIN FOR i IN 1..50 LOOP INSERT INTO gns.log (v) VALUES (i); END LOOP; END $$;
SELECT is(pg_temp.seq_scans('gns.log'), 0::bigint,
          'default inserts with a BEFORE INSERT trigger do not scan the table');
UPDATE gns.log SET v = v + 1 WHERE false;
DO $$ BEGIN FOR i IN 1..20 LOOP UPDATE gns.log SET v = v + 1 WHERE ctid = '(0,1)'; END LOOP; END $$;
SELECT is(pg_temp.seq_scans('gns.log'), 0::bigint,
          'updates with a BEFORE UPDATE trigger do not scan the table');

-- explicit ids carried by the plan: a constant, a PL/pgSQL variable, a
-- prepared statement's parameter
CREATE TABLE gns.plain (id bigserial, v int);
INSERT INTO gns.plain (v) SELECT g FROM generate_series(1, 1000) g;
INSERT INTO gns.plain (id, v) VALUES (5000, 1);
SELECT is(pg_temp.next_value('gns.plain_id_seq'), 5001::numeric, 'a constant id: moved past it');
DO $$ BEGIN FOR i IN 6001..6050 LOOP INSERT INTO gns.plain (id, v) VALUES (i, i); END LOOP; END $$;
SELECT is(pg_temp.next_value('gns.plain_id_seq'), 6051::numeric, 'ids from a PL/pgSQL loop: moved past them');
PREPARE ins(bigint) AS INSERT INTO gns.plain (id, v) VALUES ($1, 0);
EXECUTE ins(7000);
SELECT is(pg_temp.next_value('gns.plain_id_seq'), 7001::numeric, 'a prepared statement''s parameter: moved past it');
INSERT INTO gns.plain (id, v) VALUES (DEFAULT, 1), (8000, 2), (7500, 3);
SELECT is(pg_temp.next_value('gns.plain_id_seq'), 8001::numeric, 'multi-row VALUES with DEFAULT: moved past the largest');
SELECT is(pg_temp.seq_scans('gns.plain'), 0::bigint, 'none of these scanned the table');

SELECT * FROM finish();
ROLLBACK;
