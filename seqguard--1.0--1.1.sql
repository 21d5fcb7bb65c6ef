/* seqguard--1.0--1.1.sql: running out */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION seqguard UPDATE TO '1.1'" to load this file. \quit

/*
 * Every function below that runs SQL sets search_path to pg_catalog and
 * then pg_temp (which is never searched for functions and operators), and
 * names the extension's own objects with their schema: no object of the
 * caller's search_path (a table, function or operator of the same name)
 * can take their place.
 */

CREATE FUNCTION sequence_positions()
RETURNS TABLE (sequence regclass, "position" bigint)
AS 'MODULE_PATHNAME', 'seqguard_sequence_positions'
LANGUAGE C VOLATILE STRICT PARALLEL RESTRICTED ROWS 100;

COMMENT ON FUNCTION sequence_positions() IS
'the last value each permanent sequence the caller may read has handed out; sequences locked by another session are left out, none is waited for';

CREATE FUNCTION sequence_columns(schemas name[] DEFAULT NULL)
RETURNS TABLE (tbl regclass, column_name name, column_type regtype, sequence regclass)
AS 'MODULE_PATHNAME', 'seqguard_sequence_columns'
LANGUAGE C STABLE CALLED ON NULL INPUT PARALLEL RESTRICTED ROWS 100;

COMMENT ON FUNCTION sequence_columns(name[]) IS
'the sequence-fed columns that check_sequence_health() reports, each in the root table of its tree, with the column''s base type and its sequence';

/*
 * The history: per sequence, a fixed number of samples in three tiers of
 * buckets, each a ring: the latest sample of each 5-minute bucket for the
 * last hour (12), the first of each hour for two days (48), and the first
 * of each day for 120 days (120); so at most 180 rows per sequence,
 * however often it is sampled.  The sequence is a regclass, which pg_dump
 * writes as its name and a restore reads back as the new sequence's OID.
 */
CREATE TABLE sequence_samples (
    sequence   regclass    NOT NULL,
    tier       smallint    NOT NULL CHECK (tier BETWEEN 0 AND 2),
    slot       smallint    NOT NULL CHECK (slot >= 0),
    taken_at   timestamptz NOT NULL,
    "position" bigint      NOT NULL,
    PRIMARY KEY (sequence, tier, slot)
) WITH (fillfactor = 50);

COMMENT ON TABLE sequence_samples IS
'how far each sequence had gone when sample_sequences() ran: at most 180 rows per sequence (12 five-minute, 48 hourly and 120 daily samples); kept by pg_dump';

SELECT pg_catalog.pg_extension_config_dump('@extschema@.sequence_samples', '');

-- the role that created the extension samples (the table's owner is the
-- bootstrap superuser where a database owner created the trusted extension)
GRANT SELECT, INSERT, UPDATE, DELETE ON @extschema@.sequence_samples TO @extowner@;

CREATE FUNCTION sample_sequences(taken_at timestamptz DEFAULT now())
RETURNS integer
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    epoch float8;
    sampled integer;
BEGIN
    IF taken_at IS NULL OR NOT isfinite(taken_at) THEN
        RAISE EXCEPTION 'taken_at must be a finite time'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    epoch := extract(epoch FROM taken_at);

    /*
     * Tier 0 keeps the latest sample of its bucket; tiers 1 and 2 the
     * first, so that they are written once per hour and per day.  A slot
     * holding a sample of an older turn of its ring is overwritten; a
     * sample never replaces a later one.
     */
    WITH now_at AS MATERIALIZED (
        SELECT p.sequence, p."position" FROM @extschema@.sequence_positions() p),
    written AS (
        INSERT INTO @extschema@.sequence_samples AS s (sequence, tier, slot, taken_at, "position")
        SELECT n.sequence, t.tier, (floor(epoch / t.seconds)::bigint % t.slots)::smallint,
               sample_sequences.taken_at, n."position"
          FROM now_at n
         CROSS JOIN (VALUES (0::smallint, 300, 12), (1::smallint, 3600, 48), (2::smallint, 86400, 120))
                    AS t (tier, seconds, slots)
         WHERE t.tier = 0
            OR NOT EXISTS (SELECT FROM @extschema@.sequence_samples o
                            WHERE o.sequence = n.sequence AND o.tier = t.tier
                              AND o.slot = (floor(epoch / t.seconds)::bigint % t.slots)::smallint
                              AND floor(extract(epoch FROM o.taken_at) / t.seconds) >= floor(epoch / t.seconds))
        ON CONFLICT (sequence, tier, slot) DO UPDATE
           SET taken_at = excluded.taken_at, "position" = excluded."position"
         WHERE s.taken_at < excluded.taken_at)
    SELECT count(*) INTO sampled FROM now_at;

    -- the history of sequences dropped since (one index descent per sequence kept)
    DELETE FROM @extschema@.sequence_samples s
     WHERE s.sequence IN (
        WITH RECURSIVE kept (sequence) AS (
            (SELECT k.sequence FROM @extschema@.sequence_samples k ORDER BY k.sequence LIMIT 1)
            UNION ALL
            SELECT (SELECT k.sequence FROM @extschema@.sequence_samples k
                     WHERE k.sequence > kept.sequence ORDER BY k.sequence LIMIT 1)
              FROM kept WHERE kept.sequence IS NOT NULL)
        SELECT kept.sequence FROM kept
         WHERE kept.sequence IS NOT NULL
           AND NOT EXISTS (SELECT FROM pg_class c WHERE c.oid = kept.sequence::oid));
    RETURN sampled;
