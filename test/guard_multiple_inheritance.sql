-- A child with two parents, whose sequence-fed column comes from its
-- second parent: its rows belong to that parent's tree.  The guard covers
-- explicit ids written into the child and INHERIT that makes the parent
-- its second one, and the check folds the child into that parent (one row
-- for the root, as for any inheritance child).
BEGIN;
SELECT plan(3);
LOAD 'seqguard';
SET LOCAL seqguard.mode = fix;

CREATE SCHEMA gmi;
CREATE TABLE gmi.audited (note text);
CREATE TABLE gmi.items (id serial PRIMARY KEY);

-- INHERIT of a populated table as its second parent
CREATE TABLE gmi.d (note text, id int NOT NULL);
ALTER TABLE gmi.d INHERIT gmi.audited;
INSERT INTO gmi.d VALUES ('x', 900);
ALTER TABLE gmi.d INHERIT gmi.items;
SELECT is((SELECT status FROM check_sequence_health(ARRAY['gmi']) WHERE table_name = 'items'), 'ok',
          'INHERIT as the second parent moves that parent''s sequence past the child''s rows');

-- an explicit id into such a child (its column has no default of its own),
-- once the tree is in order
SELECT FROM fix_all_sequences(schemas => ARRAY['gmi']);
INSERT INTO gmi.d VALUES ('y', 2000);
SELECT is((SELECT status FROM check_sequence_health(ARRAY['gmi']) WHERE table_name = 'items'), 'ok',
          'an explicit id written into a child through its second parent''s column moves the sequence');

-- a child created with both parents: one row, for the root
CREATE TABLE gmi.c () INHERITS (gmi.audited, gmi.items);
INSERT INTO gmi.c (id, note) VALUES (3000, 'z');
SELECT is((SELECT array_agg(table_name::text ORDER BY table_name) FROM check_sequence_health(ARRAY['gmi'])),
          ARRAY['items'],
          'the check reports the second parent''s column once, for the root of its tree');

SELECT * FROM finish();
ROLLBACK;
