-- In a read-only transaction the guard never writes a permanent sequence,
-- where nextval() would be refused (its WARNING, 25006, is in
-- sql/guard_warnings.sql); a temporary sequence may still be moved.
BEGIN;
SELECT plan(4);
LOAD 'seqguard';
SET LOCAL seqguard.mode = fix;

CREATE SEQUENCE public.gro_perm;
CREATE TEMP TABLE gro_t (id bigint DEFAULT nextval('public.gro_perm'));
CREATE TEMP SEQUENCE gro_temp;
CREATE TEMP TABLE gro_t2 (id bigint DEFAULT nextval('gro_temp'));

SET LOCAL transaction_read_only = on;
SELECT lives_ok($$INSERT INTO gro_t VALUES (100)$$,
                'an explicit id into a temporary table is accepted in a read-only transaction');
SELECT is((SELECT (last_value, is_called)::text FROM public.gro_perm), '(1,f)',
          'the permanent sequence of its default is not moved');
SELECT lives_ok($$INSERT INTO gro_t2 VALUES (200)$$,
                'an explicit id into a temporary table fed by a temporary sequence is accepted');
SELECT cmp_ok(nextval('gro_temp'), '>', 200::bigint, 'the temporary sequence is moved');

SELECT * FROM finish();
ROLLBACK;
