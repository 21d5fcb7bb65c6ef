-- An explicit id written by INSERT or UPDATE whose AFTER ROW trigger then
-- updates the new row (a status, an audit stamp): the only version left
-- is the trigger's, which keeps the id.  The id was still written by the
-- statement, so fix mode moves the sequence past it and error mode fails
-- the statement.  Both with a HOT update (the trigger changes an
-- unindexed column) and without (it changes an indexed one).
BEGIN;
SELECT plan(10);
LOAD 'seqguard';
SET LOCAL seqguard.mode = fix;

\ir lib/next_value.sql

CREATE SCHEMA gat;
CREATE FUNCTION gat.queue() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN UPDATE gat.hot SET status = 'queued' WHERE id = NEW.id; RETURN NULL; END $$;
CREATE FUNCTION gat.stamp() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN UPDATE gat.cold SET stamp = stamp + 1 WHERE id = NEW.id; RETURN NULL; END $$;

-- HOT: status has no index
CREATE TABLE gat.hot (id serial PRIMARY KEY, status text);
CREATE TRIGGER queue AFTER INSERT OR UPDATE OF id ON gat.hot FOR EACH ROW EXECUTE FUNCTION gat.queue();
-- not HOT: stamp is indexed
CREATE TABLE gat.cold (id serial PRIMARY KEY, stamp int NOT NULL DEFAULT 0);
CREATE INDEX ON gat.cold (stamp);
CREATE TRIGGER stamp AFTER INSERT OR UPDATE OF id ON gat.cold FOR EACH ROW EXECUTE FUNCTION gat.stamp();

INSERT INTO gat.hot VALUES (500);
SELECT is((SELECT status FROM gat.hot WHERE id = 500), 'queued', '(the AFTER trigger updated the new row)');
SELECT is(pg_temp.next_value('gat.hot_id_seq'), 501::numeric,
          'INSERT, AFTER INSERT trigger with a HOT update of the row: the sequence moves past the id');
INSERT INTO gat.cold VALUES (600);
SELECT is(pg_temp.next_value('gat.cold_id_seq'), 601::numeric,
          'INSERT, AFTER INSERT trigger with a non-HOT update of the row: the sequence moves past the id');

UPDATE gat.hot SET id = 700 WHERE id = 500;
SELECT is(pg_temp.next_value('gat.hot_id_seq'), 701::numeric,
          'UPDATE of the id, AFTER UPDATE trigger touching the row (HOT): moved past it');
UPDATE gat.cold SET id = 800 WHERE id = 600;
SELECT is(pg_temp.next_value('gat.cold_id_seq'), 801::numeric,
          'UPDATE of the id, AFTER UPDATE trigger touching the row (not HOT): moved past it');

-- error mode fails the same statements
SET LOCAL seqguard.mode = error;
SELECT throws_ok($$INSERT INTO gat.hot VALUES (900)$$, '23000', NULL,
                 'error mode: INSERT with an AFTER trigger that updates the row (HOT) fails');
SELECT throws_ok($$INSERT INTO gat.cold VALUES (900)$$, '23000', NULL,
                 'error mode: INSERT with an AFTER trigger that updates the row (not HOT) fails');
SELECT throws_ok($$UPDATE gat.hot SET id = 1000 WHERE id = 700$$, '23000', NULL,
                 'error mode: UPDATE of the id with an AFTER trigger (HOT) fails');
SELECT throws_ok($$UPDATE gat.cold SET id = 1000 WHERE id = 800$$, '23000', NULL,
                 'error mode: UPDATE of the id with an AFTER trigger (not HOT) fails');
-- while an UPDATE of another column on a row past the sequence still passes
SET LOCAL seqguard.mode = off;
INSERT INTO gat.hot VALUES (5000);
SET LOCAL seqguard.mode = error;
SELECT lives_ok($$UPDATE gat.hot SET status = 'done' WHERE id = 5000$$,
                'error mode: an UPDATE that keeps the id still passes');

SELECT * FROM finish();
ROLLBACK;
