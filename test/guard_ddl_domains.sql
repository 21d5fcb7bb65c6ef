-- DDL that brings a populated column under a sequence, besides those in
-- guard_ddl.sql: CREATE SEQUENCE ... OWNED BY, ALTER DOMAIN ... SET
-- DEFAULT nextval(), and ALTER TABLE ... ALTER COLUMN ... DROP DEFAULT
-- where the domain's nextval() default then applies.  Fix mode moves the
-- sequence past the rows; error mode fails the statement, as it does for
-- ALTER SEQUENCE ... OWNED BY.  ALTER DOMAIN also reaches the guard's
-- cache in the session that ran it: explicit ids written afterwards are
-- guarded.
BEGIN;
SELECT plan(10);
LOAD 'seqguard';
SET LOCAL seqguard.mode = fix;

\ir lib/next_value.sql

CREATE SCHEMA gdd;

-- CREATE SEQUENCE ... OWNED BY a populated column
CREATE TABLE gdd.o (id int PRIMARY KEY);
INSERT INTO gdd.o VALUES (300);
CREATE SEQUENCE gdd.o_seq OWNED BY gdd.o.id;
SELECT is(pg_temp.next_value('gdd.o_seq'), 301::numeric, 'CREATE SEQUENCE ... OWNED BY: moved past the rows');

-- ALTER DOMAIN ... SET DEFAULT nextval(): the table has been written in
-- this session before, so its cache entry predates the default
CREATE SEQUENCE gdd.dseq;
CREATE DOMAIN gdd.ident AS int;
CREATE TABLE gdd.d (id gdd.ident PRIMARY KEY, v text);
INSERT INTO gdd.d VALUES (400, 'a');
ALTER DOMAIN gdd.ident SET DEFAULT nextval('gdd.dseq');
SELECT is(pg_temp.next_value('gdd.dseq'), 401::numeric, 'ALTER DOMAIN ... SET DEFAULT nextval(): moved past the rows');
INSERT INTO gdd.d VALUES (450, 'b');
SELECT is(pg_temp.next_value('gdd.dseq'), 451::numeric,
          'an explicit id written after ALTER DOMAIN in the same session is guarded');

-- DROP DEFAULT uncovers the domain's nextval() default
CREATE SEQUENCE gdd.useq;
CREATE DOMAIN gdd.uident AS int DEFAULT nextval('gdd.useq');
CREATE TABLE gdd.u (id gdd.uident PRIMARY KEY DEFAULT 0, v text);
INSERT INTO gdd.u VALUES (500, 'a');
ALTER TABLE gdd.u ALTER COLUMN id DROP DEFAULT;
SELECT is(pg_temp.next_value('gdd.useq'), 501::numeric,
          'DROP DEFAULT that lets the domain''s nextval() default apply: moved past the rows');
SELECT lives_ok($$INSERT INTO gdd.u (v) VALUES ('next')$$, 'and the next default insert succeeds');

-- error mode: each fails
SET LOCAL seqguard.mode = error;
CREATE TABLE gdd.o2 (id int PRIMARY KEY);
INSERT INTO gdd.o2 VALUES (300);
SELECT throws_ok($$CREATE SEQUENCE gdd.o2_seq OWNED BY gdd.o2.id$$, '23000', NULL,
                 'error mode: CREATE SEQUENCE ... OWNED BY a populated column fails');
CREATE SEQUENCE gdd.o3_seq;
SELECT throws_ok($$ALTER SEQUENCE gdd.o3_seq OWNED BY gdd.o2.id$$, '23000', NULL,
                 'error mode: ALTER SEQUENCE ... OWNED BY a populated column fails');
CREATE SEQUENCE gdd.dseq2;
CREATE DOMAIN gdd.ident2 AS int;
CREATE TABLE gdd.d2 (id gdd.ident2 PRIMARY KEY);
INSERT INTO gdd.d2 VALUES (400);
SELECT throws_ok($$ALTER DOMAIN gdd.ident2 SET DEFAULT nextval('gdd.dseq2')$$, '23000', NULL,
                 'error mode: ALTER DOMAIN ... SET DEFAULT nextval() over populated columns fails');
CREATE SEQUENCE gdd.useq2;
CREATE DOMAIN gdd.uident2 AS int DEFAULT nextval('gdd.useq2');
CREATE TABLE gdd.u2 (id gdd.uident2 PRIMARY KEY DEFAULT 0);
INSERT INTO gdd.u2 VALUES (500);
SELECT throws_ok($$ALTER TABLE gdd.u2 ALTER COLUMN id DROP DEFAULT$$, '23000', NULL,
                 'error mode: DROP DEFAULT uncovering a nextval() domain default fails');
-- a domain default that does not call nextval() changes nothing
CREATE DOMAIN gdd.plain AS int;
CREATE TABLE gdd.pl (id gdd.plain PRIMARY KEY);
INSERT INTO gdd.pl VALUES (5);
SELECT lives_ok($$ALTER DOMAIN gdd.plain SET DEFAULT 0$$, 'error mode: a domain default without nextval() passes');

SELECT * FROM finish();
ROLLBACK;
