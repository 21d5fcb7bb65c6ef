-- widening_plan(): the complete way out for a sequence-fed integer column
-- running out, on a schema with a three-level foreign-key chain across two
-- schemas, a partitioned table that references it, views (one on another),
-- a policy, a trigger and a generated column on the column and a
-- publication that lists it.  The plan, run statement by statement as
-- returned, leaves every column bigint, every foreign key valid, the
-- objects in the way back as they were, and check_sequence_health() with
-- no exhaustion row; the next id past the integer range goes in.  A
-- bigint column fed by an integer sequence needs the sequence alone.
BEGIN;
SELECT plan(33);
SET LOCAL seqguard.mode = off;
SET LOCAL client_min_messages = error;         -- CREATE PUBLICATION without wal_level = logical
CREATE SCHEMA app;
CREATE SCHEMA billing;
\ir lib/advice.sql

CREATE TABLE app.accounts (id serial PRIMARY KEY, name text,
                           twice int GENERATED ALWAYS AS (id * 2) STORED);
CREATE INDEX accounts_twice ON app.accounts (twice);
-- what stands on the generated column, which the plan drops and adds again
ALTER TABLE app.accounts ADD CONSTRAINT twice_even CHECK (twice % 2 = 0),
                         ADD CONSTRAINT twice_unique UNIQUE (twice);
COMMENT ON COLUMN app.accounts.twice IS 'id times two';
CREATE VIEW app.doubled AS SELECT twice FROM app.accounts;
CREATE TABLE app.orders (id bigserial PRIMARY KEY, account_id int NOT NULL REFERENCES app.accounts);
-- the chain: accounts <- profiles <- settings, in the other schema
CREATE TABLE billing.profiles (account_id int PRIMARY KEY REFERENCES app.accounts, plan text);
CREATE TABLE billing.settings (profile_id int REFERENCES billing.profiles, k text);
-- a partitioned table referencing it
CREATE TABLE billing.ledger (account_id int NOT NULL REFERENCES app.accounts, at date NOT NULL, amount int)
  PARTITION BY RANGE (at);
CREATE TABLE billing.ledger_2026 PARTITION OF billing.ledger FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE TABLE billing.ledger_2027 PARTITION OF billing.ledger FOR VALUES FROM ('2027-01-01') TO ('2028-01-01');
-- what stands in the way of ALTER COLUMN ... TYPE
CREATE VIEW app.active AS SELECT id, name FROM app.accounts WHERE id > 0;
CREATE VIEW app.active_names AS SELECT name FROM app.active;
GRANT SELECT ON app.active_names TO PUBLIC;
COMMENT ON VIEW app.active_names IS 'names of active accounts';
GRANT UPDATE (name) ON app.active TO PUBLIC;
COMMENT ON COLUMN app.active.name IS 'the name shown';
ALTER VIEW app.active ALTER COLUMN name SET DEFAULT 'unnamed';
ALTER TABLE app.accounts ENABLE ROW LEVEL SECURITY;
CREATE POLICY own ON app.accounts USING (id > 0);
CREATE FUNCTION app.touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER on_id BEFORE UPDATE OF account_id ON billing.profiles FOR EACH ROW EXECUTE FUNCTION app.touch();
CREATE PUBLICATION pub FOR TABLE billing.settings (profile_id);
-- a bigint column with an integer sequence
CREATE SEQUENCE app.tickets_seq AS integer;
CREATE TABLE app.tickets (id bigint PRIMARY KEY DEFAULT nextval('app.tickets_seq'));
-- a table that stays out of it
CREATE TABLE app.other (id serial PRIMARY KEY, account_ref int);

INSERT INTO app.accounts (name) VALUES ('a'), ('b');
INSERT INTO app.orders (account_id) VALUES (1), (2);
INSERT INTO billing.profiles VALUES (1, 'gold');
INSERT INTO billing.settings VALUES (1, 'x');
INSERT INTO billing.ledger VALUES (1, '2026-05-01', 10), (2, '2027-05-01', 20);
SELECT FROM setval('app.accounts_id_seq', 2100000000);

SELECT is((SELECT status FROM check_sequence_health(ARRAY['app']) WHERE table_name = 'accounts'), 'near_exhaustion',
          '(accounts is near exhaustion)');
SELECT matches((SELECT detail FROM check_sequence_health(ARRAY['app']) WHERE table_name = 'accounts'),
               'Widen the range with: the steps of SELECT \* FROM public\.widening_plan\(''app\.accounts'', ''id''\);',
               'the check''s detail points to the plan');

