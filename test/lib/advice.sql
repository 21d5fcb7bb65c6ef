-- test/lib/advice.sql: pg_temp.run_statements(text), included by the pgTAP
-- tests that follow a detail's advice as a user would: each statement as
-- written, and for "the steps of <query>;" every step that the query
-- returns, in order (but BEGIN and COMMIT: a test is one transaction).
-- Returns the number of statements run.
CREATE FUNCTION pg_temp.run_statements(stmts text) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  part text;
  steps text[];
  n integer := 0;
BEGIN
  FOREACH part IN ARRAY regexp_split_to_array(btrim(stmts), ';\s*') LOOP
    CONTINUE WHEN part = '';
    IF part LIKE 'the steps of %' THEN
      EXECUTE format('SELECT array_agg(statement ORDER BY step) FROM (%s) p WHERE action NOT IN (''begin'', ''commit'')',
                     substr(part, length('the steps of ') + 1)) INTO steps;
      FOREACH part IN ARRAY coalesce(steps, '{}') LOOP
        EXECUTE part;
        n := n + 1;
      END LOOP;
    ELSE
      EXECUTE part;
      n := n + 1;
    END IF;
  END LOOP;
  RETURN n;
END $$;
