-- A role with no right on a sequence can still create a table whose
-- default calls nextval() on it (CREATE TABLE checks no sequence
-- privilege) and write any value there.  Such a table must not decide
-- where the sequence goes: the check reports it skipped, says why, and
-- judges the sequence's other columns without it; the repair and the
-- assertion ignore it, whether run by a superuser or by the sequence's
-- owner.
BEGIN;
SELECT plan(9);
SET LOCAL seqguard.mode = off;

CREATE SCHEMA fuo;
CREATE ROLE fuo_owner;
CREATE ROLE fuo_tenant;
GRANT USAGE, CREATE ON SCHEMA fuo TO fuo_owner, fuo_tenant;
SET LOCAL ROLE fuo_owner;
CREATE TABLE fuo.orders (id serial PRIMARY KEY, v int);
INSERT INTO fuo.orders (v) VALUES (1), (2);
RESET ROLE;
SELECT 'fuo.orders_id_seq'::regclass::oid AS seq_oid \gset
SET LOCAL ROLE fuo_tenant;
CREATE TABLE fuo.squat (id bigint DEFAULT nextval(:'seq_oid'::regclass));
INSERT INTO fuo.squat VALUES (2000000000);
RESET ROLE;

SELECT is((SELECT status FROM check_sequence_health(ARRAY['fuo']) WHERE table_name = 'orders'), 'ok',
          'check: the victim is ok');
SELECT is((SELECT status FROM check_sequence_health(ARRAY['fuo']) WHERE table_name = 'squat'), 'skipped',
          'check: the table whose owner may not draw from the sequence is skipped');
SELECT matches((SELECT detail FROM check_sequence_health(ARRAY['fuo']) WHERE table_name = 'squat'),
               'fuo_tenant', 'and the detail names its owner');
SELECT lives_ok($$SELECT assert_sequences_healthy(ARRAY['fuo'])$$, 'the assertion passes');
SELECT is((SELECT count(*)::int FROM fix_sequence('fuo.orders')), 0,
          'fix_sequence(''orders'') by a superuser does not move the sequence');
SELECT is((SELECT count(*)::int FROM fix_all_sequences(schemas => ARRAY['fuo'])), 0,
          'fix_all_sequences() does not either');
SET LOCAL ROLE fuo_owner;
SELECT is((SELECT count(*)::int FROM fix_sequence('fuo.orders')), 0,
          'fix_sequence(''orders'') by the owner: nothing to do, not skipped');
RESET ROLE;
SELECT is((SELECT last_value FROM fuo.orders_id_seq), 2::bigint, 'the sequence is where it was');
-- once the tenant is granted USAGE, its table counts
GRANT USAGE ON SEQUENCE fuo.orders_id_seq TO fuo_tenant;
SELECT is((SELECT status FROM check_sequence_health(ARRAY['fuo']) WHERE table_name = 'squat'), 'out_of_sync',
          'after GRANT USAGE to its owner, the table counts');

SELECT * FROM finish();
ROLLBACK;