CREATE TEMP TABLE p AS SELECT * FROM widening_plan('app.accounts', 'id');
SELECT is((SELECT array_agg(action ORDER BY step) FROM p WHERE action IN ('begin', 'lock_timeout', 'commit')),
          ARRAY['begin', 'lock_timeout', 'commit'], 'the plan is one transaction with a lock timeout');
SELECT is((SELECT statement FROM p WHERE action = 'sequence'),
          'ALTER SEQUENCE app.accounts_id_seq AS bigint;', 'the sequence becomes bigint');
SELECT is((SELECT array_agg(object ORDER BY step) FROM p WHERE action = 'column'),
          ARRAY['app.accounts', 'app.orders', 'billing.ledger', 'billing.profiles', 'billing.settings'],
          'the columns: the fed one first, then every foreign key to it, transitively, across both schemas, the partitioned table through its root');
SELECT is((SELECT statement FROM p WHERE action = 'column' AND object = 'billing.settings'),
          'ALTER TABLE billing.settings ALTER COLUMN profile_id TYPE bigint;', 'the third level of the chain');
SELECT matches((SELECT detail FROM p WHERE action = 'column' AND object = 'billing.ledger'),
               'rewrites billing\.ledger \(.* with its indexes, and 2 members of its tree\) under an ACCESS EXCLUSIVE lock',
               'the detail gives the size, the rewrite and the lock');
SELECT ok(NOT EXISTS (SELECT FROM p WHERE object IN ('app.other', 'app.tickets')), 'tables not on the chain are left alone');
SELECT is((SELECT array_agg(object ORDER BY object) FROM p WHERE action = 'drop'),
          ARRAY['app.active', 'app.active_names', 'app.doubled', 'generated column twice of app.accounts',
                'policy own on app.accounts', 'table billing.settings in publication pub',
                'trigger on_id on billing.profiles'],
          'what is in the way is dropped first: the views, the generated column, the policy, the publication''s list, the trigger');
SELECT ok((SELECT step FROM p WHERE action = 'drop' AND object = 'app.active_names')
          < (SELECT step FROM p WHERE action = 'drop' AND object = 'app.active'),
          'a view on a view before the view');
SELECT ok((SELECT min(step) FROM p WHERE action = 'create') > (SELECT max(step) FROM p WHERE action = 'column'),
          'and created again after the columns');
SELECT ok((SELECT bool_and(c.step > d.step)
             FROM p d JOIN p c ON c.object = d.object AND c.action = 'create' WHERE d.action = 'drop')
          AND (SELECT max(step) FROM p WHERE action = 'create' AND object = 'app.active_names')
              > (SELECT max(step) FROM p WHERE action = 'create' AND object = 'app.active'),
          'in the opposite order: the view before the view on it');
SELECT ok((SELECT count(*) FROM p WHERE statement LIKE '%widening_plan%' OR statement LIKE '%...%') = 0,
          'every statement is complete');
SELECT is((SELECT count(*)::int FROM pg_class WHERE relname = 'active'), 1, '(the plan changed nothing itself)');

-- apply it
SELECT cmp_ok(pg_temp.run_statements('the steps of SELECT * FROM public.widening_plan(''app.accounts'', ''id'');'),
              '>', 10, 'the plan runs, statement by statement, as returned');
SELECT is((SELECT array_agg(format('%s.%s', attrelid::regclass, attname) ORDER BY 1)
             FROM pg_attribute
            WHERE attrelid IN ('app.accounts'::regclass, 'app.orders'::regclass, 'billing.profiles'::regclass,
                               'billing.settings'::regclass, 'billing.ledger'::regclass,
                               'billing.ledger_2026'::regclass, 'billing.ledger_2027'::regclass)
              AND attname IN ('id', 'account_id', 'profile_id') AND atttypid <> 'int8'::regtype),
          NULL, 'every column on the chain is bigint, partitions included');
SELECT is((SELECT format_type(seqtypid, NULL) || ' ' || seqmax FROM pg_sequence WHERE seqrelid = 'app.accounts_id_seq'::regclass),
          'bigint 9223372036854775807', 'the sequence is bigint to its end');
SELECT is((SELECT count(*)::int FROM pg_constraint WHERE contype = 'f' AND connamespace IN ('app'::regnamespace, 'billing'::regnamespace)
             AND NOT convalidated), 0, 'every foreign key is valid');
SELECT is((SELECT count(*)::int FROM check_sequence_health(ARRAY['app', 'billing'])
            WHERE status IN ('near_exhaustion', 'exhausted')), 0, 'check_sequence_health() has no exhaustion row');
