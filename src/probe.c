/*-------------------------------------------------------------------------
 *
 * probe.c
 *	  Reading the largest (or smallest) value of a sequence-fed column.
 *
 * The value is read the way the planner's get_actual_variable_endpoint()
 * reads an index endpoint: a btree index scan from the extreme end that
 * stops at the first value that counts, so that the cost does not grow
 * with the table.  A table is scanned only when no btree index leads with
 * the column.
 *
 * Columns of type numeric, real and double precision fed by a sequence
 * are read the same way; what matters for a sequence is the largest
 * integral value at or below the column's largest value (the smallest at
 * or above its smallest, for a descending sequence), since only integers
 * can collide with what nextval() returns.  NaN and infinities are passed
 * over: no sequence value equals them.
 *
 * Rows are read with SnapshotSelf: everything committed when the row is
 * read, and the current transaction's own changes.  A sequence must get
 * past rows committed since the caller's transaction began too, and a
 * snapshot that is not MVCC takes no predicate locks under SERIALIZABLE,
 * where thousands of tables would otherwise exhaust the lock table.
 *
 * The caller's privileges and row-level security apply as they would to
 * SELECT max(col) FROM root.  Locks are taken conditionally, so a table
 * locked by another session is reported instead of waited for, and each
 * is released as soon as its value is read, so that databases with tens
 * of thousands of tables, or partition trees of that many members, fit
 * in the lock table.
 *
 * Copyright (c) 2026, seqguard developers
 *
 * src/probe.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/relation.h"
#include "access/stratnum.h"
#include "access/tableam.h"
#include "access/transam.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_am.h"
#include "catalog/pg_class.h"
#include "catalog/pg_index.h"
#include "catalog/pg_inherits.h"
#include "catalog/pg_opfamily.h"
#include "catalog/pg_type.h"
#include "commands/defrem.h"
#include "executor/tuptable.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "storage/lmgr.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/combocid.h"
#include "utils/fmgrprotos.h"
#include "utils/lsyscache.h"
#include "utils/numeric.h"
#include "utils/rel.h"
#include "utils/relcache.h"
#include "utils/rls.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"

#include "compat.h"
#include "probe.h"
#include "range.h"
#include "transient.h"

/* what a column value means to a sequence */
typedef enum ValueClass
{
	VALUE_OK,					/* an integral bound in bigint's range */
	VALUE_NOT_FINITE,			/* NaN or infinite: equal to no sequence value */
	VALUE_OUT_OF_RANGE			/* finite, but past bigint's range */
} ValueClass;

/*
 * The value a sequence must get past: the value itself for integer types,
 * its floor when reading a maximum (its ceiling for a minimum) otherwise.
 */
static ValueClass
integral_value(Datum d, Oid typid, bool want_max, int64 *out)
{
	switch (typid)
	{
		case INT2OID:
			*out = DatumGetInt16(d);
			return VALUE_OK;
		case INT4OID:
			*out = DatumGetInt32(d);
			return VALUE_OK;
		case INT8OID:
			*out = DatumGetInt64(d);
			return VALUE_OK;
		case FLOAT4OID:
		case FLOAT8OID:
			{
				double		v = typid == FLOAT4OID ? DatumGetFloat4(d) : DatumGetFloat8(d);

				if (isnan(v) || isinf(v))
					return VALUE_NOT_FINITE;
				v = want_max ? floor(v) : ceil(v);
				/* 2^63 is exact in a double; bigint ends one below it */
				if (v < -9223372036854775808.0 || v >= 9223372036854775808.0)
					return VALUE_OUT_OF_RANGE;
				*out = (int64) v;
				return VALUE_OK;
			}
		case NUMERICOID:
			{
				Numeric		n = DatumGetNumeric(d);
				Datum		r;

				if (numeric_is_nan(n) || numeric_is_inf(n))
					return VALUE_NOT_FINITE;
				r = DirectFunctionCall1(want_max ? numeric_floor : numeric_ceil, d);
				if (DatumGetInt32(DirectFunctionCall2(numeric_cmp, r,
													  NumericGetDatum(int64_to_numeric(PG_INT64_MAX)))) > 0 ||
					DatumGetInt32(DirectFunctionCall2(numeric_cmp, r,
													  NumericGetDatum(int64_to_numeric(PG_INT64_MIN)))) < 0)
					return VALUE_OUT_OF_RANGE;
				*out = DatumGetInt64(DirectFunctionCall1(numeric_int8, r));
				return VALUE_OK;
			}
	}
	elog(ERROR, "unsupported type %u", typid);
	return VALUE_NOT_FINITE;	/* keep compiler quiet */
}

