-- seqguard.active tells whether the guard acts in this session: not where
-- the library was only loaded by a function call (or CREATE EXTENSION),
-- but after LOAD or where it is preloaded.  No one can set it.
BEGIN;
SELECT plan(3);

SELECT count(*) AS loads_the_library FROM check_sequence_health(ARRAY['pg_catalog']);
SELECT CASE WHEN current_setting('shared_preload_libraries') ~ 'seqguard'
              OR current_setting('session_preload_libraries') ~ 'seqguard'
            THEN skip('the library is preloaded here', 1)
            ELSE is(current_setting('seqguard.active'), 'off',
                    'loaded by a function call, the guard is not active') END;
LOAD 'seqguard';
SELECT is(current_setting('seqguard.active'), 'on', 'after LOAD, it is');
SELECT throws_ok($$SET seqguard.active = off$$, '55P02', NULL, 'seqguard.active cannot be set');

SELECT * FROM finish();
ROLLBACK;
