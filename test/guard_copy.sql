-- The guard covers COPY whose column list leaves the id out when a BEFORE
-- ROW trigger sets it.
BEGIN;
SELECT plan(2);
LOAD 'seqguard';
SET LOCAL seqguard.mode = fix;

CREATE SCHEMA gcopy;
CREATE TABLE gcopy.t (id serial PRIMARY KEY, v int);
CREATE FUNCTION gcopy.id_from_v() RETURNS trigger LANGUAGE plpgsql AS
$$ BEGIN NEW.id := 1000 + NEW.v; RETURN NEW; END $$;
CREATE TRIGGER set_id BEFORE INSERT ON gcopy.t FOR EACH ROW EXECUTE FUNCTION gcopy.id_from_v();

COPY gcopy.t (v) FROM STDIN;
5
7
\.
SELECT is((SELECT max(id) FROM gcopy.t), 1007, '(the trigger set the ids)');
SELECT cmp_ok(nextval('gcopy.t_id_seq'), '>', 1007::bigint,
              'COPY t (v) moves the sequence past the ids the trigger set');

SELECT * FROM finish();
ROLLBACK;