static void
note_value(ColumnExtreme *result, int64 v, bool want_max)
{
	if (!result->has_value || (want_max ? v > result->value : v < result->value))
		result->value = v;
	result->has_value = true;
}

/* the default btree operator family of a type, remembered per backend */
static Oid
btree_family(Oid typid)
{
	static Oid	last_type = InvalidOid;
	static Oid	last_family = InvalidOid;

	if (seqguard_is_integer_type(typid))
		return INTEGER_BTREE_FAM_OID;
	if (typid != last_type)
	{
		Oid			opclass = GetDefaultOpClass(typid, BTREE_AM_OID);

		last_family = OidIsValid(opclass) ? get_opclass_family(opclass) : InvalidOid;
		last_type = typid;
	}
	return last_family;
}

/*
 * Can this index give the column's extreme value?  It must be a valid
 * btree on the plain column with the type's standard ordering, not
 * partial, and usable by our transaction: an index built while HOT chains
 * were broken (indcheckxmin) may lack entries for rows older snapshots
 * see, which is why the planner skips it too.
 */
static bool
index_is_usable(Relation index, AttrNumber attnum, Oid typid)
{
	Form_pg_index ind = index->rd_index;

	if (index->rd_rel->relam != BTREE_AM_OID || !ind->indisvalid ||
		ind->indnkeyatts < 1 || ind->indkey.values[0] != attnum ||
		index->rd_opfamily[0] != btree_family(typid) ||
		!heap_attisnull(index->rd_indextuple, Anum_pg_index_indpred, NULL))
		return false;
	if (ind->indcheckxmin &&
		!TransactionIdPrecedes(HeapTupleHeaderGetXmin(index->rd_indextuple->t_data),
							   TransactionXmin))
		return false;
	return true;
}

/*
 * Open the first usable index of heap on attnum, or return NULL; *locked
 * says whether a lock was taken for it, to be released by close_index().
 * An index the transaction already holds a lock on (the indexes of the
 * tables a statement wrote) is used under that lock; any other is locked
 * without waiting, so that an index locked by another session (REINDEX) is
 * passed over.
 */
static Relation
open_usable_index(Relation heap, AttrNumber attnum, Oid typid, bool *locked)
{
	List	   *indexes = RelationGetIndexList(heap);
	ListCell   *lc;
	Relation	result = NULL;

	foreach(lc, indexes)
	{
		Oid			indexoid = lfirst_oid(lc);
		Relation	index;

		*locked = !CheckRelationOidLockedByMe(indexoid, AccessShareLock, true);
		if (*locked && !ConditionalLockRelationOid(indexoid, AccessShareLock))
			continue;
		index = try_relation_open(indexoid, NoLock);
		if (index != NULL && index_is_usable(index, attnum, typid))
		{
			result = index;
			break;
		}
		if (index != NULL)
			relation_close(index, NoLock);
		if (*locked)
			UnlockRelationOid(indexoid, AccessShareLock);
	}
	list_free(indexes);
	return result;
}

/* Did the current transaction write this row version at command cid or later? */
static bool
written_by_statement(HeapTupleHeader h, CommandId cid)
{
	if (!TransactionIdIsCurrentTransactionId(HeapTupleHeaderGetRawXmin(h)))
		return false;
	/* rows frozen as they were written (COPY FREEZE) keep no command id */
	return HeapTupleHeaderXminFrozen(h) || HeapTupleHeaderGetCmin(h) >= cid;
}

/*
 * Was this row version updated, not deleted, by the current transaction
 * at command cid or later?  An updated version points to its successor;
 * a deleted one to itself (or, moved to another partition, to no tuple).
 */
