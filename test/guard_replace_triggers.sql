-- A BEFORE INSERT trigger that replaces an existing row with the same id
-- (upsert by delete-then-insert), and the same id written twice by one
-- INSERT or COPY through such a trigger: the row left in the table was
-- written by the statement, so the sequence moves past it (error mode:
-- the statement fails).
BEGIN;
SELECT plan(6);
LOAD 'seqguard';
SET LOCAL seqguard.mode = fix;

\ir lib/next_value.sql

CREATE SCHEMA grt;
CREATE FUNCTION grt.replace() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN EXECUTE format('DELETE FROM %s WHERE id = $1', TG_RELID::regclass) USING NEW.id; RETURN NEW; END $$;

-- an existing row, written while the guard was off, is replaced
CREATE TABLE grt.t (id serial PRIMARY KEY, v text);
CREATE TRIGGER replace BEFORE INSERT ON grt.t FOR EACH ROW EXECUTE FUNCTION grt.replace();
SET LOCAL seqguard.mode = off;
INSERT INTO grt.t VALUES (500, 'old');
SET LOCAL seqguard.mode = fix;
INSERT INTO grt.t VALUES (500, 'new');
SELECT is((SELECT v FROM grt.t WHERE id = 500), 'new', '(the trigger replaced the row)');
SELECT is(pg_temp.next_value('grt.t_id_seq'), 501::numeric,
          'a row replaced by a BEFORE INSERT trigger: the sequence moves past its id');

-- the same id twice in one INSERT, the second replacing the first
CREATE TABLE grt.u (id serial PRIMARY KEY, v text);
CREATE TRIGGER replace BEFORE INSERT ON grt.u FOR EACH ROW EXECUTE FUNCTION grt.replace();
INSERT INTO grt.u VALUES (600, 'a'), (600, 'b');
SELECT is(pg_temp.next_value('grt.u_id_seq'), 601::numeric,
          'the same id twice in one INSERT: the sequence moves past it');

-- and in one COPY
CREATE TABLE grt.c (id serial PRIMARY KEY, v text);
CREATE TRIGGER replace BEFORE INSERT ON grt.c FOR EACH ROW EXECUTE FUNCTION grt.replace();
COPY grt.c FROM STDIN;
700	a
700	b
\.
SELECT is(pg_temp.next_value('grt.c_id_seq'), 701::numeric,
          'the same id twice in one COPY: the sequence moves past it');

-- error mode fails them
SET LOCAL seqguard.mode = off;
INSERT INTO grt.t VALUES (900, 'old');
SET LOCAL seqguard.mode = error;
SELECT throws_ok($$INSERT INTO grt.t VALUES (900, 'new')$$, '23000', NULL,
                 'error mode: a replacing insert fails');
SELECT throws_ok($$INSERT INTO grt.u VALUES (950, 'a'), (950, 'b')$$, '23000', NULL,
                 'error mode: the same id twice in one INSERT fails');

SELECT * FROM finish();
ROLLBACK;
