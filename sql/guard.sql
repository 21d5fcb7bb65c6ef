--
-- The guard: statements that write their own values into a sequence-fed
-- column keep the sequence ahead of them.
--
-- A database without the extension is untouched, even with the library
-- loaded.
CREATE DATABASE seqguard_noext;
\c seqguard_noext
LOAD 'seqguard';
CREATE TABLE t (id serial PRIMARY KEY, v int);
INSERT INTO t (id, v) VALUES (100, 1);
SELECT last_value, is_called FROM t_id_seq;
\c contrib_regression
DROP DATABASE seqguard_noext;

CREATE EXTENSION seqguard;
LOAD 'seqguard';
SHOW seqguard.mode;
CREATE SCHEMA guard;
SET search_path = guard, public;

CREATE TABLE t (id serial PRIMARY KEY, v int);
-- a plain insert takes the default and leaves the sequence alone
INSERT INTO t (v) VALUES (1) RETURNING id;
-- INSERT ... VALUES with an explicit id
INSERT INTO t (id, v) VALUES (10, 1);
INSERT INTO t (v) VALUES (1) RETURNING id;
-- multi-row VALUES mixing DEFAULT and explicit ids
INSERT INTO t (id, v) VALUES (DEFAULT, 1), (20, 1), (DEFAULT, 1);
INSERT INTO t (v) VALUES (1) RETURNING id;
-- INSERT ... SELECT
INSERT INTO t (id, v) SELECT g, 0 FROM generate_series(30, 35) g;
INSERT INTO t (v) VALUES (1) RETURNING id;
-- ON CONFLICT DO UPDATE that sets the id
INSERT INTO t (id, v) VALUES (36, 1) ON CONFLICT (id) DO UPDATE SET id = 40;
INSERT INTO t (v) VALUES (1) RETURNING id;
-- UPDATE of the column
UPDATE t SET id = 50 WHERE id = 41;
INSERT INTO t (v) VALUES (1) RETURNING id;
-- an UPDATE of another column does nothing to the sequence
UPDATE t SET v = v + 1;
SELECT last_value FROM t_id_seq;
-- MERGE
MERGE INTO t USING (VALUES (60, 7)) AS s(id, v) ON t.id = s.id
  WHEN NOT MATCHED THEN INSERT (id, v) VALUES (s.id, s.v);
INSERT INTO t (v) VALUES (1) RETURNING id;
-- COPY FROM, with and without the column in the list
COPY t (id, v) FROM STDIN;
70	1
71	1
\.
INSERT INTO t (v) VALUES (1) RETURNING id;
COPY t (v) FROM STDIN;
5
\.
SELECT last_value FROM t_id_seq;
-- values lower than the sequence's leave it where it is
INSERT INTO t (id, v) VALUES (5, 1);
INSERT INTO t (v) VALUES (1) RETURNING id;

-- identity columns, with OVERRIDING SYSTEM VALUE
CREATE TABLE ident (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, v int);
INSERT INTO ident (id, v) OVERRIDING SYSTEM VALUE VALUES (100, 1);
INSERT INTO ident (v) VALUES (1) RETURNING id;

-- steps other than 1 keep their parity; descending sequences mirror
CREATE SEQUENCE odd_seq START 1 INCREMENT 2;
CREATE TABLE odd (id bigint PRIMARY KEY DEFAULT nextval('odd_seq'));
INSERT INTO odd VALUES (DEFAULT), (10);
INSERT INTO odd VALUES (DEFAULT) RETURNING id;
CREATE SEQUENCE down_seq INCREMENT -1 MAXVALUE -1;
CREATE TABLE down (id bigint PRIMARY KEY DEFAULT nextval('down_seq'));
INSERT INTO down VALUES (-50);
INSERT INTO down VALUES (DEFAULT) RETURNING id;

-- partitions: through the parent and straight into a partition
CREATE TABLE p (id bigserial, v int) PARTITION BY RANGE (id);
CREATE TABLE p1 PARTITION OF p FOR VALUES FROM (1) TO (1000);
CREATE TABLE p2 PARTITION OF p FOR VALUES FROM (1000) TO (2000);
CREATE INDEX ON p (id);
INSERT INTO p (id, v) VALUES (500, 1);
INSERT INTO p (v) VALUES (1) RETURNING id;
INSERT INTO p2 (id, v) VALUES (1500, 1);
INSERT INTO p (v) VALUES (1) RETURNING id;
COPY p (id, v) FROM STDIN;
1600	1
\.
INSERT INTO p (v) VALUES (1) RETURNING id;

