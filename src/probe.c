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

/*
 * Did a version of a row that the statement (commands from cid on)
 * updated or deleted hold this value too?  Then a row version it wrote
 * with the value brings no new value: an UPDATE of another column, or
 * one that a BEFORE UPDATE trigger passed through, keeps the id.  Found
 * with an equality search of the index under SnapshotAny, which returns
 * every version.
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
		HeapTupleHeader h = tuple->t_data;

		CHECK_FOR_INTERRUPTS();
		found = !(h->t_infomask & HEAP_XMAX_INVALID) &&
			!HEAP_XMAX_IS_LOCKED_ONLY(h->t_infomask) &&
			TransactionIdIsCurrentTransactionId(HeapTupleHeaderGetUpdateXid(h)) &&
			HeapTupleHeaderGetCmax(h) >= cid;
		if (shouldfree)
			heap_freetuple(tuple);
	}
	index_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);
	return found;
}

/*
 * Did the current transaction write the row in slot, with a value of its
 * own, by command cid or a later one?  Rows frozen as they were written
 * (COPY FREEZE) keep no command id and count.  When the row was reached
 * through an index on the column (index not NULL), a version made by a
 * HOT update, or one replacing a version with the same value, brings no
 * new value.  Only heap tuples carry all this; for other table access
 * methods every row counts as written.
 */
static bool
written_since(Relation rel, Relation index, TupleTableSlot *slot, Datum value,
			  CommandId cid)
{
	bool		shouldfree;
	HeapTuple	tuple;
	HeapTupleHeader h;
	bool		result;

	if (rel->rd_rel->relam != HEAP_TABLE_AM_OID)
		return true;
	tuple = ExecFetchSlotHeapTuple(slot, false, &shouldfree);
	h = tuple->t_data;
	if (!TransactionIdIsCurrentTransactionId(HeapTupleHeaderGetRawXmin(h)))
		result = false;
	else if (HeapTupleHeaderXminFrozen(h))
		result = true;
	else if (HeapTupleHeaderGetCmin(h) < cid)
		result = false;
	else if (index != NULL && HeapTupleHeaderIsHeapOnly(h))
		result = false;
	else
		result = index == NULL || !value_replaced(rel, index, value, cid);
	if (shouldfree)
		heap_freetuple(tuple);
	return result;
}

/* what one probe looks for */
typedef struct ProbeSpec
{
	AttrNumber	attnum;
	Oid			typid;
	bool		want_max;
	bool		bounded;		/* only values at or past "from" count */
	int64		from;
	CommandId	cid;			/* only rows written by commands from cid on
								 * count; InvalidCommandId: every row */
	bool		transient;		/* drop the index's relcache entry after */
} ProbeSpec;

/*
 * Does this row's value count?  Returns false to pass over it; sets *stop
 * when no later value in the index order can count either.
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
	if (*cls == VALUE_OK && spec->bounded &&
		(spec->want_max ? *v < spec->from : *v > spec->from))
	{
		*stop = true;
		return false;
	}
	return spec->cid == InvalidCommandId ||
		written_since(rel, index, slot, d, spec->cid);
}

/*
 * Read through a usable index from the extreme end inward, stopping at the
 * first value that counts.  Returns false when the relation has no usable
 * index (or each is locked).
 */
