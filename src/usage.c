/*-------------------------------------------------------------------------
 *
 * usage.c
 *	  What the SQL functions for running out (seqguard--1.0--1.1.sql) read
 *	  from the server: each sequence's position, and which column each
 *	  sequence feeds.
 *
 * sample_sequences() stores positions in the extension's history table and
 * sequence_forecast() and widening_plan() work from it in SQL; these two
 * functions give them what SQL alone cannot read safely.  A position is
 * read as the check reads one: each sequence locked without waiting (one
 * that another session is altering is left out of that sample), its lock
 * released and its relation cache entry dropped once read, so that
 * sampling ten thousand sequences neither waits nor fills the lock table,
 * where pg_sequences would do both.  The columns are those the check
 * reports, found by the same catalog reading.
 *
 * Copyright (c) 2026, seqguard developers
 *
 * src/usage.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/pg_class.h"
#include "catalog/pg_sequence.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/tuplestore.h"

#include "catalog.h"
#include "seqstate.h"
#include "sqlfunc.h"

PG_FUNCTION_INFO_V1(seqguard_sequence_positions);
PG_FUNCTION_INFO_V1(seqguard_sequence_columns);

/*
 * seqguard_sequence_positions() RETURNS TABLE (sequence regclass,
 * position bigint): for every permanent sequence the caller may read
 * (SELECT or USAGE, as currval()), the last value it handed out (its
 * START less one step when it has handed out none).  Sequences locked by
 * another session, or dropped meanwhile, are left out.
 */
Datum
seqguard_sequence_positions(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Relation	rel;
	SysScanDesc scan;
	HeapTuple	tuple;
	List	   *seqids = NIL;
	ListCell   *lc;

	InitMaterializedSRF(fcinfo, 0);

	/* the list first: no catalog scan stays open while sequences are read */
	rel = table_open(SequenceRelationId, AccessShareLock);
	scan = systable_beginscan(rel, InvalidOid, false, NULL, 0, NULL);
	while (HeapTupleIsValid(tuple = systable_getnext(scan)))
		seqids = lappend_oid(seqids, ((Form_pg_sequence) GETSTRUCT(tuple))->seqrelid);
	systable_endscan(scan);
	table_close(rel, AccessShareLock);

	foreach(lc, seqids)
	{
		Oid			seqid = lfirst_oid(lc);
		SeqState	seq;
		Datum		values[2];
		bool		nulls[2] = {false, false};
		char		persistence = get_rel_persistence(seqid);

		CHECK_FOR_INTERRUPTS();
		if (persistence == '\0' || persistence == RELPERSISTENCE_TEMP)
			continue;
		if (seqguard_read_sequence(seqid, ACL_SELECT | ACL_USAGE,
								   SEQ_NOWAIT | SEQ_TRANSIENT, &seq) != NULL)
			continue;
		values[0] = ObjectIdGetDatum(seqid);
		values[1] = Int64GetDatum(seq.is_called ? seq.last_value :
								  seq.last_value - seq.increment);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/*
 * seqguard_sequence_columns(schemas name[]) RETURNS TABLE (tbl regclass,
 * column_name name, column_type regtype, sequence regclass): the columns
 * the check reports, each folded into the root of its tree, in tables of
 * schemas (NULL: every schema).  Columns whose default computes another
 * value from nextval() are left out: their values are not the sequence's.
 */
Datum
seqguard_sequence_columns(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	List	   *nspids = seqguard_schemas_arg(fcinfo, 0);
	ListCell   *lc;

	InitMaterializedSRF(fcinfo, 0);
	foreach(lc, seqguard_find_feeds(nspids))
	{
		SeqFeed    *f = lfirst(lc);
		Datum		values[4];
		bool		nulls[4] = {false, false, false, false};
		NameData	attname;

		if (f->derived)
			continue;

		namestrcpy(&attname, f->attname);
		values[0] = ObjectIdGetDatum(f->relid);
		values[1] = NameGetDatum(&attname);
		values[2] = ObjectIdGetDatum(f->typid);
		values[3] = ObjectIdGetDatum(f->seqid);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}
