-- A BEFORE ROW trigger that leaves the id alone (created_at, updated_at)
-- costs nothing: the guard reads the trigger function's source, and a
-- PL/pgSQL function that mentions NEW only as NEW.<another column> and
-- RETURN NEW, and returns only NEW, OLD or NULL, cannot set the id.  Any
-- other trigger may set it, and the guard then reads the index.  Counted
-- by pg_stat_get_xact_numscans() of the primary key (the statements
-- below find their rows without it).
BEGIN;
SELECT plan(12);
LOAD 'seqguard';
SET LOCAL seqguard.mode = fix;

CREATE FUNCTION pg_temp.pk_scans(t regclass) RETURNS bigint LANGUAGE sql AS
$$ SELECT sum(pg_stat_get_xact_numscans(indexrelid))::bigint FROM pg_index WHERE indrelid = t $$;
\ir lib/next_value.sql

CREATE SCHEMA gta;
-- leave the id alone
CREATE FUNCTION gta.stamp() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- NEW.at is set; the id is not
  NEW.at := clock_timestamp();
  IF TG_OP = 'UPDATE' AND NEW.v IS NOT DISTINCT FROM OLD.v THEN
    RETURN OLD;
  END IF;
  RETURN NEW;
END $$;
CREATE TABLE gta.quiet (id bigserial PRIMARY KEY, at timestamptz, v int);
CREATE TRIGGER stamp BEFORE INSERT OR UPDATE ON gta.quiet FOR EACH ROW EXECUTE FUNCTION gta.stamp();
INSERT INTO gta.quiet (v) SELECT g FROM generate_series(1, 10) g;
SELECT is(pg_temp.pk_scans('gta.quiet'), 0::bigint, '(no index scan so far)');
DO $$ BEGIN FOR i IN 1..20 LOOP INSERT INTO gta.quiet (v) VALUES (i); END LOOP; END $$;
UPDATE gta.quiet SET v = v + 1;
SELECT is(pg_temp.pk_scans('gta.quiet'), 0::bigint,
          'INSERT and UPDATE through a trigger that stamps another column: the guard reads nothing');

-- the ways a PL/pgSQL trigger can set the id: each is read through the index
CREATE FUNCTION gta.direct() RETURNS trigger LANGUAGE plpgsql AS
$$ BEGIN NEW.id := NEW.v + 1000; RETURN NEW; END $$;
CREATE FUNCTION gta.quoted() RETURNS trigger LANGUAGE plpgsql AS
$$ BEGIN new . "id" = NEW.v + 2000; RETURN new; END $$;
CREATE FUNCTION gta.whole() RETURNS trigger LANGUAGE plpgsql AS
$$ BEGIN NEW := jsonb_populate_record(NEW, jsonb_build_object('id', NEW.v + 3000)); RETURN NEW; END $$;
CREATE TABLE gta.t4 (id bigserial PRIMARY KEY, v int);
CREATE FUNCTION gta.other_row() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE r gta.t4;
BEGIN r := NEW; r.id := NEW.v + 4000; RETURN r; END $$;
CREATE FUNCTION gta.alias() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE n ALIAS FOR new;
BEGIN n.id := n.v + 5000; RETURN n; END $$;
CREATE TABLE gta.t1 (id bigserial PRIMARY KEY, v int);
CREATE TABLE gta.t2 (id bigserial PRIMARY KEY, v int);
CREATE TABLE gta.t3 (id bigserial PRIMARY KEY, v int);
CREATE TABLE gta.t5 (id bigserial PRIMARY KEY, v int);
CREATE TRIGGER set_id BEFORE INSERT ON gta.t1 FOR EACH ROW EXECUTE FUNCTION gta.direct();
CREATE TRIGGER set_id BEFORE INSERT ON gta.t2 FOR EACH ROW EXECUTE FUNCTION gta.quoted();
CREATE TRIGGER set_id BEFORE INSERT ON gta.t3 FOR EACH ROW EXECUTE FUNCTION gta.whole();
CREATE TRIGGER set_id BEFORE INSERT ON gta.t4 FOR EACH ROW EXECUTE FUNCTION gta.other_row();
CREATE TRIGGER set_id BEFORE INSERT ON gta.t5 FOR EACH ROW EXECUTE FUNCTION gta.alias();
INSERT INTO gta.t1 (v) VALUES (1);
INSERT INTO gta.t2 (v) VALUES (1);
INSERT INTO gta.t3 (v) VALUES (1);
INSERT INTO gta.t4 (v) VALUES (1);
INSERT INTO gta.t5 (v) VALUES (1);
SELECT is(pg_temp.next_value('gta.t1_id_seq'), 1002::numeric, 'NEW.id := ...: moved past it');
SELECT is(pg_temp.next_value('gta.t2_id_seq'), 2002::numeric, 'new . "id" = ...: moved past it');
SELECT is(pg_temp.next_value('gta.t3_id_seq'), 3002::numeric, 'NEW := ...: moved past it');
SELECT is(pg_temp.next_value('gta.t4_id_seq'), 4002::numeric, 'RETURN of another row: moved past it');
SELECT is(pg_temp.next_value('gta.t5_id_seq'), 5002::numeric, 'an alias of NEW: moved past it');

-- a trigger function in another language than PL/pgSQL may set anything
CREATE TABLE gta.t6 (id bigserial PRIMARY KEY, v int);
INSERT INTO gta.t6 (v) VALUES (1);
CREATE TRIGGER suppress BEFORE UPDATE ON gta.t6 FOR EACH ROW EXECUTE FUNCTION suppress_redundant_updates_trigger();
UPDATE gta.t6 SET v = v + 1;
SELECT cmp_ok(pg_temp.pk_scans('gta.t6'), '>', 0::bigint,
              'a C trigger function: the guard reads the index');

-- CREATE OR REPLACE FUNCTION reaches the session's cache: the stamping
-- trigger now sets the id
SELECT is(pg_temp.pk_scans('gta.quiet'), 0::bigint, '(still no index scan on quiet)');
CREATE OR REPLACE FUNCTION gta.stamp() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN NEW.at := clock_timestamp(); NEW.id := 9000 + NEW.v; RETURN NEW; END $$;
INSERT INTO gta.quiet (v) VALUES (7);
SELECT is(pg_temp.next_value('gta.quiet_id_seq'), 9008::numeric,
          'after CREATE OR REPLACE FUNCTION, the trigger that now sets the id is seen');

-- a trigger on an UPDATE that leaves the id alone does not make error
-- mode fail an UPDATE of a row that lies past the sequence
SET LOCAL seqguard.mode = off;
CREATE TABLE gta.t7 (id bigserial PRIMARY KEY, v int);
INSERT INTO gta.t7 (id, v) VALUES (99999, 1);
CREATE FUNCTION gta.touch() RETURNS trigger LANGUAGE plpgsql AS
$$ BEGIN NEW.v := NEW.v; RETURN NEW; END $$;
CREATE TRIGGER touch BEFORE UPDATE ON gta.t7 FOR EACH ROW EXECUTE FUNCTION gta.touch();
SET LOCAL seqguard.mode = error;
SELECT lives_ok($$UPDATE gta.t7 SET v = 2 WHERE id = 99999$$, 'error mode: such an UPDATE passes');
SELECT is((SELECT count(*)::int FROM gta.t7 WHERE v = 2), 1, '(and updated the row)');

SELECT * FROM finish();
ROLLBACK;
