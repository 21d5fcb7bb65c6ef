-- The guard's working memory is freed after each statement it looks at.
-- A SQL-language function that writes explicit ids, called once per row
-- of a large query, runs the guard once per call; what the guard
-- allocates must not pile up in the function's memory until the query
-- ends.  The backend's memory at the end of a query of 20,000 such calls
-- stays within 2 MB of that at the end of a query of 10 calls.
BEGIN;
SELECT plan(2);
LOAD 'seqguard';
SET LOCAL seqguard.mode = fix;

CREATE SCHEMA gmem;
CREATE TABLE gmem.t (id bigserial PRIMARY KEY, v int);
CREATE FUNCTION gmem.add(bigint) RETURNS void LANGUAGE sql AS $$ INSERT INTO gmem.t VALUES ($1, 0) $$;

-- the backend's memory at the end of a query that calls gmem.add() for
-- the ids first .. last
CREATE FUNCTION pg_temp.memory_after_calls(first int, last int) RETURNS numeric LANGUAGE plpgsql AS $$
DECLARE total numeric;
BEGIN
  WITH calls AS MATERIALIZED (
    SELECT count(gmem.add(g)) FROM (SELECT generate_series(first, last) AS g) s)
  SELECT (SELECT sum(total_bytes) FROM pg_backend_memory_contexts) INTO total FROM calls;
  RETURN total;
END $$;

SELECT pg_temp.memory_after_calls(1, 10) AS small \gset
SELECT pg_temp.memory_after_calls(11, 20010) AS large \gset
SELECT is((SELECT count(*) FROM gmem.t), 20010::bigint, '(every call wrote its row)');
SELECT cmp_ok((:large - :small)::numeric, '<', 2 * 1024 * 1024::numeric,
              'the memory of a query of 20,000 guarded calls is within 2 MB of one of 10 calls');

SELECT * FROM finish();
ROLLBACK;
