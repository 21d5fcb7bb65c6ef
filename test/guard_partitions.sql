-- The guard covers rows routed through a partition tree: an id set by a
-- BEFORE ROW trigger that exists only on the partition, and an UPDATE
-- that moves a row into another partition.  (The guard reads what was
-- written through an index on the id; without one, guard_no_scan.sql.)
BEGIN;
SELECT plan(4);
LOAD 'seqguard';
SET LOCAL seqguard.mode = fix;

CREATE SCHEMA gpart;
CREATE FUNCTION gpart.id_from_v() RETURNS trigger LANGUAGE plpgsql AS
$$ BEGIN NEW.id := 1000 + NEW.v; RETURN NEW; END $$;

-- the root has no trigger; only the partition the row lands in has one
CREATE TABLE gpart.bylist (id serial, v int, PRIMARY KEY (id, v)) PARTITION BY RANGE (v);
CREATE TABLE gpart.bylist_low PARTITION OF gpart.bylist FOR VALUES FROM (0) TO (10);
CREATE TABLE gpart.bylist_high PARTITION OF gpart.bylist FOR VALUES FROM (10) TO (100);
CREATE TRIGGER set_id BEFORE INSERT ON gpart.bylist_high
  FOR EACH ROW EXECUTE FUNCTION gpart.id_from_v();
INSERT INTO gpart.bylist (v) VALUES (15);
SELECT is((SELECT id FROM gpart.bylist), 1015, '(the partition''s trigger set the id to 1015)');
SELECT cmp_ok(nextval('gpart.bylist_id_seq'), '>', 1015::bigint,
              'INSERT through the root moves the sequence past an id set by a trigger on the partition');

-- range-partitioned on the id: the UPDATE moves the row from one partition to the other
CREATE TABLE gpart.byid (id serial PRIMARY KEY, v int) PARTITION BY RANGE (id);
CREATE TABLE gpart.byid_1 PARTITION OF gpart.byid FOR VALUES FROM (1) TO (1000);
CREATE TABLE gpart.byid_2 PARTITION OF gpart.byid FOR VALUES FROM (1000) TO (2000);
INSERT INTO gpart.byid VALUES (500, 1);
UPDATE gpart.byid SET id = 600 WHERE id = 500;
SELECT cmp_ok(nextval('gpart.byid_id_seq'), '>', 600::bigint,
              'an UPDATE of the id within one partition moves the sequence');
UPDATE gpart.byid SET id = 1500 WHERE id = 600;
SELECT cmp_ok(nextval('gpart.byid_id_seq'), '>', 1500::bigint,
              'an UPDATE that moves the row to another partition moves the sequence past the new id');

SELECT * FROM finish();
ROLLBACK;
