-- A column whose type is a domain with DEFAULT nextval() takes its values
-- from that sequence (the column has no default of its own): it is a
-- sequence-fed column like one with the default written on the column.
-- The check reports it, the repair moves the sequence past its values,
-- and the guard moves it past explicit ids written into it.
BEGIN;
SELECT plan(4);
LOAD 'seqguard';

CREATE SCHEMA cdd;
CREATE SEQUENCE cdd.s;
CREATE DOMAIN cdd.order_id AS bigint DEFAULT nextval('cdd.s');
CREATE TABLE cdd.t (id cdd.order_id PRIMARY KEY, v int);
SET LOCAL seqguard.mode = off;
INSERT INTO cdd.t (v) VALUES (1);
INSERT INTO cdd.t (id, v) VALUES (50, 2);

SELECT is((SELECT status FROM check_sequence_health(ARRAY['cdd'])), 'out_of_sync',
          'check: the domain-default column is reported out of sync');
SELECT is((SELECT action FROM fix_all_sequences(schemas => ARRAY['cdd'])), 'advanced',
          'fix: the sequence of the domain default is advanced');
INSERT INTO cdd.t (v) VALUES (3) RETURNING id AS next_id \gset
SELECT is(:next_id, 51, 'fix: the next default insert takes the value past the explicit id');

SET LOCAL seqguard.mode = fix;
INSERT INTO cdd.t (id, v) VALUES (500, 4);
SELECT cmp_ok(nextval('cdd.s'), '>', 500::bigint,
              'guard: an explicit id written into the column moves the domain default''s sequence');

SELECT * FROM finish();
ROLLBACK;