static bool
probe_by_index(Relation heap, const ProbeSpec *spec, ColumnExtreme *result)
{
	bool		locked;
	Relation	index = open_usable_index(heap, spec->attnum, spec->typid, &locked);
	Oid			indexoid;
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
	dir = (spec->want_max != ((index->rd_indoption[0] & INDOPTION_DESC) != 0)) ?
		BackwardScanDirection : ForwardScanDirection;
	slot = table_slot_create(heap, NULL);
	scan = seqguard_index_beginscan(heap, index, SnapshotSelf, 1);
	index_rescan(scan, &key, 1, NULL, 0);
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

static void
probe(Relation rel, const ProbeSpec *spec, ColumnExtreme *result)
{
	if (!probe_by_index(rel, spec, result))
		probe_by_scan(rel, spec, result);
}

/*
 * The extreme value of one column of one relation with storage, which the
 * caller has locked: the largest when want_max, else the smallest.
 */
void
seqguard_probe_relation(Relation rel, AttrNumber attnum, Oid typid,
						bool want_max, ColumnExtreme *result)
{
	ProbeSpec	spec = {attnum, typid, want_max, false, 0, InvalidCommandId, false};

	probe(rel, &spec, result);
}

/*
 * The extreme value that the current transaction wrote into the column at
 * command cid or later, among the values at or past "from" (in the
 * direction of want_max).  Rows at or past a sequence's next value are
 * few, so this reads little.
 */
void
seqguard_written_extreme(Relation rel, AttrNumber attnum, Oid typid,
						 bool want_max, int64 from, CommandId cid,
						 ColumnExtreme *result)
{
	ProbeSpec	spec = {attnum, typid, want_max, true, from, cid, false};

	probe(rel, &spec, result);
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
 * Fill *result with the extreme value of feed's column over the root and
 * every inheritor: the largest when want_max, else the smallest.  Members
 * are locked one at a time, without waiting, and released once read.  A
 * member that is another session's temporary table cannot be read (its
 * pages live in that session's memory): its name goes to result->unseen.
 * When the table was dropped before it could be locked, result->gone.
 */
void
seqguard_column_extreme(const SeqFeed *feed, bool want_max, ColumnExtreme *result)
{
	List	   *members;
	ListCell   *lc;

	memset(result, 0, sizeof(ColumnExtreme));

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

	if (!ConditionalLockRelationOid(feed->relid, AccessShareLock))
	{
		result->skip_reason = psprintf("table \"%s\" is locked by another session",
									   feed->relname);
		return;
	}
	/* the lock made us see invalidations: was it dropped meanwhile? */
	if (!SearchSysCacheExists1(RELOID, ObjectIdGetDatum(feed->relid)) ||
		!SearchSysCacheExists2(ATTNUM, ObjectIdGetDatum(feed->relid),
							   Int16GetDatum(feed->attnum)))
	{
		UnlockRelationOid(feed->relid, AccessShareLock);
		result->gone = true;
		result->skip_reason = "the table was dropped";
		return;
	}
	if ((result->skip_reason = read_denied(feed)) != NULL)
	{
		UnlockRelationOid(feed->relid, AccessShareLock);
		return;
	}

	/* NoLock: each member is locked below, without waiting */
	members = has_subclass(feed->relid) ?
		find_all_inheritors(feed->relid, NoLock, NULL) :
		list_make1_oid(feed->relid);
	foreach(lc, members)
	{
		Oid			member = lfirst_oid(lc);
		Relation	rel;

		CHECK_FOR_INTERRUPTS();
		if (member != feed->relid &&
			!ConditionalLockRelationOid(member, AccessShareLock))
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
			AttrNumber	attnum = (member == feed->relid) ? feed->attnum :
				get_attnum(member, feed->attname);

			if (rel->rd_rel->relkind == RELKIND_FOREIGN_TABLE)
				result->skip_reason = psprintf("\"%s\" is a foreign table: its rows are not read",
											   RelationGetRelationName(rel));
			else if (RELATION_IS_OTHER_TEMP(rel))
				result->unseen = lappend(result->unseen,
										 psprintf("%s.%s",
												  get_namespace_name(RelationGetNamespace(rel)),
												  RelationGetRelationName(rel)));
			else if (RELKIND_HAS_STORAGE(rel->rd_rel->relkind) &&
					 attnum != InvalidAttrNumber)
			{
				ProbeSpec	spec = {attnum, feed->typid, want_max, false, 0,
				InvalidCommandId, true};

				probe(rel, &spec, result);
			}
			seqguard_close_transient(rel);
		}

		/*
		 * Nothing read here is kept beyond this point, so the lock need not
		 * last until commit; releasing it keeps the lock table small.
		 */
		if (member != feed->relid)
			UnlockRelationOid(member, AccessShareLock);
		if (result->skip_reason || result->out_of_range)
			break;
	}
	UnlockRelationOid(feed->relid, AccessShareLock);
	list_free(members);

	if (result->out_of_range && !result->skip_reason)
		result->skip_reason = psprintf("column \"%s\" of table \"%s\" holds a value beyond the range of bigint",
									   feed->attname, feed->relname);
	if (result->skip_reason)
		result->has_value = false;
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
