-- check_sequence_health(): schema, table, column and sequence names with
-- quotes, spaces, upper case, dots, non-ASCII letters and SQL in them are
-- reported as they are, matched exactly in schemas[], and never run as SQL,
-- also in the repair statements the detail gives.
BEGIN;
SELECT plan(21);

SET LOCAL seqguard.mode = off;	-- explicit ids below must stay where they are put

CREATE SCHEMA "Sales Dept";
CREATE SCHEMA "Séq Schema";
CREATE TABLE public.cn_victim (x int);
CREATE SEQUENCE "Séq Schema"."séq; DROP TABLE public.cn_victim; --";
CREATE TABLE "Sales Dept"."Order's ""Items""" (
  "Id Ñ" bigint PRIMARY KEY DEFAULT nextval('"Séq Schema"."séq; DROP TABLE public.cn_victim; --"'),
  "ID" int GENERATED ALWAYS AS IDENTITY,
  note text);

CREATE TEMP VIEW h AS SELECT * FROM check_sequence_health(ARRAY['Sales Dept']);

SELECT is((SELECT count(*) FROM h), 2::bigint, 'schemas[] takes the schema name as it is, with space and capitals');
SELECT is((SELECT table_schema FROM h WHERE column_name = 'Id Ñ'), 'Sales Dept'::name, 'table_schema is the bare name');
SELECT is((SELECT table_name FROM h WHERE column_name = 'Id Ñ'), 'Order''s "Items"'::name,
          'table_name is the bare name, quotes included, unescaped');
SELECT is((SELECT sequence_schema FROM h WHERE column_name = 'Id Ñ'), 'Séq Schema'::name,
          'sequence_schema is the bare name');
SELECT is((SELECT sequence_name FROM h WHERE column_name = 'Id Ñ'), 'séq; DROP TABLE public.cn_victim; --'::name,
          'sequence_name is the bare name, SQL and all');
SELECT is((SELECT column_kind FROM h WHERE column_name = 'ID'), 'identity',
          'an upper-case "ID" column is a column of its own, identity');
SELECT is((SELECT sequence_name FROM h WHERE column_name = 'ID'),
          (SELECT relname FROM pg_class WHERE oid = pg_get_serial_sequence('"Sales Dept"."Order''s ""Items"""', 'ID')::regclass),
          'the identity sequence of the "ID" column is named');

-- exact matching of schema names
SELECT throws_ok($$SELECT * FROM check_sequence_health(ARRAY['sales dept'])$$, '3F000',
                 'schema "sales dept" does not exist', 'schema names are not folded to lower case');
SELECT throws_ok($$SELECT * FROM check_sequence_health(ARRAY['"Sales Dept"'])$$, '3F000',
                 'schema ""Sales Dept"" does not exist', 'schema names are not parsed as quoted identifiers');

-- a repair statement built from these names
INSERT INTO "Sales Dept"."Order's ""Items""" ("Id Ñ", note) VALUES (321, 'imported');
SELECT is((SELECT status FROM h WHERE column_name = 'Id Ñ'), 'out_of_sync', 'an imported id is found');
CREATE FUNCTION pg_temp.repair() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE substring((SELECT detail FROM check_sequence_health(ARRAY['Sales Dept']) WHERE column_name = 'Id Ñ')
                    FROM 'Repair with: (SELECT [^;]*;)');
END $$;
SELECT lives_ok('SELECT pg_temp.repair()', 'the repair statement with these names runs as written');
SELECT is((SELECT status || ' ' || next_value FROM h WHERE column_name = 'Id Ñ'), 'ok 322',
          'and repairs the column');
SELECT has_table('public', 'cn_victim', 'no name was run as SQL');

-- a schema whose name is an SQL injection attempt
CREATE SCHEMA "x'); DROP TABLE public.cn_victim; --";
CREATE TABLE "x'); DROP TABLE public.cn_victim; --".t (id serial);
SELECT is((SELECT table_schema || '/' || table_name FROM check_sequence_health(ARRAY['x''); DROP TABLE public.cn_victim; --'])),
          'x''); DROP TABLE public.cn_victim; --/t', 'a schema name full of SQL is a name in schemas[]');
SELECT throws_ok($$SELECT * FROM check_sequence_health(ARRAY['public''); DROP TABLE public.cn_victim; --'])$$, '3F000',
                 NULL, 'an unknown schema name full of SQL is an unknown schema');
SELECT has_table('public', 'cn_victim', 'still no name was run as SQL');

-- a dot is part of a name, not a separator
CREATE SCHEMA "a.b";
CREATE TABLE "a.b"."c.d" (id serial);
SELECT is((SELECT table_schema || '|' || table_name FROM check_sequence_health(ARRAY['a.b'])), 'a.b|c.d',
          'dots in schema and table names are kept');
SELECT throws_ok($$SELECT * FROM check_sequence_health(ARRAY['a'])$$, '3F000', NULL,
                 'the part of a dotted name before the dot is not a schema');

-- the longest name, multibyte
CREATE TABLE "Sales Dept"."ÄÖÜäöüßÄÖÜäöüßÄÖÜäöüßÄÖÜäöüßÄÖÜ" (id smallserial);
SELECT is((SELECT table_name FROM h WHERE table_name LIKE 'ÄÖÜ%'), 'ÄÖÜäöüßÄÖÜäöüßÄÖÜäöüßÄÖÜäöüßÄÖÜ'::name,
          'a 62-byte multibyte table name comes back whole');

-- widening statements with these names
SELECT FROM setval(pg_get_serial_sequence('"Sales Dept"."ÄÖÜäöüßÄÖÜäöüßÄÖÜäöüßÄÖÜäöüßÄÖÜ"', 'id'), 32767);
\ir lib/advice.sql
CREATE FUNCTION pg_temp.widen() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_temp.run_statements(
    substring((SELECT detail FROM check_sequence_health(ARRAY['Sales Dept']) WHERE table_name LIKE 'ÄÖÜ%')
              FROM 'Widen the range with: ((?:(?:the steps of )?(?:SELECT|ALTER) [^;]*;\s*)+)'));
END $$;
SELECT lives_ok('SELECT pg_temp.widen()', 'the widening statements with a multibyte name run as written');
SELECT is((SELECT status FROM h WHERE table_name LIKE 'ÄÖÜ%'), 'ok', 'and the smallserial is ok again');

SELECT * FROM finish();
ROLLBACK;
