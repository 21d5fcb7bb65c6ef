--
-- A hostile schema first on search_path: a role that owns a schema
-- defines operators and functions there, under the names and argument
-- types that catalog queries use, each recording its calls.  Neither the
-- guard (acting for that role) nor a superuser's check and repair run any
-- of them, and the backend stays alive.
--
CREATE EXTENSION seqguard;
CREATE ROLE seqguard_mallory;
CREATE SCHEMA evil AUTHORIZATION seqguard_mallory;
CREATE SCHEMA ghostile;
CREATE TABLE ghostile.target (id serial PRIMARY KEY);
CREATE TABLE ghostile.lagging (id serial PRIMARY KEY);
SET seqguard.mode = off;
INSERT INTO ghostile.lagging VALUES (500);
RESET seqguard.mode;
GRANT USAGE ON SCHEMA ghostile TO seqguard_mallory;
GRANT INSERT ON ghostile.target TO seqguard_mallory;
GRANT USAGE ON SEQUENCE ghostile.target_id_seq TO seqguard_mallory;

SET ROLE seqguard_mallory;
CREATE TABLE evil.calls (called text);
GRANT INSERT ON evil.calls TO PUBLIC;
DO $$
DECLARE
  pair record;
  op text;
  n int := 0;
BEGIN
  FOR pair IN SELECT * FROM (VALUES ('oid', 'oid'), ('regclass', 'regclass'), ('int2', 'int2'),
      ('int4', 'int4'), ('int8', 'int8'), ('int2', 'int4'), ('int4', 'int2'), ('int4', 'int8'),
      ('int8', 'int4'), ('"char"', '"char"'), ('name', 'name'), ('name', 'text'), ('text', 'text'),
      ('bool', 'bool')) AS v(l, r)
  LOOP
    FOREACH op IN ARRAY ARRAY['=', '<>', '<', '>', '<=', '>=']
    LOOP
      n := n + 1;
      EXECUTE format($f$
        CREATE FUNCTION evil.op_%s(a %s, b %s) RETURNS boolean LANGUAGE plpgsql AS
          $b$BEGIN INSERT INTO evil.calls VALUES (%L); RETURN a OPERATOR(pg_catalog.%s) b; END$b$;
        CREATE OPERATOR evil.%s (FUNCTION = evil.op_%s, LEFTARG = %s, RIGHTARG = %s)$f$,
        n, pair.l, pair.r, pair.l || ' ' || op || ' ' || pair.r, op, op, n, pair.l, pair.r);
    END LOOP;
  END LOOP;
END $$;
CREATE FUNCTION evil.pg_get_expr(e pg_node_tree, r oid) RETURNS text LANGUAGE plpgsql AS
  $$BEGIN INSERT INTO evil.calls VALUES ('pg_get_expr'); RETURN pg_catalog.pg_get_expr(e, r); END$$;
CREATE FUNCTION evil.has_table_privilege(r oid, p text) RETURNS boolean LANGUAGE plpgsql AS
  $$BEGIN INSERT INTO evil.calls VALUES ('has_table_privilege'); RETURN pg_catalog.has_table_privilege(r, p); END$$;
CREATE FUNCTION evil.has_sequence_privilege(r oid, p text) RETURNS boolean LANGUAGE plpgsql AS
  $$BEGIN INSERT INTO evil.calls VALUES ('has_sequence_privilege'); RETURN pg_catalog.has_sequence_privilege(r, p); END$$;
CREATE FUNCTION evil.has_schema_privilege(n oid, p text) RETURNS boolean LANGUAGE plpgsql AS
  $$BEGIN INSERT INTO evil.calls VALUES ('has_schema_privilege'); RETURN pg_catalog.has_schema_privilege(n, p); END$$;
CREATE FUNCTION evil.has_column_privilege(r oid, a int2, p text) RETURNS boolean LANGUAGE plpgsql AS
  $$BEGIN INSERT INTO evil.calls VALUES ('has_column_privilege'); RETURN pg_catalog.has_column_privilege(r, a, p); END$$;
CREATE FUNCTION evil.quote_ident(t text) RETURNS text LANGUAGE plpgsql AS
  $$BEGIN INSERT INTO evil.calls VALUES ('quote_ident'); RETURN pg_catalog.quote_ident(t); END$$;
CREATE FUNCTION evil.format_type(t oid, m int4) RETURNS text LANGUAGE plpgsql AS
  $$BEGIN INSERT INTO evil.calls VALUES ('format_type'); RETURN pg_catalog.format_type(t, m); END$$;
RESET ROLE;

-- the guard, acting for that role
LOAD 'seqguard';
SET ROLE seqguard_mallory;
SET search_path = evil, pg_catalog, public;
INSERT INTO ghostile.target VALUES (100);
RESET search_path;
RESET ROLE;
SELECT count(*) AS hostile_calls FROM evil.calls;
SELECT last_value >= 100 AS moved FROM ghostile.target_id_seq;

-- a superuser's check and repair
SET search_path = evil, pg_catalog, public;
SELECT table_name, status FROM public.check_sequence_health('{ghostile}');
SELECT sequence_name, action FROM public.fix_all_sequences(schemas => '{ghostile}');
SELECT sequence_name, action FROM public.fix_sequence('ghostile.target');
SELECT public.assert_sequences_healthy('{ghostile}');
RESET search_path;
SELECT count(*) AS hostile_calls FROM evil.calls;
SELECT last_value >= 500 AS fixed FROM ghostile.lagging_id_seq;

SET client_min_messages = warning;
DROP SCHEMA evil CASCADE;
DROP SCHEMA ghostile CASCADE;
RESET client_min_messages;
DROP ROLE seqguard_mallory;
DROP EXTENSION seqguard;
