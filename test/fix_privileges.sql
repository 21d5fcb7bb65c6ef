-- The check and the repair run as the caller: what it may not read is
-- skipped without showing a value, what it may not update is not moved.
BEGIN;
SELECT plan(16);
SET LOCAL seqguard.mode = off;	-- lagging rows are made on purpose

CREATE SCHEMA priv;
CREATE TABLE priv.secret (id serial PRIMARY KEY, payload text);
INSERT INTO priv.secret VALUES (4242, 'x');
CREATE TABLE priv.colgrant (id serial PRIMARY KEY, payload text);
INSERT INTO priv.colgrant VALUES (77, 'y');
CREATE TABLE priv.hidden_seq (id serial PRIMARY KEY);
INSERT INTO priv.hidden_seq VALUES (9);
CREATE TABLE priv.rls (id serial PRIMARY KEY, owner_name text);
INSERT INTO priv.rls VALUES (555, 'someone else');
ALTER TABLE priv.rls ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_rows ON priv.rls USING (owner_name = current_user);

CREATE ROLE seqguard_reader;
GRANT USAGE ON SCHEMA priv TO seqguard_reader;
GRANT SELECT ON priv.secret_id_seq, priv.colgrant_id_seq, priv.rls_id_seq TO seqguard_reader;
GRANT SELECT (id) ON priv.colgrant TO seqguard_reader;
GRANT SELECT ON priv.hidden_seq, priv.rls TO seqguard_reader;
GRANT UPDATE ON priv.colgrant_id_seq TO seqguard_reader;

SET LOCAL ROLE seqguard_reader;
CREATE TEMP TABLE seen AS SELECT * FROM check_sequence_health(ARRAY['priv']);
CREATE TEMP TABLE fixed AS SELECT * FROM fix_all_sequences(schemas => ARRAY['priv']);
RESET ROLE;

SELECT is((SELECT status FROM seen WHERE table_name = 'secret'), 'skipped',
          'a table the caller cannot read is skipped');
SELECT ok((SELECT max_id IS NULL AND sequence_value IS NULL AND next_value IS NULL
             FROM seen WHERE table_name = 'secret'),
          'and none of its numbers are shown');
SELECT ok((SELECT detail NOT LIKE '%4242%' AND detail LIKE '%permission denied%'
             FROM seen WHERE table_name = 'secret'),
          'the detail says why without revealing its values');
SELECT is((SELECT status FROM seen WHERE table_name = 'colgrant'), 'out_of_sync',
          'SELECT on the column alone is enough');
SELECT is((SELECT max_id FROM seen WHERE table_name = 'colgrant'), 77::bigint,
          'and its largest value is read');
SELECT is((SELECT status FROM seen WHERE table_name = 'hidden_seq'), 'skipped',
          'a sequence the caller cannot read is skipped');
SELECT ok((SELECT detail LIKE '%permission denied for sequence%' FROM seen WHERE table_name = 'hidden_seq'),
          'and the detail names the sequence');
SELECT is((SELECT status FROM seen WHERE table_name = 'rls'), 'skipped',
          'a table under row-level security for the caller is skipped');
SELECT ok((SELECT max_id IS NULL AND detail LIKE '%row-level security%' FROM seen WHERE table_name = 'rls'),
          'and the hidden rows'' largest value is not shown');

SELECT is((SELECT action FROM fixed WHERE sequence_name = 'colgrant_id_seq'), 'advanced',
          'a sequence the caller may update and whose column it may read is fixed');
SELECT is((SELECT last_value FROM priv.colgrant_id_seq), 78::bigint,
          'to just past the largest value');
SELECT is((SELECT action FROM fixed WHERE sequence_name = 'secret_id_seq'), 'skipped',
          'a sequence the caller may not update is skipped');
SELECT is((SELECT last_value FROM priv.secret_id_seq), 1::bigint,
          'and left where it was');
SELECT ok((SELECT detail NOT LIKE '%4242%' FROM fixed WHERE sequence_name = 'secret_id_seq'),
          'its detail reveals no value of the table');

-- UPDATE on the sequence but no right to read the table: still skipped
GRANT UPDATE ON priv.secret_id_seq TO seqguard_reader;
SET LOCAL ROLE seqguard_reader;
CREATE TEMP TABLE fixed2 AS SELECT * FROM fix_sequence('priv.secret');
RESET ROLE;
SELECT is((SELECT action FROM fixed2), 'skipped',
          'a sequence whose column the caller may not read is skipped, even with UPDATE on it');
SELECT ok((SELECT detail LIKE '%permission denied to read column%' AND detail NOT LIKE '%4242%' FROM fixed2),
          'and the detail says why without the value');

SELECT * FROM finish();
ROLLBACK;