-- a BEFORE ROW trigger that sets the id
CREATE TABLE trg (id serial PRIMARY KEY, v int);
CREATE FUNCTION trg_set_id() RETURNS trigger LANGUAGE plpgsql AS
$$ BEGIN NEW.id := NEW.v * 100; RETURN NEW; END $$;
CREATE TRIGGER trg_set BEFORE INSERT ON trg FOR EACH ROW EXECUTE FUNCTION trg_set_id();
INSERT INTO trg (v) VALUES (3);
DROP TRIGGER trg_set ON trg;
INSERT INTO trg (v) VALUES (1) RETURNING id;

-- statements run inside a function
CREATE FUNCTION insert_explicit(i int) RETURNS void LANGUAGE plpgsql AS
$$ BEGIN INSERT INTO guard.t (id, v) VALUES (i, 0); END $$;
SELECT insert_explicit(900);
INSERT INTO t (v) VALUES (1) RETURNING id;

-- a column without an index is scanned, and still guarded
CREATE TABLE noindex (id serial, v int);
INSERT INTO noindex (id) VALUES (42);
INSERT INTO noindex (v) VALUES (1) RETURNING id;

-- a shared sequence is kept ahead of every table it feeds
CREATE SEQUENCE shared_seq;
CREATE TABLE sa (id int PRIMARY KEY DEFAULT nextval('shared_seq'));
CREATE TABLE sb (id int PRIMARY KEY DEFAULT nextval('shared_seq'));
INSERT INTO sa VALUES (300);
INSERT INTO sb VALUES (DEFAULT) RETURNING id;

-- the limit of the column: the sequence cannot go past it
CREATE TABLE small (id smallserial PRIMARY KEY);
INSERT INTO small VALUES (32767);
SELECT last_value, is_called FROM small_id_seq;

-- seqguard.mode = warn: a WARNING and the sequence stays
SET seqguard.mode = warn;
INSERT INTO t (id, v) VALUES (2000, 1);
SELECT last_value FROM t_id_seq;
-- seqguard.mode = error: the statement fails and is rolled back
SET seqguard.mode = error;
INSERT INTO t (id, v) VALUES (3000, 1);
COPY t (id, v) FROM STDIN;
3001	1
\.
SELECT count(*) FROM t WHERE id = 3000;
-- ... but a value below the next one is fine, although the column already
-- holds 2000 from the warn step
INSERT INTO t (id, v) VALUES (2, 1);
-- and so are the sequence's own values
INSERT INTO t (v) VALUES (1) RETURNING id;
-- seqguard.mode = off: nothing
SET seqguard.mode = off;
INSERT INTO t (id, v) VALUES (4000, 1);
SELECT last_value FROM t_id_seq;
RESET seqguard.mode;

-- an application role with INSERT on the table and USAGE on the sequence,
-- but no UPDATE on it, is guarded all the same
CREATE ROLE seqguard_app;
CREATE TABLE app (id serial PRIMARY KEY);
GRANT USAGE ON SCHEMA guard TO seqguard_app;
GRANT SELECT, INSERT ON app TO seqguard_app;
GRANT USAGE ON SEQUENCE app_id_seq TO seqguard_app;
SET ROLE seqguard_app;
INSERT INTO app VALUES (40);
INSERT INTO app VALUES (DEFAULT) RETURNING id;
-- only superusers may change the mode
SET seqguard.mode = off;
RESET ROLE;
DROP TABLE app;
REVOKE USAGE ON SCHEMA guard FROM seqguard_app;
DROP ROLE seqguard_app;

-- a session that preloads the library through session_preload_libraries
ALTER DATABASE contrib_regression SET session_preload_libraries = 'seqguard';
\c contrib_regression
SET search_path = guard, public;
CREATE TABLE sp (id serial PRIMARY KEY);
INSERT INTO sp VALUES (77);
INSERT INTO sp VALUES (DEFAULT) RETURNING id;
ALTER DATABASE contrib_regression RESET session_preload_libraries;

DROP SCHEMA guard CASCADE;
DROP EXTENSION seqguard;
