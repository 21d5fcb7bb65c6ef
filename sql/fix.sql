--
-- fix_all_sequences() and fix_sequence(): what a user sees.
--
CREATE EXTENSION seqguard;
CREATE SCHEMA repair;
SET search_path = repair, public;
-- lagging rows are made on purpose, also where the guard is preloaded
SET seqguard.mode = off;

CREATE TABLE orders (id serial PRIMARY KEY);
INSERT INTO orders SELECT generate_series(1, 20);
-- odd ids, and a pooled increment of 50
CREATE SEQUENCE odd_seq START 1 INCREMENT 2;
CREATE TABLE odd (id bigint PRIMARY KEY DEFAULT nextval('odd_seq'));
INSERT INTO odd VALUES (10);
CREATE TABLE pooled (id bigint PRIMARY KEY);
CREATE SEQUENCE pooled_seq START 1 INCREMENT 50 OWNED BY pooled.id;
INSERT INTO pooled VALUES (120);
-- descending
CREATE SEQUENCE down_seq INCREMENT -1 MAXVALUE -1;
CREATE TABLE down (id bigint PRIMARY KEY DEFAULT nextval('down_seq'));
INSERT INTO down VALUES (-30);
-- shared by two tables: judged against both
CREATE SEQUENCE doc_seq;
CREATE TABLE invoice (id bigint PRIMARY KEY DEFAULT nextval('doc_seq'));
CREATE TABLE credit (id bigint PRIMARY KEY DEFAULT nextval('doc_seq'));
INSERT INTO invoice VALUES (5);
INSERT INTO credit VALUES (8);
-- partitioned: an id written straight into a partition
CREATE TABLE parted (id bigserial, k int) PARTITION BY LIST (k);
CREATE TABLE parted_1 PARTITION OF parted FOR VALUES IN (1);
INSERT INTO parted_1 VALUES (77, 1);
-- ahead of its data, and empty
CREATE TABLE ahead (id serial PRIMARY KEY);
INSERT INTO ahead VALUES (3);
SELECT setval('ahead_id_seq', 1000);
CREATE TABLE empty (id serial PRIMARY KEY);
SELECT setval('empty_id_seq', 40);
-- cannot go far enough: the column's limit
CREATE TABLE tiny (id smallint PRIMARY KEY);
CREATE SEQUENCE tiny_seq AS bigint OWNED BY tiny.id;
INSERT INTO tiny VALUES (32767);
-- near its end itself, so that 32767 counts as an id, not a sentinel
SELECT setval('tiny_seq', 32760);
-- in order already
CREATE TABLE fine (id serial PRIMARY KEY);
INSERT INTO fine DEFAULT VALUES;

-- a dry run changes nothing and reports what a real run does
SELECT sequence_name, old_next_value, new_next_value, action, detail
  FROM fix_all_sequences(dry_run => true, schemas => ARRAY['repair']);
SELECT last_value, is_called FROM orders_id_seq;
SELECT sequence_name, old_next_value, new_next_value, action, detail
  FROM fix_all_sequences(schemas => ARRAY['repair']);
-- a second run reports only what it still cannot do
SELECT sequence_name, action FROM fix_all_sequences(schemas => ARRAY['repair']);
-- and the next inserts take fresh ids
INSERT INTO orders DEFAULT VALUES RETURNING id;
INSERT INTO odd DEFAULT VALUES RETURNING id;
SELECT nextval('pooled_seq');
INSERT INTO down DEFAULT VALUES RETURNING id;
INSERT INTO invoice DEFAULT VALUES RETURNING id;
INSERT INTO parted (k) VALUES (1) RETURNING id;

-- allow_backward: a sequence ahead of its data is reset past it, an empty
-- table's to START
SELECT sequence_name, old_next_value, new_next_value, action
  FROM fix_all_sequences(dry_run => true, schemas => ARRAY['repair'], allow_backward => true)
 WHERE sequence_name IN ('ahead_id_seq', 'empty_id_seq');
SELECT sequence_name, old_next_value, new_next_value, action
  FROM fix_all_sequences(schemas => ARRAY['repair'], allow_backward => true)
 WHERE sequence_name IN ('ahead_id_seq', 'empty_id_seq');
INSERT INTO ahead DEFAULT VALUES RETURNING id;
INSERT INTO empty DEFAULT VALUES RETURNING id;

-- fix_sequence(): one table, or one column of it
INSERT INTO orders VALUES (500);
INSERT INTO credit VALUES (900);
SELECT sequence_name, old_next_value, new_next_value, action
  FROM fix_sequence('orders', 'id');
SELECT sequence_name, old_next_value, new_next_value, action, detail
  FROM fix_sequence('invoice');
INSERT INTO parted_1 VALUES (200, 1);
SELECT sequence_name, old_next_value, new_next_value, action FROM fix_sequence('parted_1');

-- bad input: errors, and nothing moved
INSERT INTO orders VALUES (600);
CREATE VIEW orders_view AS SELECT * FROM orders;
CREATE TABLE plain (a int);
SELECT * FROM fix_sequence('orders_view');
SELECT * FROM fix_sequence('orders_pkey');
SELECT * FROM fix_sequence('orders_id_seq');
SELECT * FROM fix_sequence('orders', 'nope');
SELECT * FROM fix_sequence('plain');
SELECT * FROM fix_sequence('plain', 'a');
SELECT * FROM fix_sequence(NULL);
SELECT * FROM fix_sequence('orders', dry_run => NULL);
SELECT * FROM fix_all_sequences(NULL);
SELECT * FROM fix_all_sequences(allow_backward => NULL);
SELECT * FROM fix_all_sequences(schemas => ARRAY['repair', 'missing']);
SELECT * FROM fix_sequence('"orders; DROP TABLE repair.plain"');
SELECT last_value, is_called FROM orders_id_seq;
-- a read-only transaction may only dry-run
BEGIN READ ONLY;
SELECT sequence_name, action FROM fix_sequence('orders', dry_run => true);
SELECT * FROM fix_sequence('orders');
ROLLBACK;

DROP SCHEMA repair CASCADE;
DROP EXTENSION seqguard;
