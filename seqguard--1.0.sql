/* seqguard--1.0.sql */

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION seqguard" to load this file. \quit

CREATE FUNCTION check_sequence_health(
    schemas name[] DEFAULT NULL,
    exhaustion_threshold float8 DEFAULT NULL)
RETURNS TABLE (
    table_schema    name,
    table_name      name,
    column_name     name,
    column_kind     text,
    sequence_schema name,
    sequence_name   name,
    max_id          bigint,
    sequence_value  bigint,
    next_value      bigint,
    capacity_used   float8,
    status          text,
    detail          text)
AS 'MODULE_PATHNAME', 'check_sequence_health'
LANGUAGE C VOLATILE CALLED ON NULL INPUT PARALLEL RESTRICTED ROWS 100;

COMMENT ON FUNCTION check_sequence_health(name[], float8) IS
'one row per sequence-fed column: out_of_sync, exhausted, near_exhaustion, skipped or ok, with the statement that repairs it';

CREATE FUNCTION assert_sequences_healthy(schemas name[] DEFAULT NULL)
RETURNS void
AS 'MODULE_PATHNAME', 'assert_sequences_healthy'
LANGUAGE C VOLATILE CALLED ON NULL INPUT PARALLEL RESTRICTED;

COMMENT ON FUNCTION assert_sequences_healthy(name[]) IS
'raise an error (SQLSTATE 23000) listing every out_of_sync or exhausted sequence-fed column';

CREATE FUNCTION fix_all_sequences(
    dry_run boolean DEFAULT false,
    schemas name[] DEFAULT NULL,
    allow_backward boolean DEFAULT false)
RETURNS TABLE (
    sequence_schema name,
    sequence_name   name,
    old_next_value  bigint,
    new_next_value  bigint,
    action          text,
    detail          text)
AS 'MODULE_PATHNAME', 'fix_all_sequences'
LANGUAGE C VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE ROWS 10;

COMMENT ON FUNCTION fix_all_sequences(boolean, name[], boolean) IS
'move every sequence that lags behind its data past the largest value it feeds, never backwards unless allow_backward';

CREATE FUNCTION fix_sequence(
    tbl regclass,
    column_name name DEFAULT NULL,
    dry_run boolean DEFAULT false,
    allow_backward boolean DEFAULT false)
RETURNS TABLE (
    sequence_schema name,
    sequence_name   name,
    old_next_value  bigint,
    new_next_value  bigint,
    action          text,
    detail          text)
AS 'MODULE_PATHNAME', 'fix_sequence'
LANGUAGE C VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE ROWS 1;

COMMENT ON FUNCTION fix_sequence(regclass, name, boolean, boolean) IS
'fix_all_sequences() for the sequences that feed one table, or one column of it';