SELECT is((SELECT array_agg(name) FROM app.active_names), ARRAY['a', 'b'], 'the views are back and read the rows');
SELECT is((SELECT string_agg(a.privilege_type, ',') || ' ' || obj_description('app.active_names'::regclass, 'pg_class')
             FROM pg_class c, aclexplode(c.relacl) a WHERE c.oid = 'app.active_names'::regclass AND a.grantee = 0),
          'SELECT names of active accounts', 'with their grants (SELECT to PUBLIC) and comment');
SELECT is((SELECT format('%s %s %s', a.privilege_type, col_description('app.active'::regclass, 2),
                          pg_get_expr(d.adbin, d.adrelid))
             FROM pg_attribute att CROSS JOIN aclexplode(att.attacl) a
             LEFT JOIN pg_attrdef d ON d.adrelid = att.attrelid AND d.adnum = att.attnum
            WHERE att.attrelid = 'app.active'::regclass AND att.attname = 'name' AND a.grantee = 0),
          'UPDATE the name shown ''unnamed''::text',
          'and their column grants (UPDATE (name) to PUBLIC), column comments and column defaults');
SELECT is((SELECT pg_get_expr(polqual, polrelid) FROM pg_policy WHERE polname = 'own'), '(id > 0)', 'the policy is back');
SELECT is((SELECT count(*)::int FROM pg_trigger WHERE tgname = 'on_id'), 1, 'the trigger is back');
SELECT is((SELECT string_agg(attname, ',') FROM pg_publication_rel r, unnest(r.prattrs) a
             JOIN pg_attribute ON attrelid = 'billing.settings'::regclass AND attnum = a
            WHERE r.prrelid = 'billing.settings'::regclass), 'profile_id', 'the publication lists the column again');
SELECT is((SELECT format('%s %s', pg_typeof(twice), twice) FROM app.accounts WHERE id = 2), 'bigint 4',
          'the generated column is computed again, as a bigint (integer before, computed from the column)');
SELECT is((SELECT count(*)::int FROM pg_index WHERE indexrelid = 'app.accounts_twice'::regclass), 1, 'with its index');
SELECT is((SELECT format('%s; %s; %s; %s', string_agg(format('%s %s', conname, contype), ', ' ORDER BY conname),
                          col_description('app.accounts'::regclass,
                                          (SELECT attnum FROM pg_attribute WHERE attrelid = 'app.accounts'::regclass AND attname = 'twice')),
                          (SELECT array_agg(twice ORDER BY twice) FROM app.doubled),
                          (SELECT count(*) FROM pg_attribute WHERE attrelid = 'app.accounts'::regclass AND attname = 'twice' AND attnotnull))
             FROM pg_constraint WHERE conrelid = 'app.accounts'::regclass AND conname LIKE 'twice%'),
          'twice_even c, twice_unique u; id times two; {2,4}; 0',
          'with its constraints, its comment, and the view that reads it');

SELECT lives_ok($$INSERT INTO app.accounts (id, name) VALUES (3000000000, 'past the integer range');
                  INSERT INTO billing.profiles VALUES (3000000000, 'silver');
                  INSERT INTO billing.settings VALUES (3000000000, 'y');
                  INSERT INTO billing.ledger VALUES (3000000000, '2027-06-01', 1)$$,
                'an id past the integer range goes in along the whole chain');
SELECT is((SELECT count(*)::int FROM widening_plan('app.accounts')), 0, 'afterwards there is nothing left to widen');

-- a bigint column fed by an integer sequence: the sequence alone
SELECT is((SELECT array_agg(statement ORDER BY step) FROM widening_plan('app.tickets')),
          ARRAY['BEGIN;', 'SET LOCAL lock_timeout = ''10s'';', 'ALTER SEQUENCE app.tickets_seq AS bigint;', 'COMMIT;'],
          'a bigint column with an integer sequence: ALTER SEQUENCE ... AS bigint alone, nothing rewritten');

-- bad arguments
SELECT throws_ok($$SELECT * FROM widening_plan('billing.settings')$$, '22023',
                 'table "billing.settings" has no sequence-fed column', 'a table with no sequence-fed column is an error');
SELECT throws_ok($$SELECT * FROM widening_plan('app.other', 'account_ref')$$, '22023',
                 'column "account_ref" of table "app.other" is not fed by a sequence', 'so is a column that is not fed');

SELECT * FROM finish();
ROLLBACK;
