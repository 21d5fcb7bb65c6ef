-- test/lib/next_value.sql: pg_temp.next_value(regclass), included by the
-- pgTAP tests that look at where the guard left a sequence: what the next
-- nextval() would return, without drawing it.
CREATE FUNCTION pg_temp.next_value(s regclass) RETURNS numeric LANGUAGE plpgsql AS $$
DECLARE lv bigint; called boolean;
BEGIN
  EXECUTE format('SELECT last_value, is_called FROM %s', s) INTO lv, called;
  RETURN lv::numeric + CASE WHEN called THEN (SELECT seqincrement FROM pg_sequence WHERE seqrelid = s) ELSE 0 END;
END $$;