static bool
updated_by_statement(HeapTuple tuple, CommandId cid)
{
	HeapTupleHeader h = tuple->t_data;

	return !(h->t_infomask & HEAP_XMAX_INVALID) &&
		!HEAP_XMAX_IS_LOCKED_ONLY(h->t_infomask) &&
		TransactionIdIsCurrentTransactionId(HeapTupleHeaderGetUpdateXid(h)) &&
		HeapTupleHeaderGetCmax(h) >= cid &&
		!ItemPointerEquals(&tuple->t_self, &h->t_ctid) &&
		!HeapTupleHeaderIndicatesMovedPartitions(h);
}

/*
 * Did the statement (commands from cid on) update a row that held this
 * value before it began?  Then a version it wrote with the value brings
 * no new value: an UPDATE of another column, or one that a BEFORE UPDATE
 * trigger passed through, keeps the id.  A version the statement itself
 * wrote does not count as "before": an explicit id whose AFTER trigger
 * then updates the row was still written by the statement; nor does a
 * deleted row: a BEFORE INSERT trigger that deletes the row with the same
 * id (an upsert by delete-then-insert), or the same id written twice,
 * brings the id anew.  Found with an equality search of the index under
 * SnapshotAny, which returns every version, those of HOT chains too.
 */
static bool
value_replaced(Relation heap, Relation index, Datum value, CommandId cid)
{
	ScanKeyData key;
	IndexScanDesc scan;
	TupleTableSlot *slot = table_slot_create(heap, NULL);
	Oid			eqop = get_opfamily_member(index->rd_opfamily[0],
										   index->rd_opcintype[0],
										   index->rd_opcintype[0],
										   BTEqualStrategyNumber);
	bool		found = false;

	ScanKeyEntryInitialize(&key, 0, 1, BTEqualStrategyNumber,
						   index->rd_opcintype[0], index->rd_indcollation[0],
						   get_opcode(eqop), value);
	scan = seqguard_index_beginscan(heap, index, SnapshotAny, 1);
	index_rescan(scan, &key, 1, NULL, 0);
	while (!found && index_getnext_slot(scan, ForwardScanDirection, slot))
	{
		bool		shouldfree;
		HeapTuple	tuple = ExecFetchSlotHeapTuple(slot, false, &shouldfree);

		CHECK_FOR_INTERRUPTS();
		found = updated_by_statement(tuple, cid) &&
			!written_by_statement(tuple->t_data, cid);
		if (shouldfree)
			heap_freetuple(tuple);
	}
	index_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);
	return found;
}

/*
 * Did the statement (commands from cid on) write the row in slot with a
 * value of its own?  When the row was reached through an index on the
 * column (index not NULL), a version that replaces a row the statement
 * found with the same value brings no new value.  Only heap tuples carry
 * all this; for other table access methods every row counts as written.
 */
static bool
written_since(Relation rel, Relation index, TupleTableSlot *slot, Datum value,
			  CommandId cid)
{
	bool		shouldfree;
	HeapTuple	tuple;
	bool		result;

	if (rel->rd_rel->relam != HEAP_TABLE_AM_OID)
		return true;
	tuple = ExecFetchSlotHeapTuple(slot, false, &shouldfree);
	result = written_by_statement(tuple->t_data, cid) &&
		(index == NULL || !value_replaced(rel, index, value, cid));
	if (shouldfree)
		heap_freetuple(tuple);
	return result;
}

/*
 * Does this row's value count?  Returns false to pass over it: a NULL,
 * NaN or infinity, a value past the limit, a row not written by the
 * statement; sets *stop when no later value in the index order can count
 * either.
 */
static bool
value_counts(Relation rel, Relation index, TupleTableSlot *slot,
			 const ProbeSpec *spec, ValueClass *cls, int64 *v, bool *stop)
{
	bool		isnull;
	Datum		d = slot_getattr(slot, spec->attnum, &isnull);

	*stop = false;
	if (isnull || (*cls = integral_value(d, spec->typid, spec->want_max, v)) == VALUE_NOT_FINITE)
		return false;
	if (spec->limited &&
		(*cls == VALUE_OUT_OF_RANGE || (spec->want_max ? *v > spec->limit : *v < spec->limit)))
		return false;
	if (*cls == VALUE_OK && spec->bounded &&
		(spec->want_max ? *v < spec->from : *v > spec->from))
	{
		*stop = true;
		return false;
	}
	return spec->cid == InvalidCommandId ||
		written_since(rel, index, slot, d, spec->cid);
}

