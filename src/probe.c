/*-------------------------------------------------------------------------
 *
 * probe.c
 *	  Reading the largest (or smallest) value of a sequence-fed column over
 *	  its whole inheritance or partition tree.
 *
 * The value is read the way the planner's get_actual_variable_endpoint()
 * reads an index endpoint: one step of a btree index scan from the right
 * end, skipping NULLs, so that the cost does not grow with the table.  A
 * table is scanned only when no btree index leads with the column.
 *
 * The caller's privileges and row-level security apply as they would to
 * SELECT max(col) FROM root.  Locks are taken conditionally, so a table
 * locked by another session is reported instead of waited for, and every
 * lock is released once the value is read, so that databases with tens of
 * thousands of tables fit in the lock table.
 *
 * Copyright (c) 2026, seqguard developers
 *
 * src/probe.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/relation.h"
#include "access/stratnum.h"
#include "access/tableam.h"
#include "access/transam.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_am.h"
#include "catalog/pg_amop.h"
#include "catalog/pg_class.h"
#include "catalog/pg_index.h"
#include "catalog/pg_inherits.h"
#include "catalog/pg_opfamily.h"
#include "catalog/pg_type.h"
#include "executor/tuptable.h"
#include "miscadmin.h"
#include "storage/lmgr.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/rls.h"
#include "utils/snapmgr.h"
#include "utils/combocid.h"

#include "compat.h"
#include "seqguard.h"

static int64
datum_to_int64(Datum d, Oid typid)
{
	switch (typid)
	{
		case INT2OID:
			return DatumGetInt16(d);
		case INT4OID:
			return DatumGetInt32(d);
		default:
			return DatumGetInt64(d);
	}
}

static void
note_value(ColumnExtreme *result, int64 v, bool want_max)
{
	if (!result->has_value || (want_max ? v > result->value : v < result->value))
		result->value = v;
	result->has_value = true;
}

/*
 * Can this index give the column's extreme value?  It must be a valid
 * btree on the plain column with the standard integer ordering, not
 * partial, and usable by our snapshot: an index built while HOT chains
 * were broken (indcheckxmin) may lack entries for rows an older snapshot
 * sees, which is why the planner skips it too.
 */
static bool
index_is_usable(Relation index, AttrNumber attnum)
{
	Form_pg_index ind = index->rd_index;

	if (index->rd_rel->relam != BTREE_AM_OID || !ind->indisvalid ||
		ind->indnkeyatts < 1 || ind->indkey.values[0] != attnum ||
		index->rd_opfamily[0] != INTEGER_BTREE_FAM_OID ||
		!heap_attisnull(index->rd_indextuple, Anum_pg_index_indpred, NULL))
		return false;
	if (ind->indcheckxmin &&
		!TransactionIdPrecedes(HeapTupleHeaderGetXmin(index->rd_indextuple->t_data),
							   TransactionXmin))
		return false;
	return true;
}

/*
 * Open and lock the first usable index of heap on attnum, or return NULL.
 * An index that is locked by another session (REINDEX) is passed over.
 */
static Relation
open_usable_index(Relation heap, AttrNumber attnum)
{
	List	   *indexes = RelationGetIndexList(heap);
	ListCell   *lc;
	Relation	result = NULL;

	foreach(lc, indexes)
	{
		Oid			indexoid = lfirst_oid(lc);
		Relation	index;

		if (!ConditionalLockRelationOid(indexoid, AccessShareLock))
			continue;
		index = try_relation_open(indexoid, NoLock);
		if (index != NULL && index_is_usable(index, attnum))
		{
			result = index;
			break;
		}
		if (index != NULL)
			relation_close(index, NoLock);
		UnlockRelationOid(indexoid, AccessShareLock);
	}
	list_free(indexes);
	return result;
}

static void
close_index(Relation index)
{
	Oid			indexoid = RelationGetRelid(index);

	relation_close(index, NoLock);
	UnlockRelationOid(indexoid, AccessShareLock);
}

/*
 * Begin a scan of index that returns the column's values from the extreme
 * end inward: from the largest when want_max.  keys are the scan keys.
 */
static IndexScanDesc
begin_endpoint_scan(Relation heap, Relation index, Snapshot snapshot,
					bool want_max, ScanKey keys, int nkeys, ScanDirection *dir)
{
	bool		desc = (index->rd_indoption[0] & INDOPTION_DESC) != 0;
	IndexScanDesc scan;

	*dir = (want_max != desc) ? BackwardScanDirection : ForwardScanDirection;
	scan = seqguard_index_beginscan(heap, index, snapshot, nkeys);
	index_rescan(scan, keys, nkeys, NULL, 0);
	return scan;
}

