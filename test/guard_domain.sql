-- A nextval() default on a column whose type is a domain over integer is
-- the column's own default: an insert that takes it does not make the
-- guard act, as for a plain integer serial column.  Each table already
-- holds an explicit 100 written with the guard off; a default insert in
-- fix mode then leaves the sequence where nextval() left it.
BEGIN;
SELECT plan(4);
LOAD 'seqguard';

CREATE SCHEMA gdom;
CREATE DOMAIN gdom.posint AS integer CHECK (VALUE > 0);
CREATE TABLE gdom.plain (id serial PRIMARY KEY, v int);
CREATE SEQUENCE gdom.dom_seq;
CREATE TABLE gdom.dom (id gdom.posint PRIMARY KEY DEFAULT nextval('gdom.dom_seq'), v int);
ALTER SEQUENCE gdom.dom_seq OWNED BY gdom.dom.id;

SET LOCAL seqguard.mode = off;
INSERT INTO gdom.plain VALUES (100, 0);
INSERT INTO gdom.dom VALUES (100, 0);
SET LOCAL seqguard.mode = fix;

INSERT INTO gdom.plain (v) VALUES (1) RETURNING id AS plain_id \gset
SELECT is(:plain_id, 1, '(plain integer: the default insert gets id 1)');
SELECT is((SELECT last_value FROM gdom.plain_id_seq), 1::bigint,
          'plain integer: the guard leaves the sequence where nextval() left it');
INSERT INTO gdom.dom (v) VALUES (1) RETURNING id AS dom_id \gset
SELECT is(:dom_id, 1, '(domain over integer: the default insert gets id 1)');
SELECT is((SELECT last_value FROM gdom.dom_seq), 1::bigint,
          'domain over integer: the guard leaves the sequence where nextval() left it');

SELECT * FROM finish();
ROLLBACK;