END
$$;

COMMENT ON FUNCTION sample_sequences(timestamptz) IS
'record how far every sequence the caller may read has gone, for sequence_forecast(); run it every few minutes from a scheduler';

/*
 * The rate at which a sequence consumes its values over window, ending at
 * its latest sample: values moved forward per day, between consecutive
 * samples.  A move backwards (a RESTART, a setval() back, a repair with
 * allow_backward) leaves its interval out.  So does a jump: a move in one
 * interval larger than ten times what the rest of the window moves in a
 * day (or in that interval, if longer), such as a repair or a one-off
 * import; the largest is judged first, then the next against what is
 * left.  A load that recurs every day is not a jump.
 */
CREATE FUNCTION sequence_rate(seq regclass, "window" interval DEFAULT '7 days')
RETURNS TABLE (values_per_day float8, samples integer, history_from timestamptz,
               history_to timestamptz, "position" bigint, jumps integer, resets integer)
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    dir integer;
    t timestamptz[];
    p bigint[];
    n integer;
    used boolean[];
    moved float8 := 0;
    secs float8 := 0;
    d float8;
    dt float8;
    big integer;
    big_d float8;
    rest_rate float8;
BEGIN
    IF "window" IS NULL OR "window" <= interval '0' THEN
        RAISE EXCEPTION 'window must be a positive interval'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT sign(q.seqincrement) INTO dir FROM pg_catalog.pg_sequence q WHERE q.seqrelid = seq::oid;
    IF dir IS NULL THEN
        RAISE EXCEPTION '"%" is not a sequence', seq USING ERRCODE = 'wrong_object_type';
    END IF;
    jumps := 0;
    resets := 0;
    -- every tier's samples in the window, one per instant, oldest first
    SELECT array_agg(x.taken_at ORDER BY x.taken_at), array_agg(x."position" ORDER BY x.taken_at)
      INTO t, p
      FROM (SELECT DISTINCT ON (s.taken_at) s.taken_at, s."position"
              FROM @extschema@.sequence_samples s
             WHERE s.sequence = seq
               AND s.taken_at >=
                   (SELECT max(l.taken_at) FROM @extschema@.sequence_samples l
                     WHERE l.sequence = seq) - "window"
             ORDER BY s.taken_at, s.tier) x;
    n := coalesce(array_length(t, 1), 0);
    samples := n;
    IF n = 0 THEN
        RETURN NEXT;
        RETURN;
    END IF;
    history_from := t[1];
    history_to := t[n];
    "position" := p[n];
    IF n < 2 THEN
        RETURN NEXT;
        RETURN;
    END IF;

    used := array_fill(true, ARRAY[n]);
    used[1] := false;                   -- used[i]: the interval ending at sample i
    FOR i IN 2 .. n LOOP
        d := (p[i] - p[i - 1]) * dir;
        IF d < 0 THEN
            used[i] := false;
            resets := resets + 1;
        ELSE
            moved := moved + d;
            secs := secs + extract(epoch FROM t[i] - t[i - 1]);
        END IF;
    END LOOP;
    LOOP
        big := NULL;
        big_d := -1;
        FOR i IN 2 .. n LOOP
            IF used[i] AND (p[i] - p[i - 1]) * dir > big_d THEN
                big := i;
                big_d := (p[i] - p[i - 1]) * dir;
            END IF;
        END LOOP;
        EXIT WHEN big IS NULL OR big_d <= 0;
        dt := extract(epoch FROM t[big] - t[big - 1]);
        EXIT WHEN secs - dt <= 0;       -- nothing left to judge it against
        rest_rate := (moved - big_d) / (secs - dt);
        EXIT WHEN big_d <= 10 * rest_rate * greatest(dt, 86400);
        used[big] := false;
        jumps := jumps + 1;
        moved := moved - big_d;
        secs := secs - dt;
    END LOOP;
    IF secs > 0 THEN
        values_per_day := moved / secs * 86400;
    END IF;
    RETURN NEXT;
END
$$;

COMMENT ON FUNCTION sequence_rate(regclass, interval) IS
'values a sequence consumed per day over window (default 7 days) of its sampled history, leaving out resets and one-off jumps';

CREATE FUNCTION sequence_forecast(schemas name[] DEFAULT NULL, "window" interval DEFAULT '7 days')
RETURNS TABLE (
    table_schema    name,
    table_name      name,
    column_name     name,
    sequence_schema name,
    sequence_name   name,
    values_per_day  float8,
    days_left       float8,
    runs_out_at     timestamptz,
    limited_by      text,
    samples         integer,
    history_from    timestamptz,
    history_to      timestamptz,
    detail          text)
LANGUAGE plpgsql STABLE PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c record;
    r record;
    col_limit numeric;
    seq_limit numeric;
    lim numeric;
    notes text[];