/*
 * Read the extreme non-NULL value of one column through a usable index.
 * Returns false when the relation has no such index (or each is locked).
 */
static bool
probe_by_index(Relation heap, AttrNumber attnum, Oid typid, bool want_max,
			   Snapshot snapshot, ColumnExtreme *result)
{
	Relation	index = open_usable_index(heap, attnum);
	ScanKeyData key;
	ScanDirection dir;
	IndexScanDesc scan;
	TupleTableSlot *slot;

	if (index == NULL)
		return false;

	/* the same "IS NOT NULL" key get_actual_variable_endpoint uses */
	ScanKeyEntryInitialize(&key, SK_ISNULL | SK_SEARCHNOTNULL, 1,
						   InvalidStrategy, InvalidOid, InvalidOid,
						   InvalidOid, (Datum) 0);
	slot = table_slot_create(heap, NULL);
	scan = begin_endpoint_scan(heap, index, snapshot, want_max, &key, 1, &dir);
	if (index_getnext_slot(scan, dir, slot))
	{
		bool		isnull;
		Datum		d = slot_getattr(slot, attnum, &isnull);

		if (!isnull)
			note_value(result, datum_to_int64(d, typid), want_max);
	}
	index_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);
	close_index(index);
	return true;
}

/* Without a usable index: read every row. */
static void
probe_by_scan(Relation heap, AttrNumber attnum, Oid typid, bool want_max,
			  Snapshot snapshot, ColumnExtreme *result)
{
	TableScanDesc scan = table_beginscan(heap, snapshot, 0, NULL);
	TupleTableSlot *slot = table_slot_create(heap, NULL);

	while (table_scan_getnextslot(scan, ForwardScanDirection, slot))
	{
		bool		isnull;
		Datum		d = slot_getattr(slot, attnum, &isnull);

		CHECK_FOR_INTERRUPTS();
		if (!isnull)
			note_value(result, datum_to_int64(d, typid), want_max);
	}
	table_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);
	result->scanned = true;
}

/*
 * The extreme value of one column of one relation with storage: through a
 * usable index when there is one, else by reading every row.
 */
void
seqguard_probe_relation(Relation rel, AttrNumber attnum, Oid typid,
						bool want_max, Snapshot snapshot, ColumnExtreme *result)
{
	if (!probe_by_index(rel, attnum, typid, want_max, snapshot, result))
		probe_by_scan(rel, attnum, typid, want_max, snapshot, result);
}

/*
 * Was the row in slot written by the current transaction, by command cid
 * or a later one?  Only heap tuples carry that; for other table access
 * methods every row counts as written.
 */
static bool
written_since(Relation rel, TupleTableSlot *slot, CommandId cid)
{
	bool		shouldfree;
	HeapTuple	tuple;
	bool		result;

	if (rel->rd_rel->relam != HEAP_TABLE_AM_OID)
		return true;
	tuple = ExecFetchSlotHeapTuple(slot, false, &shouldfree);
	result = TransactionIdIsCurrentTransactionId(HeapTupleHeaderGetRawXmin(tuple->t_data)) &&
		HeapTupleHeaderGetCmin(tuple->t_data) >= cid;
	if (shouldfree)
		heap_freetuple(tuple);
	return result;
}

/*
 * The extreme value that the current transaction wrote into the column at
 * command cid or later, among the values at or past "from" (in the
 * direction of want_max).  Rows at or past a sequence's next value are
 * few, so this reads little; it sees the statement's own rows.
 */
void
seqguard_written_extreme(Relation rel, AttrNumber attnum, Oid typid,
						 bool want_max, int64 from, CommandId cid,
						 ColumnExtreme *result)
{
	Relation	index = open_usable_index(rel, attnum);
	TupleTableSlot *slot = table_slot_create(rel, NULL);
	bool		isnull;
	Datum		d;

	if (index != NULL)
	{
		StrategyNumber strategy = want_max ? BTGreaterEqualStrategyNumber :
			BTLessEqualStrategyNumber;
		Oid			op = get_opfamily_member(INTEGER_BTREE_FAM_OID, typid,
											 INT8OID, strategy);
		ScanKeyData key;
		ScanDirection dir;
		IndexScanDesc scan;

		ScanKeyEntryInitialize(&key, 0, 1, strategy, INT8OID, InvalidOid,
							   get_opcode(op), Int64GetDatum(from));
		scan = begin_endpoint_scan(rel, index, SnapshotSelf, want_max, &key, 1, &dir);
		while (index_getnext_slot(scan, dir, slot))
		{
			CHECK_FOR_INTERRUPTS();
			d = slot_getattr(slot, attnum, &isnull);
			if (!isnull && written_since(rel, slot, cid))
			{
				note_value(result, datum_to_int64(d, typid), want_max);
				break;
			}
		}
		index_endscan(scan);
		close_index(index);
	}
	else
	{
		TableScanDesc scan = table_beginscan(rel, SnapshotSelf, 0, NULL);

		while (table_scan_getnextslot(scan, ForwardScanDirection, slot))
		{
			int64		v;

			CHECK_FOR_INTERRUPTS();
			d = slot_getattr(slot, attnum, &isnull);
			if (isnull)
				continue;
			v = datum_to_int64(d, typid);
			if ((want_max ? v >= from : v <= from) && written_since(rel, slot, cid))
				note_value(result, v, want_max);
		}
		table_endscan(scan);
	}
	ExecDropSingleTupleTableSlot(slot);
}

