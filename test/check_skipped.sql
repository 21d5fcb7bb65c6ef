-- check_sequence_health(): columns it cannot judge are reported as
-- 'skipped', with no numbers and a detail saying why: columns of types
-- whose values cannot be compared with a sequence's (numeric, real and
-- double precision columns are judged, as the repair judges them), and
-- foreign tables (also as members of a tree).  Another session's temporary table and a table
-- locked by another session need a second session: see
-- specs/temp_other.spec and specs/lock_skip.spec.
BEGIN;
SELECT plan(12);

CREATE SCHEMA csk;
SET LOCAL search_path = csk, public;
SET LOCAL seqguard.mode = off;

CREATE TEMP VIEW h AS SELECT * FROM check_sequence_health(ARRAY['csk']);
CREATE FUNCTION csk.no_numbers(t name) RETURNS boolean LANGUAGE sql AS
$$ SELECT max_id IS NULL AND sequence_value IS NULL AND next_value IS NULL AND capacity_used IS NULL
     FROM check_sequence_health(ARRAY['csk']) WHERE table_name = t $$;

-- a text key built from a sequence
CREATE SEQUENCE ticket_seq;
CREATE TABLE tickets (code text PRIMARY KEY DEFAULT 'T-' || nextval('ticket_seq'));
INSERT INTO tickets DEFAULT VALUES;
SELECT is((SELECT status FROM h WHERE table_name = 'tickets'), 'skipped', 'a text column fed by a sequence is skipped');
SELECT matches((SELECT detail FROM h WHERE table_name = 'tickets'), 'text',
               'the detail names the column type');
SELECT ok(no_numbers('tickets'), 'a skipped row shows no numbers');

-- numeric: judged, as the repair judges it
CREATE SEQUENCE num_seq;
CREATE TABLE nums (id numeric(20) DEFAULT nextval('num_seq'));
INSERT INTO nums VALUES (99999);
SELECT is((SELECT status FROM h WHERE table_name = 'nums'), 'out_of_sync',
          'a numeric column holding a value past the sequence is out_of_sync');
SELECT is((SELECT max_id FROM h WHERE table_name = 'nums'), 99999::bigint, 'with its largest value as max_id');

-- foreign tables
CREATE FOREIGN DATA WRAPPER csk_dummy;
CREATE SERVER csk_srv FOREIGN DATA WRAPPER csk_dummy;
CREATE SEQUENCE remote_seq;
CREATE FOREIGN TABLE remote (id bigint DEFAULT nextval('remote_seq')) SERVER csk_srv;
SELECT is((SELECT status FROM h WHERE table_name = 'remote'), 'skipped', 'a foreign table is skipped');
SELECT matches((SELECT detail FROM h WHERE table_name = 'remote'), 'foreign', 'the detail says it is foreign');
SELECT ok(no_numbers('remote'), 'a skipped foreign table shows no numbers');

-- a foreign partition makes the whole tree unreadable
CREATE TABLE parted (id bigserial, k int) PARTITION BY LIST (k);
CREATE TABLE parted_local PARTITION OF parted FOR VALUES IN (1);
CREATE FOREIGN TABLE parted_remote PARTITION OF parted FOR VALUES IN (2) SERVER csk_srv;
INSERT INTO parted_local VALUES (5, 1);
SELECT is((SELECT status FROM h WHERE table_name = 'parted'), 'skipped',
          'a partition tree with a foreign partition is skipped, not judged on its local part');
SELECT matches((SELECT detail FROM h WHERE table_name = 'parted'), 'parted_remote.*foreign',
               'the detail names the foreign partition');

-- the same for an inheritance child
CREATE TABLE base (id serial);
CREATE FOREIGN TABLE base_remote () INHERITS (base) SERVER csk_srv;
SELECT is((SELECT status FROM h WHERE table_name = 'base'), 'skipped',
          'an inheritance tree with a foreign child is skipped');

-- a skipped row does not hide the others
CREATE TABLE zz_plain (id serial);
INSERT INTO zz_plain VALUES (3);
SELECT is((SELECT status FROM h WHERE table_name = 'zz_plain'), 'out_of_sync',
          'tables after skipped ones are still judged');

SELECT * FROM finish();
ROLLBACK;