BEGIN
    FOR c IN
        SELECT n.nspname AS tschema, k.relname AS tname, f.column_name AS cname, f.column_type AS ctype,
               sn.nspname AS sschema, sk.relname AS sname, f.sequence AS seq,
               q.seqincrement AS inc, q.seqmax AS smax, q.seqmin AS smin, q.seqcycle AS scycle,
               pg_catalog.has_sequence_privilege(f.sequence::oid, 'SELECT, USAGE') AS readable
          FROM @extschema@.sequence_columns(schemas) f
          JOIN pg_catalog.pg_class k ON k.oid = f.tbl::oid
          JOIN pg_catalog.pg_namespace n ON n.oid = k.relnamespace
          JOIN pg_catalog.pg_class sk ON sk.oid = f.sequence::oid
          JOIN pg_catalog.pg_namespace sn ON sn.oid = sk.relnamespace
          JOIN pg_catalog.pg_sequence q ON q.seqrelid = f.sequence::oid
         ORDER BY 1, 2, 3, 5, 6
    LOOP
        table_schema := c.tschema; table_name := c.tname; column_name := c.cname;
        sequence_schema := c.sschema; sequence_name := c.sname;
        values_per_day := NULL; days_left := NULL; runs_out_at := NULL; limited_by := NULL;
        samples := NULL; history_from := NULL; history_to := NULL; detail := NULL;
        IF NOT c.readable THEN
            detail := 'No privilege on the sequence: its history is not shown.';
            RETURN NEXT;
            CONTINUE;
        END IF;
        SELECT * INTO r FROM @extschema@.sequence_rate(c.seq, "window");
        samples := r.samples;
        history_from := r.history_from;
        history_to := r.history_to;
        IF r.samples < 2 THEN
            detail := CASE WHEN r.samples = 0 THEN 'No history yet' ELSE 'One sample so far' END
                || ': a forecast needs two samples. Run SELECT @extschema@.sample_sequences(); every few minutes from a scheduler.';
            RETURN NEXT;
            CONTINUE;
        END IF;
        values_per_day := r.values_per_day;

        -- the end of the range: the sequence's limit, or the column type's
        col_limit := CASE c.ctype
            WHEN 'pg_catalog.int2'::pg_catalog.regtype THEN CASE WHEN c.inc > 0 THEN 32767 ELSE -32768 END
            WHEN 'pg_catalog.int4'::pg_catalog.regtype THEN CASE WHEN c.inc > 0 THEN 2147483647 ELSE -2147483648 END
            WHEN 'pg_catalog.int8'::pg_catalog.regtype THEN CASE WHEN c.inc > 0 THEN 9223372036854775807 ELSE -9223372036854775808 END
            END;
        seq_limit := CASE WHEN c.inc > 0 THEN c.smax ELSE c.smin END;
        IF col_limit IS NOT NULL AND (col_limit - seq_limit) * sign(c.inc) < 0 THEN
            lim := col_limit;
            limited_by := 'column';
        ELSE
            lim := seq_limit;
            limited_by := 'sequence';
        END IF;
        notes := ARRAY[]::text[];
        IF r.jumps > 0 OR r.resets > 0 THEN
            notes := notes || format('%s left out: %s.',
                CASE WHEN r.jumps + r.resets = 1 THEN 'One interval is' ELSE (r.jumps + r.resets) || ' intervals are' END,
                concat_ws(' and ',
                    CASE r.jumps WHEN 0 THEN NULL WHEN 1 THEN 'a jump larger than ten days of use (a repair, an import)'
                         ELSE r.jumps || ' jumps larger than ten days of use (repairs, imports)' END,
                    CASE r.resets WHEN 0 THEN NULL WHEN 1 THEN 'a move backwards (a reset)'
                         ELSE r.resets || ' moves backwards (resets)' END));
        END IF;
        IF c.scycle AND limited_by = 'sequence' THEN
            notes := notes || 'The sequence is CYCLE: at its end it starts over instead of failing, and its values then collide with the rows already there.'::text;
        END IF;
        IF r.values_per_day > 0 THEN
            days_left := greatest((lim - r."position") * sign(c.inc), 0) / r.values_per_day;
            runs_out_at := r.history_to + days_left * interval '1 day';
        ELSE
            notes := notes || 'No values were consumed in the window: it does not run out at this rate.'::text;
        END IF;
        IF limited_by = 'column' THEN
            notes := notes || format('The column''s type %s ends before the sequence does. The way out: SELECT * FROM @extschema@.widening_plan(%L, %L);',
                                     c.ctype, format('%I.%I', c.tschema, c.tname), c.cname);
        ELSIF days_left < 365 AND (c.smax < 9223372036854775807 AND c.inc > 0
                                   OR c.smin > -9223372036854775808 AND c.inc < 0) THEN
            notes := notes || format('The way out: SELECT * FROM @extschema@.widening_plan(%L, %L);',
                                     format('%I.%I', c.tschema, c.tname), c.cname);
        END IF;
        detail := nullif(array_to_string(notes, ' '), '');
        RETURN NEXT;
    END LOOP;
END
$$;

COMMENT ON FUNCTION sequence_forecast(name[], interval) IS
'per sequence-fed column: values consumed per day over window of the sampled history, days left and when the sequence or the column type runs out';

CREATE FUNCTION assert_sequences_last(days float8 DEFAULT 30, schemas name[] DEFAULT NULL,
                                      "window" interval DEFAULT '7 days')
RETURNS void
LANGUAGE plpgsql STABLE PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    lines text[];
BEGIN
    IF days IS NULL OR days <= 0 OR days = 'Infinity' THEN
        RAISE EXCEPTION 'days must be a positive number' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT array_agg(format('%I.%I.%I (sequence %I.%I): %s days left at %s values a day, until %s.',
                            f.table_schema, f.table_name, f.column_name, f.sequence_schema, f.sequence_name,
                            round(f.days_left::numeric, 1), round(f.values_per_day::numeric),
                            f.runs_out_at::date) ORDER BY f.days_left)
      INTO lines
      FROM @extschema@.sequence_forecast(schemas, "window") f
     WHERE f.days_left < days;
    IF lines IS NOT NULL THEN
        RAISE EXCEPTION '% run% out within % days', CASE array_length(lines, 1) WHEN 1 THEN '1 sequence-fed column' ELSE array_length(lines, 1) || ' sequence-fed columns' END,
                        CASE array_length(lines, 1) WHEN 1 THEN 's' ELSE '' END, days
            USING ERRCODE = 'sequence_generator_limit_exceeded',
                  DETAIL = array_to_string(lines, E'\n'),
                  HINT = 'SELECT * FROM @extschema@.sequence_forecast() gives the way out for each.';
    END IF;