/*
 * Why the caller may not read this column as SELECT max(col) FROM root
 * would, or NULL.  Privileges are checked on the root only, as a query on
 * the root checks them; with row-level security in force, the extreme
 * would reveal rows the policies hide, so the column is not read at all.
 */
static const char *
read_denied(const SeqFeed *feed)
{
	Oid			user = GetUserId();

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
 * Fill *result with the extreme value of feed's column over the root and
 * every inheritor: the largest when want_max, else the smallest.
 */
void
seqguard_column_extreme(const SeqFeed *feed, bool want_max, ColumnExtreme *result)
{
	Snapshot	snapshot;
	List	   *members;
	List	   *locked = NIL;
	ListCell   *lc;

	memset(result, 0, sizeof(ColumnExtreme));

	if (feed->relkind == RELKIND_FOREIGN_TABLE)
	{
		result->skip_reason = "foreign table: its rows are not read";
		return;
	}
	if (!seqguard_is_integer_type(feed->typid))
	{
		result->skip_reason = psprintf("column type %s is not smallint, integer or bigint",
									   format_type_be(feed->typid));
		return;
	}
	if (isOtherTempNamespace(feed->nspid))
	{
		result->skip_reason = "temporary table of another session";
		return;
	}
	if ((result->skip_reason = read_denied(feed)) != NULL)
		return;

	if (!ConditionalLockRelationOid(feed->relid, AccessShareLock))
	{
		result->skip_reason = psprintf("table \"%s\" is locked by another session",
									   feed->relname);
		return;
	}
	locked = lappend_oid(locked, feed->relid);

	snapshot = ActiveSnapshotSet() ? GetActiveSnapshot() : GetTransactionSnapshot();

	/* NoLock: each member is locked below, without waiting */
	members = has_subclass(feed->relid) ?
		find_all_inheritors(feed->relid, NoLock, NULL) :
		list_make1_oid(feed->relid);
	foreach(lc, members)
	{
		Oid			member = lfirst_oid(lc);
		Relation	rel;
		AttrNumber	attnum;

		if (member != feed->relid)
		{
			if (!ConditionalLockRelationOid(member, AccessShareLock))
			{
				result->skip_reason = psprintf("table \"%s\" is locked by another session",
											   get_rel_name(member));
				break;
			}
			locked = lappend_oid(locked, member);
		}
		rel = try_relation_open(member, NoLock);
		if (rel == NULL)
			continue;			/* dropped since find_all_inheritors */

		if (rel->rd_rel->relkind == RELKIND_FOREIGN_TABLE)
			result->skip_reason = psprintf("\"%s\" is a foreign table: its rows are not read",
										   RelationGetRelationName(rel));
		else if (RELATION_IS_OTHER_TEMP(rel))
			result->skip_reason = psprintf("\"%s\" is a temporary table of another session",
										   RelationGetRelationName(rel));
		else if (RELKIND_HAS_STORAGE(rel->rd_rel->relkind) &&
				 (attnum = (member == feed->relid) ? feed->attnum :
				  get_attnum(member, feed->attname)) != InvalidAttrNumber)
		{
			seqguard_probe_relation(rel, attnum, feed->typid, want_max, snapshot, result);
		}
		relation_close(rel, NoLock);
		if (result->skip_reason)
			break;
	}

	/*
	 * Nothing read here is kept beyond this point, so the locks need not
	 * last until commit; releasing them keeps the lock table small.
	 */
	foreach(lc, locked)
		UnlockRelationOid(lfirst_oid(lc), AccessShareLock);
	list_free(locked);
	list_free(members);

	if (result->skip_reason)
		result->has_value = false;
}
