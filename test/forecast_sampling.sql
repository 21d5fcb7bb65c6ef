-- sample_sequences(): bounded history, samples that never go back in
-- time, the history of dropped sequences removed, only what the caller may
-- read sampled and forecast, pg_dump keeps the table, and a hostile
-- search_path changes nothing.
BEGIN;
SELECT plan(17);
SET LOCAL seqguard.mode = off;
CREATE SCHEMA fs;
CREATE TABLE fs.t (id bigserial PRIMARY KEY);
CREATE SEQUENCE fs.gone;

-- every 5 minutes for three days, then once a day for 150 days
CREATE FUNCTION pg_temp.sample_for_months() RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  t timestamptz := '2026-01-01 00:00:00+00';
  most integer := 0;
BEGIN
  FOR i IN 1 .. 864 LOOP
    PERFORM nextval('fs.t_id_seq');
    PERFORM sample_sequences(t);
    t := t + interval '5 minutes';
  END LOOP;
  FOR i IN 1 .. 150 LOOP
    PERFORM nextval('fs.t_id_seq');
    PERFORM sample_sequences(t);
    most := greatest(most, (SELECT count(*) FROM sequence_samples WHERE sequence = 'fs.t_id_seq'::regclass));
    t := t + interval '1 day';
  END LOOP;
  RETURN most;
END $$;
SELECT is(pg_temp.sample_for_months(), 180,
          'after 1,014 samples over five months a sequence has at most 180 rows (12 five-minute, 48 hourly, 120 daily)');
SELECT is((SELECT array_agg(n ORDER BY tier) FROM (SELECT tier, count(*)::int AS n FROM sequence_samples
                                                    WHERE sequence = 'fs.t_id_seq'::regclass GROUP BY tier) x),
          ARRAY[12, 48, 120], 'each tier at its size');
SELECT is((SELECT count(DISTINCT taken_at)::int FROM sequence_samples WHERE sequence = 'fs.t_id_seq'::regclass AND tier = 2),
          120, 'the daily tier holds the last 120 days, one sample each');

-- never back in time
SELECT sample_sequences('2026-07-01 12:00:00+00') AS sampled \gset
SELECT is((SELECT max(taken_at) FROM sequence_samples WHERE sequence = 'fs.t_id_seq'::regclass),
          '2026-07-01 12:00:00+00'::timestamptz, '(a later sample)');
SELECT FROM sample_sequences('2026-01-15 00:00:00+00');
SELECT is((SELECT max(taken_at) FROM sequence_samples WHERE sequence = 'fs.t_id_seq'::regclass),
          '2026-07-01 12:00:00+00'::timestamptz, 'a sample older than the history replaces nothing');
SELECT ok(NOT EXISTS (SELECT FROM sequence_samples WHERE taken_at = '2026-01-15 00:00:00+00'),
          'and is not kept');

-- a dropped sequence's history goes at the next sample
SELECT ok(EXISTS (SELECT FROM sequence_samples WHERE sequence = 'fs.gone'::regclass), '(fs.gone has a history)');
SELECT 'fs.gone'::regclass::oid AS gone_oid \gset
DROP SEQUENCE fs.gone;
SELECT FROM sample_sequences('2026-07-01 12:05:00+00');
SELECT ok(NOT EXISTS (SELECT FROM sequence_samples WHERE sequence::oid = :gone_oid), 'a dropped sequence''s history is removed');

-- the table is dumped with the database
SELECT ok((SELECT 'public.sequence_samples'::regclass = ANY (extconfig) FROM pg_extension WHERE extname = 'seqguard'),
          'sequence_samples is a configuration table: pg_dump keeps its rows');
SELECT is((SELECT count(*)::int FROM pg_constraint WHERE conrelid = 'public.sequence_samples'::regclass AND contype = 'p'), 1,
          '(one sample per sequence, tier and slot)');

-- rights: a role samples and sees only the sequences it may read
CREATE ROLE fs_monitor;
CREATE SEQUENCE fs.secret;
SELECT FROM nextval('fs.secret');
GRANT USAGE ON SCHEMA fs TO fs_monitor;
GRANT SELECT ON fs.t_id_seq TO fs_monitor;
GRANT SELECT ON fs.t TO fs_monitor;
SET LOCAL ROLE fs_monitor;
SELECT throws_ok($$SELECT sample_sequences('2026-07-02')$$, '42501', NULL,
                 'without rights on the history table, sampling is refused');
RESET ROLE;
GRANT SELECT, INSERT, UPDATE, DELETE ON sequence_samples TO fs_monitor;
DELETE FROM sequence_samples WHERE sequence = 'fs.secret'::regclass;
SET LOCAL ROLE fs_monitor;
SELECT is(sample_sequences('2026-07-02'), 1, 'granted the table, a role samples the one sequence it may read');
RESET ROLE;
SELECT ok(NOT EXISTS (SELECT FROM sequence_samples WHERE sequence = 'fs.secret'::regclass),
          'and not the sequence it may not read');
SELECT FROM sample_sequences('2026-07-03');
REVOKE SELECT ON fs.t_id_seq FROM fs_monitor;
SET LOCAL ROLE fs_monitor;
SELECT is((SELECT coalesce(values_per_day::text, 'none') || ' / ' || detail FROM sequence_forecast(ARRAY['fs'])),
          'none / No privilege on the sequence: its history is not shown.',
          'a forecast shows no numbers for a sequence the caller may not read');
RESET ROLE;

-- a hostile search_path: a table, functions and operators of the same names
CREATE SCHEMA evil;
CREATE TABLE evil.sequence_samples (sequence regclass, tier smallint, slot smallint, taken_at timestamptz, "position" bigint);
CREATE FUNCTION evil.sequence_positions() RETURNS TABLE (sequence regclass, "position" bigint)
  LANGUAGE sql AS $$ SELECT 'fs.t_id_seq'::regclass, 42::bigint $$;
CREATE FUNCTION evil.floor(float8) RETURNS float8 LANGUAGE sql AS $$ SELECT 0::float8 $$;
CREATE FUNCTION evil.bigint_eq(bigint, bigint) RETURNS boolean LANGUAGE sql AS $$ SELECT true $$;
CREATE OPERATOR evil.= (LEFTARG = bigint, RIGHTARG = bigint, FUNCTION = evil.bigint_eq);
SET LOCAL search_path = evil, public;
SELECT is(public.sample_sequences('2026-07-04'), 2, 'with a hostile schema first on search_path, sampling works');
SELECT is((SELECT count(*)::int FROM evil.sequence_samples), 0, 'and never writes the hostile table');
SELECT ok((SELECT "position" <> 42 FROM public.sequence_rate('fs.t_id_seq')),
          'nor reads the hostile function''s positions');
RESET search_path;

SELECT * FROM finish();
ROLLBACK;