/* a key comparing an integer column with an int8 value, as the integer btree family does */
static void
integer_key(ScanKey key, Oid typid, StrategyNumber strategy, int64 value)
{
	Oid			op = get_opfamily_member(INTEGER_BTREE_FAM_OID, typid, INT8OID, strategy);

	ScanKeyEntryInitialize(key, 0, 1, strategy, INT8OID, InvalidOid,
						   get_opcode(op), Int64GetDatum(value));
}

/*
 * Read through a usable index from the extreme end inward, stopping at the
 * first value that counts.  Returns false when the relation has no usable
 * index (or each is locked).
 */
static bool
probe_by_index(Relation heap, const ProbeSpec *spec, ColumnExtreme *result)
{
	bool		locked = false;
	Relation	index = NULL;
	Oid			indexoid;
	ScanKeyData keys[2];
	int			nkeys = 0;
	ScanDirection dir;
	IndexScanDesc scan;
	TupleTableSlot *slot;

	if (spec->indexes != NULL)
	{
		/* the statement's own, open and locked */
		for (int i = 0; i < spec->nindexes && index == NULL; i++)
			if (index_is_usable(spec->indexes[i], spec->attnum, spec->typid))
				index = spec->indexes[i];
	}
	else
		index = open_usable_index(heap, spec->attnum, spec->typid, &locked);
	if (index == NULL)
		return false;

	/*
	 * For an integer column, the bounds are keys of the scan: it starts at
	 * the limit, so that any number of values past it (sentinels) cost one
	 * descent, and it stops at the first value before "from", so that only
	 * the few entries past a sequence's next value are looked at, not the
	 * whole leaf page.  Otherwise, and without bounds, the same "IS NOT
	 * NULL" key get_actual_variable_endpoint uses.
	 */
	if ((spec->bounded || spec->limited) && seqguard_is_integer_type(spec->typid))
	{
		if (spec->bounded)
			integer_key(&keys[nkeys++], spec->typid,
						spec->want_max ? BTGreaterEqualStrategyNumber : BTLessEqualStrategyNumber,
						spec->from);
		if (spec->limited)
			integer_key(&keys[nkeys++], spec->typid,
						spec->want_max ? BTLessEqualStrategyNumber : BTGreaterEqualStrategyNumber,
						spec->limit);
	}
	else
		ScanKeyEntryInitialize(&keys[nkeys++], SK_ISNULL | SK_SEARCHNOTNULL, 1,
							   InvalidStrategy, InvalidOid, InvalidOid,
							   InvalidOid, (Datum) 0);
	dir = (spec->want_max != ((index->rd_indoption[0] & INDOPTION_DESC) != 0)) ?
		BackwardScanDirection : ForwardScanDirection;
	slot = table_slot_create(heap, NULL);
	scan = seqguard_index_beginscan(heap, index, SnapshotSelf, nkeys);
	index_rescan(scan, keys, nkeys, NULL, 0);
	while (index_getnext_slot(scan, dir, slot))
	{
		ValueClass	cls;
		int64		v;
		bool		stop;

		CHECK_FOR_INTERRUPTS();
		if (value_counts(heap, index, slot, spec, &cls, &v, &stop))
		{
			if (cls == VALUE_OUT_OF_RANGE)
				result->out_of_range = true;
			else
				note_value(result, v, spec->want_max);
			break;
		}
		if (stop)
			break;
	}
	index_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);
	indexoid = RelationGetRelid(index);
	if (spec->indexes != NULL)
		return true;
	if (spec->transient)
		seqguard_close_transient(index);
	else
		relation_close(index, NoLock);
	if (locked)
		UnlockRelationOid(indexoid, AccessShareLock);
	return true;
}

/* Without a usable index: read every row. */
static void
probe_by_scan(Relation heap, const ProbeSpec *spec, ColumnExtreme *result)
{
	TableScanDesc scan = seqguard_table_beginscan(heap, SnapshotSelf);
	TupleTableSlot *slot = table_slot_create(heap, NULL);

	while (table_scan_getnextslot(scan, ForwardScanDirection, slot))
	{
		ValueClass	cls;
		int64		v;
		bool		stop;

		CHECK_FOR_INTERRUPTS();
		if (!value_counts(heap, NULL, slot, spec, &cls, &v, &stop))
			continue;
		if (cls == VALUE_OUT_OF_RANGE)
			result->out_of_range = true;
		else
			note_value(result, v, spec->want_max);
	}
	table_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);
	result->scanned = true;
}