END
$$;

COMMENT ON FUNCTION assert_sequences_last(float8, name[], interval) IS
'raise an error (SQLSTATE 2200H) listing every sequence-fed column that runs out within days at its sampled rate';

/*
 * The complete plan to widen what limits a sequence-fed column to bigint:
 * the sequences that feed it (and every other column they feed), every
 * column that references one of those by a foreign key, transitively, and
 * the objects that ALTER COLUMN ... TYPE refuses to work under (views and
 * materialized views, with the views on them; rules; policies; triggers on
 * the column; generated columns computed from it; publications that list
 * it), dropped before and created again after.  Steps in the order to run
 * them, in one transaction; nothing is run here.  No rows: nothing to do.
 */
CREATE FUNCTION widening_plan(tbl regclass, column_name name DEFAULT NULL)
RETURNS TABLE (step integer, action text, object text, statement text, detail text)
LANGUAGE plpgsql STABLE PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    root oid;
    parent oid;
    seqs oid[];
    rels oid[];                 -- the columns to widen: rels[i].atts[i], in order
    atts int2[];
    depths integer[];
    blockers oid[];             -- the objects in the way: classid / objid, drop order
    blocker_classes oid[];
    r record;
    b record;
    i integer;
    n integer := 0;
    sizes text;
    stmts text[];
