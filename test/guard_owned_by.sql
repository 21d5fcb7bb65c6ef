-- ALTER SEQUENCE ... OWNED BY on a table the session has already written
-- with explicit ids (and so had looked at while it had no sequence-fed
-- column): later explicit ids written into it move the sequence.
BEGIN;
SELECT plan(3);
LOAD 'seqguard';
SET LOCAL seqguard.mode = fix;

CREATE SCHEMA gown;
CREATE TABLE gown.t (id int PRIMARY KEY, v int);
INSERT INTO gown.t VALUES (10, 1);
CREATE SEQUENCE gown.s;
ALTER SEQUENCE gown.s OWNED BY gown.t.id;
SELECT is(pg_get_serial_sequence('gown.t', 'id'), 'gown.s', '(the column owns the sequence)');
INSERT INTO gown.t VALUES (500, 1);
SELECT cmp_ok(nextval('gown.s'), '>', 500::bigint,
              'an explicit id written after OWNED BY moves the sequence');

-- the same with a default added later to a table the session had written
CREATE TABLE gown.u (id int PRIMARY KEY, v int);
INSERT INTO gown.u VALUES (10, 1);
CREATE SEQUENCE gown.us;
ALTER TABLE gown.u ALTER COLUMN id SET DEFAULT nextval('gown.us');
INSERT INTO gown.u VALUES (700, 1);
SELECT cmp_ok(nextval('gown.us'), '>', 700::bigint,
              'an explicit id written after SET DEFAULT nextval() moves the sequence');

SELECT * FROM finish();
ROLLBACK;
