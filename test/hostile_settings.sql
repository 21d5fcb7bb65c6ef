-- The settings given bad values, by the wrong role, and before the library
-- is loaded: every bad value is an ERROR with SQLSTATE 22023 and leaves the
-- setting as it was; seqguard.mode is a superuser setting (42501 for other
-- roles, also through SET LOCAL, set_config(), ALTER ROLE and a function's
-- SET clause) unless SET on it is granted; a value that a role could not
-- set, given before the library was loaded, is dropped when it loads.
BEGIN;
SELECT plan(35);

CREATE ROLE hs_user;
CREATE ROLE hs_granted;

-- before the library is loaded in this session (unless it is preloaded),
-- both settings are placeholders that accept anything
CREATE TEMP TABLE preloaded AS
  SELECT EXISTS (SELECT FROM pg_settings WHERE name = 'seqguard.mode') AS yes;
CREATE FUNCTION pg_temp.set_early() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF NOT (SELECT yes FROM preloaded) THEN
    SET LOCAL seqguard.exhaustion_threshold = 'nan';
    SET LOCAL ROLE hs_user;
    SET LOCAL seqguard.mode = off;
    RESET ROLE;
  END IF;
END $$;
SELECT FROM pg_temp.set_early();
SET LOCAL client_min_messages = error;	-- the WARNINGs of the dropped values
SELECT FROM check_sequence_health(ARRAY['pg_catalog']);	-- loads the library
RESET client_min_messages;
SELECT skip('the library is preloaded: no placeholders to test', 2) FROM preloaded WHERE yes
UNION ALL
SELECT is(current_setting('seqguard.exhaustion_threshold'), '0.9',
          'a NaN threshold set before the library loaded is dropped when it loads') FROM preloaded WHERE NOT yes
UNION ALL
SELECT is(current_setting('seqguard.mode'), 'fix',
          'seqguard.mode = off, set by an ordinary role before the library loaded, is dropped when it loads')
  FROM preloaded WHERE NOT yes;

-- seqguard.exhaustion_threshold
SELECT throws_ok($$SET LOCAL seqguard.exhaustion_threshold = 0$$, '22023', NULL, 'threshold setting 0');
SELECT throws_ok($$SET LOCAL seqguard.exhaustion_threshold = -1$$, '22023', NULL, 'threshold setting -1');
SELECT throws_ok($$SET LOCAL seqguard.exhaustion_threshold = 2$$, '22023', NULL, 'threshold setting 2');
SELECT throws_ok($$SET LOCAL seqguard.exhaustion_threshold = 'nan'$$, '22023', NULL, 'threshold setting nan');
SELECT throws_ok($$SET LOCAL seqguard.exhaustion_threshold = 'infinity'$$, '22023', NULL, 'threshold setting infinity');
SELECT throws_ok($$SET LOCAL seqguard.exhaustion_threshold = '-infinity'$$, '22023', NULL, 'threshold setting -infinity');
SELECT throws_ok($$SET LOCAL seqguard.exhaustion_threshold = '1e-400'$$, '22023', NULL, 'threshold setting 1e-400 (underflow)');
SELECT throws_ok($$SET LOCAL seqguard.exhaustion_threshold = ''$$, '22023', NULL, 'threshold setting empty');
SELECT throws_ok($$SELECT set_config('seqguard.exhaustion_threshold', '-0', true)$$, '22023', NULL,
                 'threshold setting -0 through set_config()');
SELECT is(current_setting('seqguard.exhaustion_threshold'), '0.9', 'after the failed attempts it is still 0.9');
SET LOCAL seqguard.exhaustion_threshold = 1;
SELECT is(current_setting('seqguard.exhaustion_threshold'), '1', 'threshold setting 1 is accepted');
SET LOCAL ROLE hs_user;
SELECT lives_ok($$SET LOCAL seqguard.exhaustion_threshold = 0.5$$, 'any role may set the threshold');
RESET ROLE;

-- seqguard.mode values
SELECT throws_ok($$SET LOCAL seqguard.mode = 'bogus'$$, '22023', NULL, 'mode bogus');
SELECT throws_ok($$SET LOCAL seqguard.mode = ''$$, '22023', NULL, 'mode empty');
SELECT throws_ok($$SET LOCAL seqguard.mode = 1$$, '22023', NULL, 'mode 1');
SELECT throws_ok($$SET LOCAL seqguard.mode = on$$, '22023', NULL, 'mode on');
SELECT throws_ok($$SET LOCAL seqguard.mode = 'fix; SELECT 1'$$, '22023', NULL, 'mode with SQL after it');
SELECT is(current_setting('seqguard.mode'), 'fix', 'after the failed attempts it is still fix');
SET LOCAL seqguard.mode = 'WARN';
SELECT is(current_setting('seqguard.mode'), 'warn', 'values are case-insensitive, as for every enum setting');
RESET seqguard.mode;

-- the prefix is reserved
SELECT throws_ok($$SET LOCAL seqguard.nope = 1$$, '42602', NULL, 'an unknown seqguard.* setting is an error');
SELECT throws_ok($$SELECT set_config('seqguard.mod', 'off', true)$$, '42602', NULL, 'a misspelt one too');

-- seqguard.mode is a superuser setting
SET LOCAL ROLE hs_user;
SELECT throws_ok($$SET seqguard.mode = off$$, '42501', NULL, 'ordinary role: SET seqguard.mode');
SELECT throws_ok($$SET LOCAL seqguard.mode = warn$$, '42501', NULL, 'ordinary role: SET LOCAL seqguard.mode');
SELECT throws_ok($$SELECT set_config('seqguard.mode', 'off', true)$$, '42501', NULL, 'ordinary role: set_config()');
SELECT throws_ok($$RESET seqguard.mode$$, '42501', NULL, 'ordinary role: RESET seqguard.mode');
SELECT throws_ok($$ALTER ROLE hs_user SET seqguard.mode = off$$, '42501', NULL, 'ordinary role: ALTER ROLE itself SET');
SELECT throws_ok($$CREATE FUNCTION pg_temp.quiet() RETURNS int LANGUAGE sql SET seqguard.mode = off AS 'SELECT 1'$$,
                 '42501', NULL, 'ordinary role: a function with SET seqguard.mode');
SELECT is(current_setting('seqguard.mode'), 'fix', 'the ordinary role sees it still fix');
RESET ROLE;
SELECT lives_ok($$ALTER ROLE hs_user SET seqguard.mode = off$$, 'a superuser sets it for the role');
SELECT is((SELECT setconfig FROM pg_db_role_setting WHERE setrole = 'hs_user'::regrole), '{seqguard.mode=off}',
          '(as the README says)');

-- unless SET on it is granted (PostgreSQL 15 and later)
GRANT SET ON PARAMETER seqguard.mode TO hs_granted;
SET LOCAL ROLE hs_granted;
SELECT lives_ok($$SET LOCAL seqguard.mode = off$$, 'a role granted SET on the parameter may set it');
SELECT is(current_setting('seqguard.mode'), 'off', 'to off');
RESET ROLE;
SET LOCAL ROLE hs_user;
SELECT throws_ok($$SET LOCAL seqguard.mode = off$$, '42501', NULL, 'the grant is for that role only');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
