-- Values that the server computes or rewrites in a sequence-fed column
-- without the statement naming them: a stored generated column that owns
-- a sequence (recomputed by an UPDATE of the column it is generated from,
-- or by COPY, which cannot list it), and ALTER COLUMN ... TYPE ... USING,
-- which rewrites every id.  In fix mode the sequence must end up past them.
BEGIN;
SELECT plan(4);
LOAD 'seqguard';
SET LOCAL seqguard.mode = fix;

CREATE SCHEMA grw;
CREATE TABLE grw.g (a int, code bigint GENERATED ALWAYS AS (a * 10) STORED UNIQUE);
CREATE SEQUENCE grw.gs OWNED BY grw.g.code;
INSERT INTO grw.g (a) VALUES (5);
SELECT is((SELECT status FROM check_sequence_health(ARRAY['grw']) WHERE table_name = 'g'), 'ok',
          'INSERT: the generated value is covered');
UPDATE grw.g SET a = 100;
SELECT is((SELECT status FROM check_sequence_health(ARRAY['grw']) WHERE table_name = 'g'), 'ok',
          'UPDATE of the column a generated sequence-fed column is computed from is covered');
SELECT FROM fix_all_sequences(schemas => ARRAY['grw']);
COPY grw.g (a) FROM STDIN;
500
\.
SELECT is((SELECT status FROM check_sequence_health(ARRAY['grw']) WHERE table_name = 'g'), 'ok',
          'COPY of the column a generated sequence-fed column is computed from is covered');

CREATE TABLE grw.t (id serial PRIMARY KEY, v text);
INSERT INTO grw.t (v) VALUES ('a'), ('b');
ALTER TABLE grw.t ALTER id TYPE bigint USING id + 10000;
SELECT is((SELECT status FROM check_sequence_health(ARRAY['grw']) WHERE table_name = 't'), 'ok',
          'ALTER COLUMN ... TYPE ... USING that renumbers the ids moves the sequence past them');

SELECT * FROM finish();
ROLLBACK;