BEGIN
    IF tbl IS NULL THEN
        RAISE EXCEPTION 'tbl must not be null' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    -- the root of tbl's tree, through each first parent, as the check folds it
    root := tbl::oid;
    LOOP
        SELECT i2.inhparent INTO parent FROM pg_inherits i2 WHERE i2.inhrelid = root ORDER BY i2.inhseqno LIMIT 1;
        EXIT WHEN parent IS NULL;
        root := parent;
    END LOOP;
    SELECT array_agg(DISTINCT f.sequence::oid) INTO seqs
      FROM @extschema@.sequence_columns(NULL) f
     WHERE f.tbl::oid = root AND (widening_plan.column_name IS NULL OR f.column_name = widening_plan.column_name);
    IF seqs IS NULL THEN
        IF widening_plan.column_name IS NOT NULL THEN
            RAISE EXCEPTION 'column "%" of table "%" is not fed by a sequence', widening_plan.column_name, tbl
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
        RAISE EXCEPTION 'table "%" has no sequence-fed column', tbl USING ERRCODE = 'invalid_parameter_value';
    END IF;

    /*
     * Every column those sequences feed, then every column that references
     * one of them by a foreign key, and so on; each in the root of its tree
     * (a partition's or child's column is altered through its root), at the
     * depth where it is first reached.
     */
    WITH RECURSIVE fed AS (
        SELECT f.tbl::oid AS relid, a.attnum
          FROM @extschema@.sequence_columns(NULL) f
          JOIN pg_attribute a ON a.attrelid = f.tbl::oid AND a.attname = f.column_name
         WHERE f.sequence::oid = ANY (seqs)),
    closure (relid, attnum, depth) AS (
        SELECT relid, attnum, 0 FROM fed
        UNION ALL
        SELECT c.conrelid, c.conkey[k.k], closure.depth + 1
          FROM closure
          JOIN pg_constraint c ON c.contype = 'f' AND c.conparentid = 0 AND c.confrelid = closure.relid
         CROSS JOIN LATERAL generate_subscripts(c.confkey, 1) AS k (k)
         WHERE c.confkey[k.k] = closure.attnum)
        CYCLE relid, attnum SET is_cycle USING path,
    rooted AS (
        -- up to the root while the column is inherited there
        SELECT x.relid0, x.attnum0, x.depth, x.relid, x.attnum FROM (
            WITH RECURSIVE up (relid0, attnum0, depth, relid, attnum, hops) AS (
                SELECT cl.relid, cl.attnum, cl.depth, cl.relid, cl.attnum, 0
                  FROM closure cl WHERE NOT cl.is_cycle
                UNION ALL
                SELECT up.relid0, up.attnum0, up.depth, ih.inhparent, pa.attnum, up.hops + 1
                  FROM up
                  JOIN pg_attribute ca ON ca.attrelid = up.relid AND ca.attnum = up.attnum AND ca.attinhcount > 0
                  JOIN pg_inherits ih ON ih.inhrelid = up.relid
                  JOIN pg_attribute pa ON pa.attrelid = ih.inhparent AND pa.attname = ca.attname
                                      AND NOT pa.attisdropped)
            SELECT DISTINCT ON (u.relid0, u.attnum0, u.depth) u.*
              FROM up u ORDER BY u.relid0, u.attnum0, u.depth, u.hops DESC) x)
    SELECT array_agg(q.relid ORDER BY q.depth, q.relid, q.attnum),
           array_agg(q.attnum ORDER BY q.depth, q.relid, q.attnum),
           array_agg(q.depth ORDER BY q.depth, q.relid, q.attnum)
      INTO rels, atts, depths
      FROM (SELECT DISTINCT ON (ro.relid, ro.attnum) ro.relid, ro.attnum, ro.depth
              FROM rooted ro
              JOIN pg_attribute a ON a.attrelid = ro.relid AND a.attnum = ro.attnum
              JOIN pg_type t ON t.oid = a.atttypid
             WHERE coalesce(nullif(t.typbasetype, 0), t.oid) IN ('int2'::regtype, 'int4'::regtype)
             ORDER BY ro.relid, ro.attnum, ro.depth) q;

    /*
     * The objects in the way, on any member of those tables' trees, and
     * the views on those views: dropped deepest first, created again in
     * the opposite order.
     */
    WITH RECURSIVE cols AS (
        SELECT m.relid AS member, ma.attnum
          FROM unnest(rels, atts) AS w (relid, attnum)
          JOIN pg_attribute wa ON wa.attrelid = w.relid AND wa.attnum = w.attnum
         CROSS JOIN LATERAL (SELECT w.relid
                             UNION
                             SELECT d.inhrelid FROM pg_inherits d WHERE d.inhparent = w.relid
                             UNION
                             SELECT d2.inhrelid FROM pg_inherits d1 JOIN pg_inherits d2 ON d2.inhparent = d1.inhrelid
                              WHERE d1.inhparent = w.relid) AS m (relid)
          JOIN pg_attribute ma ON ma.attrelid = m.relid AND ma.attname = wa.attname AND NOT ma.attisdropped),
    direct AS (
        SELECT DISTINCT dep.classid, dep.objid
          FROM cols
          JOIN pg_depend dep ON dep.refclassid = 'pg_class'::regclass AND dep.refobjid = cols.member
                            AND dep.refobjsubid = cols.attnum
         WHERE dep.classid IN ('pg_rewrite'::regclass, 'pg_policy'::regclass, 'pg_trigger'::regclass,
                               'pg_publication_rel'::regclass)
            OR (dep.classid = 'pg_attrdef'::regclass
                AND EXISTS (SELECT FROM pg_attrdef ad JOIN pg_attribute ga ON ga.attrelid = ad.adrelid
                                    AND ga.attnum = ad.adnum AND ga.attgenerated <> ''
                             WHERE ad.oid = dep.objid))),
    views (classid, objid, depth) AS (
        SELECT direct.classid, direct.objid, 0 FROM direct
        UNION ALL
        -- a view (or rule) on a view in the way is in the way too, and so is
        -- what stands on a generated column in the way (which is dropped)
        SELECT dep.classid, dep.objid, views.depth + 1
          FROM views
          CROSS JOIN LATERAL (
                SELECT d.classid, d.objid
                  FROM pg_rewrite rw
                  JOIN pg_depend d ON d.refclassid = 'pg_class'::regclass AND d.refobjid = rw.ev_class
                                  AND d.classid = 'pg_rewrite'::regclass AND d.objid <> views.objid
                 WHERE views.classid = 'pg_rewrite'::regclass AND rw.oid = views.objid
                   AND rw.rulename = '_RETURN'
                UNION ALL
                SELECT d.classid, d.objid
                  FROM pg_attrdef ad
                  JOIN pg_depend d ON d.refclassid = 'pg_class'::regclass AND d.refobjid = ad.adrelid
                                  AND d.refobjsubid = ad.adnum
                 WHERE views.classid = 'pg_attrdef'::regclass AND ad.oid = views.objid
                   AND d.classid IN ('pg_rewrite'::regclass, 'pg_policy'::regclass, 'pg_trigger'::regclass,
                                     'pg_publication_rel'::regclass)) dep
         WHERE views.depth < 100)
    SELECT array_agg(v.classid ORDER BY v.depth DESC, v.classid, v.objid),
           array_agg(v.objid ORDER BY v.depth DESC, v.classid, v.objid)
      INTO blocker_classes, blockers
      FROM (SELECT views.classid, views.objid, max(views.depth) AS depth
              FROM views GROUP BY views.classid, views.objid) v;

    IF rels IS NULL AND NOT EXISTS (
        SELECT FROM pg_sequence q
         WHERE q.seqrelid = ANY (seqs)
           AND (q.seqtypid <> 'int8'::regtype
                OR (q.seqincrement > 0 AND q.seqmax < 9223372036854775807)
                OR (q.seqincrement < 0 AND q.seqmin > -9223372036854775808))) THEN
        RETURN;                 -- every column and sequence is bigint already
    END IF;

    n := n + 1;
    RETURN QUERY SELECT n, 'begin'::text, NULL::text, 'BEGIN;'::text,
        'Run every step in this order, in one transaction: the tables stay locked against every access until it commits.'::text;
    n := n + 1;
    RETURN QUERY SELECT n, 'lock_timeout'::text, NULL::text, 'SET LOCAL lock_timeout = ''10s'';'::text,
        'A lock that cannot be had within 10 s fails the plan instead of queueing every other session behind it; run it again at a quieter time.'::text;

    -- drop what is in the way
    FOR i IN 1 .. coalesce(array_length(blockers, 1), 0) LOOP
        FOR b IN SELECT * FROM @extschema@.widening_blocker(blocker_classes[i], blockers[i]) LOOP
            n := n + 1;
            RETURN QUERY SELECT n, 'drop'::text, b.object, b.drop_statement, b.detail;
        END LOOP;
    END LOOP;

    -- the sequences
    FOR r IN
        SELECT q.seqrelid::regclass AS seq, q.seqtypid, q.seqincrement, q.seqmax, q.seqmin
          FROM pg_sequence q WHERE q.seqrelid = ANY (seqs) ORDER BY q.seqrelid::regclass::text
    LOOP
        stmts := ARRAY[]::text[];
        IF r.seqtypid <> 'int8'::regtype THEN
            stmts := stmts || 'AS bigint'::text;
        END IF;
        -- a MAXVALUE (MINVALUE) short of its type's end was set on purpose
        IF r.seqincrement > 0 AND r.seqmax < (CASE r.seqtypid WHEN 'int2'::regtype THEN 32767
                                                      WHEN 'int4'::regtype THEN 2147483647
                                                      ELSE 9223372036854775807 END) THEN
            stmts := stmts || 'NO MAXVALUE'::text;
        ELSIF r.seqincrement < 0 AND r.seqmin > (CASE r.seqtypid WHEN 'int2'::regtype THEN -32768
                                                         WHEN 'int4'::regtype THEN -2147483648
                                                         ELSE -9223372036854775808 END) THEN
            stmts := stmts || 'NO MINVALUE'::text;
        END IF;
        CONTINUE WHEN stmts = ARRAY[]::text[];
        n := n + 1;
        RETURN QUERY SELECT n, 'sequence'::text, r.seq::text,
            format('ALTER SEQUENCE %s %s;', r.seq, array_to_string(stmts, ' ')),
            concat_ws(' ',
                CASE WHEN r.seqtypid <> 'int8'::regtype
                     THEN format('The sequence becomes bigint (it is %s).', format_type(r.seqtypid, NULL)) END,
                CASE WHEN 'NO MAXVALUE' = ANY (stmts) THEN format('Its MAXVALUE %s is lifted.', r.seqmax)
                     WHEN 'NO MINVALUE' = ANY (stmts) THEN format('Its MINVALUE %s is lifted.', r.seqmin) END,
                'A change of the catalog only: nothing is rewritten.');
    END LOOP;

    -- the columns, one ALTER TABLE per table, referenced tables first
    FOR r IN
        SELECT w.relid::regclass AS rel, min(w.depth) AS depth,
               string_agg(format('ALTER COLUMN %I TYPE bigint', a.attname), ', ' ORDER BY w.attnum) AS subcommands,
               string_agg(format('%I (%s)', a.attname, format_type(a.atttypid, a.atttypmod)), ', ' ORDER BY w.attnum) AS columns,
               (SELECT count(*) FROM pg_inherits ih WHERE ih.inhparent = w.relid) AS members,
               (SELECT sum(pg_total_relation_size(m.relid))
                  FROM (SELECT w.relid AS relid UNION SELECT ih.inhrelid FROM pg_inherits ih WHERE ih.inhparent = w.relid
                        UNION SELECT d2.inhrelid FROM pg_inherits d1 JOIN pg_inherits d2 ON d2.inhparent = d1.inhrelid
                         WHERE d1.inhparent = w.relid) m) AS bytes
          FROM unnest(rels, atts, depths) AS w (relid, attnum, depth)
          JOIN pg_attribute a ON a.attrelid = w.relid AND a.attnum = w.attnum
         GROUP BY w.relid
         ORDER BY min(w.depth), w.relid::regclass::text
    LOOP
        n := n + 1;
        RETURN QUERY SELECT n, 'column'::text, r.rel::text,
            format('ALTER TABLE %s %s;', r.rel, r.subcommands),
            format('%s %s: rewrites %s (%s with its indexes%s) under an ACCESS EXCLUSIVE lock, rebuilds its indexes and checks its foreign keys again.',
                   CASE WHEN r.depth = 0 THEN 'Fed by the sequence:' ELSE 'References it by a foreign key:' END,
                   r.columns, r.rel, pg_size_pretty(r.bytes),
                   CASE WHEN r.members > 0 THEN format(', and %s member%s of its tree', r.members,
                                                       CASE WHEN r.members > 1 THEN 's' ELSE '' END) ELSE '' END);
    END LOOP;

    -- put back what was in the way, in the opposite order
    FOR i IN REVERSE coalesce(array_length(blockers, 1), 0) .. 1 LOOP
        FOR b IN SELECT * FROM @extschema@.widening_blocker(blocker_classes[i], blockers[i]) LOOP
            FOREACH statement IN ARRAY b.create_statements LOOP
                n := n + 1;
                RETURN QUERY SELECT n, 'create'::text, b.object, statement, NULL::text;
            END LOOP;
        END LOOP;
    END LOOP;

    n := n + 1;
    RETURN QUERY SELECT n, 'commit'::text, NULL::text, 'COMMIT;'::text, NULL::text;