/*
 * Read one column of one relation with storage, which the caller has
 * locked, as spec says, into *result (which may already hold the values
 * of other relations).
 */
void
seqguard_probe(Relation rel, const ProbeSpec *spec, ColumnExtreme *result)
{
	if (probe_by_index(rel, spec, result))
		return;
	if (spec->index_only)
		result->no_index = true;
	else
		probe_by_scan(rel, spec, result);
}

/*
 * Why the caller may not read this column as SELECT max(col) FROM root
 * would, or NULL.  Privileges are checked on the root only, as a query on
 * the root checks them; with row-level security in force, the extreme
 * would reveal rows the policies hide, so the column is not read at all.
 * The caller holds a lock on the table, so it and its schema cannot go.
 */
static const char *
read_denied(const SeqFeed *feed)
{
	Oid			user = GetUserId();

	if (seqguard_namespace_aclcheck(feed->nspid, user, ACL_USAGE) != ACLCHECK_OK)
		return psprintf("permission denied for schema \"%s\"", feed->nspname);
	if (pg_class_aclcheck(feed->relid, user, ACL_SELECT) != ACLCHECK_OK &&
		pg_attribute_aclcheck(feed->relid, feed->attnum, user, ACL_SELECT) != ACLCHECK_OK)
		return psprintf("permission denied to read column \"%s\" of table \"%s\"",
						feed->attname, feed->relname);
	if (check_enable_rls(feed->relid, InvalidOid, true) == RLS_ENABLED)
		return psprintf("row-level security is enabled on table \"%s\" for this role",
						feed->relname);
	return NULL;
}

/*
 * Read spec's column (named attname, numbered attnum in the root) of every
 * member of root's tree into *result; the caller holds a lock on root.
 * Members are locked one at a time, without waiting, and released once
 * read, so that trees of thousands of members fit in the lock table.  A
 * member that is another session's temporary table cannot be read (its
 * pages live in that session's memory): its name goes to result->unseen.
 * A member locked by another session, or a foreign table, sets
 * result->skip_reason and ends the walk.
 */
static void
walk_tree(Oid root, const char *attname, const ProbeSpec *spec, ColumnExtreme *result)
{
	List	   *members;
	ListCell   *lc;

	/* NoLock: each member is locked below, without waiting */
	members = has_subclass(root) ? find_all_inheritors(root, NoLock, NULL) :
		list_make1_oid(root);
	foreach(lc, members)
	{
		Oid			member = lfirst_oid(lc);
		Relation	rel;

		CHECK_FOR_INTERRUPTS();
		if (member != root && !ConditionalLockRelationOid(member, AccessShareLock))
		{
			char	   *name = get_rel_name(member);

			if (name == NULL)
				continue;		/* dropped since it was listed */
			result->skip_reason = psprintf("table \"%s\" is locked by another session", name);
			break;
		}
		rel = try_relation_open(member, NoLock);
		if (rel != NULL)
		{
			ProbeSpec	mspec = *spec;

			if (member != root)
				mspec.attnum = get_attnum(member, attname);
			if (rel->rd_rel->relkind == RELKIND_FOREIGN_TABLE)
				result->skip_reason = psprintf("\"%s\" is a foreign table: its rows are not read",
											   RelationGetRelationName(rel));
			else if (RELATION_IS_OTHER_TEMP(rel))
				result->unseen = lappend(result->unseen,
										 psprintf("%s.%s",
												  get_namespace_name(RelationGetNamespace(rel)),
												  RelationGetRelationName(rel)));
			else if (RELKIND_HAS_STORAGE(rel->rd_rel->relkind) &&
					 mspec.attnum != InvalidAttrNumber)
				seqguard_probe(rel, &mspec, result);
			seqguard_close_transient(rel);
		}

		/*
		 * Nothing read here is kept beyond this point, so the lock need not
		 * last until commit; releasing it keeps the lock table small.  A
		 * lock the transaction held before is kept: locks are counted.
		 */
		if (member != root)
			UnlockRelationOid(member, AccessShareLock);
		if (result->skip_reason || result->out_of_range)
			break;
	}
	list_free(members);
}

