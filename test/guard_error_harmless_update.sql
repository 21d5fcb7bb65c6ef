-- warn and error judge only the values a statement wrote, so that a table
-- already out of sync does not fail harmless writes.  An UPDATE that
-- leaves the id as it was writes no id, also when the table has a
-- BEFORE UPDATE row trigger (the usual updated_at trigger).  An UPDATE
-- that does set an id past the sequence still fails.
BEGIN;
SELECT plan(3);
LOAD 'seqguard';

CREATE SCHEMA gehu;
CREATE TABLE gehu.t (id serial PRIMARY KEY, v int, updated_at timestamptz);
CREATE FUNCTION gehu.touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN NEW.updated_at := now(); RETURN NEW; END $$;
CREATE TRIGGER touch BEFORE UPDATE ON gehu.t FOR EACH ROW EXECUTE FUNCTION gehu.touch();
-- an import made before the guard was turned on left the table out of sync
SET LOCAL seqguard.mode = off;
INSERT INTO gehu.t (id, v) VALUES (100, 0);
SET LOCAL seqguard.mode = error;

SELECT lives_ok($$UPDATE gehu.t SET v = 1 WHERE id = 100$$,
                'error: an UPDATE of another column, with an updated_at trigger, does not fail');
SELECT is((SELECT v FROM gehu.t), 1, '(the update was made)');
SELECT throws_ok($$UPDATE gehu.t SET id = 200 WHERE id = 100$$, '23000', NULL,
                 'error: an UPDATE that sets an id past the sequence still fails');

SELECT * FROM finish();
ROLLBACK;