END
$$;

COMMENT ON FUNCTION widening_plan(regclass, name) IS
'the statements, in order, that widen a sequence-fed column to bigint with its sequence, every foreign key that references it and what stands in the way; runs nothing';

/*
 * One object that ALTER COLUMN ... TYPE will not work under (classid,
 * objid as in pg_depend): its name, the statement that drops it and those
 * that create it again as it was (definition, owner, grants, comment).
 */
CREATE FUNCTION widening_blocker(classid oid, objid oid)
RETURNS TABLE (object text, drop_statement text, create_statements text[], detail text)
LANGUAGE plpgsql STABLE PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v record;
    kind text;
    -- the relation whose grants and comments come back with the object,
    -- and of which column (NULL: the relation's and all its columns')
    kept_of oid;
    kept_attnum int2;
BEGIN
    create_statements := ARRAY[]::text[];
    IF classid = 'pg_rewrite'::regclass THEN
        SELECT rw.rulename, rw.ev_class::regclass AS rel, c.relkind, c.reloptions, c.oid AS reloid,
               pg_get_userbyid(c.relowner) AS owner
          INTO v
          FROM pg_rewrite rw JOIN pg_class c ON c.oid = rw.ev_class WHERE rw.oid = objid;
        IF v.rulename = '_RETURN' THEN
            kind := CASE v.relkind WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'VIEW' END;
            object := v.rel::text;
            drop_statement := format('DROP %s %s;', kind, v.rel);
            detail := format('A %s on the column: ALTER COLUMN ... TYPE does not work under it. It is created again from its definition, with its owner, grants, comments%s.',
                             lower(kind), CASE v.relkind WHEN 'm' THEN ', indexes and data' ELSE ', column defaults and triggers' END);
            create_statements := create_statements ||
                format('CREATE %s %s%s AS %s', kind, v.rel,
                       CASE WHEN v.reloptions IS NOT NULL THEN format(' WITH (%s)', array_to_string(v.reloptions, ', ')) ELSE '' END,
                       pg_get_viewdef(v.reloid, true));
            create_statements := create_statements ||
                format('ALTER %s %s OWNER TO %I;', kind, v.rel, v.owner);
            create_statements := create_statements || ARRAY(
                SELECT pg_get_indexdef(ix.indexrelid) || ';' FROM pg_index ix WHERE ix.indrelid = v.reloid ORDER BY ix.indexrelid);
            create_statements := create_statements || ARRAY(
                SELECT pg_get_triggerdef(tg.oid, true) || ';' FROM pg_trigger tg
                 WHERE tg.tgrelid = v.reloid AND NOT tg.tgisinternal ORDER BY tg.tgname);
            kept_of := v.reloid;
            -- an updatable view's column defaults
            create_statements := create_statements || ARRAY(
                SELECT format('ALTER VIEW %s ALTER COLUMN %I SET DEFAULT %s;', v.rel, att.attname,
                              pg_get_expr(ad.adbin, ad.adrelid))
                  FROM pg_attrdef ad
                  JOIN pg_attribute att ON att.attrelid = ad.adrelid AND att.attnum = ad.adnum
                 WHERE ad.adrelid = v.reloid
                 ORDER BY att.attnum);
        ELSE
            object := format('rule %I on %s', v.rulename, v.rel);
            drop_statement := format('DROP RULE %I ON %s;', v.rulename, v.rel);
            create_statements := ARRAY[pg_get_ruledef(objid, true)];
            detail := 'A rule that uses the column: ALTER COLUMN ... TYPE does not work under it.';
        END IF;
    ELSIF classid = 'pg_policy'::regclass THEN
        SELECT p.polname, p.polrelid::regclass AS rel, p.polpermissive, p.polcmd,
               pg_get_expr(p.polqual, p.polrelid) AS qual, pg_get_expr(p.polwithcheck, p.polrelid) AS wcheck,
               (SELECT string_agg(CASE r WHEN 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(r)) END, ', ')
                  FROM unnest(p.polroles) r) AS roles
          INTO v FROM pg_policy p WHERE p.oid = objid;
        object := format('policy %I on %s', v.polname, v.rel);
        drop_statement := format('DROP POLICY %I ON %s;', v.polname, v.rel);
        create_statements := ARRAY[format('CREATE POLICY %I ON %s AS %s FOR %s TO %s%s%s;', v.polname, v.rel,
            CASE WHEN v.polpermissive THEN 'PERMISSIVE' ELSE 'RESTRICTIVE' END,
            CASE v.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT' WHEN 'w' THEN 'UPDATE'
                          WHEN 'd' THEN 'DELETE' ELSE 'ALL' END,
            v.roles,
            CASE WHEN v.qual IS NOT NULL THEN format(' USING (%s)', v.qual) ELSE '' END,
            CASE WHEN v.wcheck IS NOT NULL THEN format(' WITH CHECK (%s)', v.wcheck) ELSE '' END)];
        detail := 'A row-level security policy that uses the column: ALTER COLUMN ... TYPE does not work under it. Between its drop and its creation the table is locked, so no row is shown without it.';
    ELSIF classid = 'pg_trigger'::regclass THEN
        SELECT tg.tgname, tg.tgrelid::regclass AS rel, tg.tgenabled INTO v FROM pg_trigger tg WHERE tg.oid = objid;
        object := format('trigger %I on %s', v.tgname, v.rel);
        drop_statement := format('DROP TRIGGER %I ON %s;', v.tgname, v.rel);
        create_statements := ARRAY[pg_get_triggerdef(objid, true) || ';'];
        IF v.tgenabled <> 'O' THEN
            create_statements := create_statements || format('ALTER TABLE %s %s TRIGGER %I;', v.rel,
                CASE v.tgenabled WHEN 'D' THEN 'DISABLE' WHEN 'R' THEN 'ENABLE REPLICA' ELSE 'ENABLE ALWAYS' END, v.tgname);
        END IF;
        detail := 'A trigger whose definition names the column: ALTER COLUMN ... TYPE does not work under it.';
    ELSIF classid = 'pg_publication_rel'::regclass THEN
        SELECT pb.pubname, pr.prrelid::regclass AS rel, pg_get_expr(pr.prqual, pr.prrelid) AS qual,
               (SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY k.o)
                  FROM unnest(pr.prattrs) WITH ORDINALITY AS k (attnum, o)
                  JOIN pg_attribute a ON a.attrelid = pr.prrelid AND a.attnum = k.attnum) AS cols
          INTO v FROM pg_publication_rel pr JOIN pg_publication pb ON pb.oid = pr.prpubid WHERE pr.oid = objid;
        object := format('table %s in publication %I', v.rel, v.pubname);
        drop_statement := format('ALTER PUBLICATION %I DROP TABLE %s;', v.pubname, v.rel);
        create_statements := ARRAY[format('ALTER PUBLICATION %I ADD TABLE %s%s%s;', v.pubname, v.rel,
            CASE WHEN v.cols IS NOT NULL THEN format(' (%s)', v.cols) ELSE '' END,
            CASE WHEN v.qual IS NOT NULL THEN format(' WHERE (%s)', v.qual) ELSE '' END)];
        detail := 'A publication whose column list or row filter names the column: ALTER COLUMN ... TYPE does not work under it. Its subscribers must refresh their subscription (ALTER SUBSCRIPTION ... REFRESH PUBLICATION WITH (copy_data = false)) afterwards.';
    ELSIF classid = 'pg_attrdef'::regclass THEN
        -- computed from the widened column, it is widened too
        SELECT ad.adrelid::regclass AS rel, a.attname,
               CASE WHEN a.atttypid IN ('int2'::regtype, 'int4'::regtype) THEN 'bigint'
                    ELSE format_type(a.atttypid, a.atttypmod) END AS typ,
               pg_get_expr(ad.adbin, ad.adrelid) AS expr, ad.adrelid AS relid, a.attnum, a.attnotnull
          INTO v FROM pg_attrdef ad JOIN pg_attribute a ON a.attrelid = ad.adrelid AND a.attnum = ad.adnum
         WHERE ad.oid = objid;
        object := format('generated column %I of %s', v.attname, v.rel);
        drop_statement := format('ALTER TABLE %s DROP COLUMN %I;', v.rel, v.attname);
        create_statements := ARRAY[format('ALTER TABLE %s ADD COLUMN %I %s%s GENERATED ALWAYS AS (%s) STORED;',
                                          v.rel, v.attname, v.typ,
                                          CASE WHEN v.attnotnull THEN ' NOT NULL' ELSE '' END, v.expr)];
        -- the indexes and constraints that DROP COLUMN drops with it
        create_statements := create_statements || ARRAY(
            SELECT pg_get_indexdef(ix.indexrelid) || ';' FROM pg_index ix
             WHERE ix.indrelid = v.relid AND v.attnum = ANY (ix.indkey::int2[])
               AND NOT EXISTS (SELECT FROM pg_constraint c WHERE c.conindid = ix.indexrelid
                                                            AND c.conrelid = v.relid)
             ORDER BY ix.indexrelid);
        create_statements := create_statements || ARRAY(
            SELECT format('ALTER TABLE %s ADD CONSTRAINT %I %s;', v.rel, c.conname, pg_get_constraintdef(c.oid))
              FROM pg_constraint c
             WHERE c.conrelid = v.relid AND v.attnum = ANY (c.conkey) AND c.contype IN ('c', 'u', 'p', 'x', 'f')
             ORDER BY c.contype, c.conname);
        kept_of := v.relid;
        kept_attnum := v.attnum;
        detail := 'A generated column computed from the column: ALTER COLUMN ... TYPE does not work under it. It is dropped and added again (computed anew, as the last column; bigint if it was smallint or integer), with its indexes, constraints, grants and comment; the views, policies and triggers on it are dropped before it and created again after it.';
    END IF;
    IF kept_of IS NOT NULL THEN
        -- grants other than the owner's own, then comments
        create_statements := create_statements || ARRAY(
            SELECT format('GRANT %s%s ON %s TO %s%s;', a.privilege_type,
                          CASE WHEN g.attname IS NOT NULL THEN format(' (%I)', g.attname) ELSE '' END,
                          kept_of::regclass,
                          CASE a.grantee WHEN 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(a.grantee)) END,
                          CASE WHEN a.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END)
              FROM (SELECT NULL::name AS attname, 0 AS attnum, c.relacl AS acl
                      FROM pg_class c WHERE c.oid = kept_of AND kept_attnum IS NULL
                    UNION ALL
                    SELECT att.attname, att.attnum, att.attacl
                      FROM pg_attribute att
                     WHERE att.attrelid = kept_of AND att.attacl IS NOT NULL AND NOT att.attisdropped
                       AND att.attnum = coalesce(kept_attnum, att.attnum)) g
             CROSS JOIN aclexplode(g.acl) a
             WHERE a.grantee <> (SELECT c.relowner FROM pg_class c WHERE c.oid = kept_of)
             ORDER BY g.attnum, a.grantee, a.privilege_type);
        create_statements := create_statements || ARRAY(
            SELECT CASE WHEN d.objsubid = 0 THEN format('COMMENT ON %s %s IS %L;', kind, kept_of::regclass, d.description)
                        ELSE format('COMMENT ON COLUMN %s.%I IS %L;', kept_of::regclass, att.attname, d.description) END
              FROM pg_description d
              LEFT JOIN pg_attribute att ON att.attrelid = d.objoid AND att.attnum = d.objsubid
             WHERE d.classoid = 'pg_class'::regclass AND d.objoid = kept_of
               AND d.objsubid = coalesce(kept_attnum, d.objsubid)
             ORDER BY d.objsubid);
    END IF;
    RETURN NEXT;
END
$$;

COMMENT ON FUNCTION widening_blocker(oid, oid) IS
'for widening_plan(): an object in the way of ALTER COLUMN ... TYPE, the statement that drops it and those that create it again';