/*
 * Lock root without waiting and check that it and its column are still
 * there; false (with result->skip_reason or result->gone set) when not.
 */
static bool
lock_root(Oid root, AttrNumber attnum, const char *relname, ColumnExtreme *result)
{
	if (!ConditionalLockRelationOid(root, AccessShareLock))
	{
		result->skip_reason = psprintf("table \"%s\" is locked by another session",
									   relname);
		return false;
	}
	/* the lock made us see invalidations: was it dropped meanwhile? */
	if (!SearchSysCacheExists1(RELOID, ObjectIdGetDatum(root)) ||
		!SearchSysCacheExists2(ATTNUM, ObjectIdGetDatum(root), Int16GetDatum(attnum)))
	{
		UnlockRelationOid(root, AccessShareLock);
		result->gone = true;
		result->skip_reason = "the table was dropped";
		return false;
	}
	return true;
}

/*
 * Fill *result with the extreme value of feed's column over the root and
 * every inheritor, as the caller may read it, as spec says (its attnum is
 * taken from feed).  When the table was dropped before it could be locked,
 * result->gone.
 */
void
seqguard_column_extreme(const SeqFeed *feed, const ProbeSpec *spec, ColumnExtreme *result)
{
	ProbeSpec	rspec = *spec;

	memset(result, 0, sizeof(ColumnExtreme));
	rspec.attnum = feed->attnum;
	rspec.transient = true;

	if (feed->relkind == RELKIND_FOREIGN_TABLE)
	{
		result->skip_reason = "foreign table: its rows are not read";
		return;
	}
	if (!seqguard_type_comparable(feed->typid))
	{
		result->skip_reason = psprintf("column type %s cannot be compared with the sequence's values",
									   format_type_be(feed->typid));
		return;
	}
	if (isOtherTempNamespace(feed->nspid))
	{
		result->skip_reason = "temporary table of another session";
		result->unseen = list_make1(psprintf("%s.%s", feed->nspname, feed->relname));
		return;
	}
	if (!lock_root(feed->relid, feed->attnum, feed->relname, result))
		return;
	if ((result->skip_reason = read_denied(feed)) == NULL)
		walk_tree(feed->relid, feed->attname, &rspec, result);
	UnlockRelationOid(feed->relid, AccessShareLock);

	if (result->out_of_range && !result->skip_reason)
		result->skip_reason = psprintf("column \"%s\" of table \"%s\" holds a value beyond the range of bigint",
									   feed->attname, feed->relname);
	if (result->skip_reason)
		result->has_value = false;
}

/*
 * The same for the guard, after DDL that brought root's rows under a
 * sequence: every row counts, whoever may read it.
 */
void
seqguard_tree_extreme(Oid root, AttrNumber attnum, const ProbeSpec *spec,
					  ColumnExtreme *result)
{
	ProbeSpec	rspec = *spec;
	char	   *relname = get_rel_name(root);
	char	   *attname = get_attname(root, attnum, true);

	memset(result, 0, sizeof(ColumnExtreme));
	rspec.attnum = attnum;
	rspec.transient = true;
	if (relname == NULL || attname == NULL)
	{
		result->gone = true;
		return;
	}
	if (!lock_root(root, attnum, relname, result))
		return;
	walk_tree(root, attname, &rspec, result);
	UnlockRelationOid(root, AccessShareLock);
}

/* a sentence naming the tables that could not be read, if any */
void
seqguard_append_unseen(StringInfo buf, List *unseen)
{
	ListCell   *lc;

	if (unseen == NIL)
		return;
	appendStringInfo(buf, "%sNot seen: ", buf->len ? " " : "");
	foreach(lc, unseen)
		appendStringInfo(buf, "%s%s", foreach_current_index(lc) ? ", " : "",
						 (char *) lfirst(lc));
	appendStringInfoString(buf, list_length(unseen) > 1 ?
						   ", temporary tables of other sessions." :
						   ", a temporary table of another session.");
}
