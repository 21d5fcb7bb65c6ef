/*-------------------------------------------------------------------------
 *
 * guard_act.c
 *	  Acting on the sequences whose columns a statement may have written
 *	  values of its own into: reading what it wrote at the column's index
 *	  endpoint, and then, as seqguard.mode says, moving the sequence past it,
 *	  warning, or failing the statement; and the messages that say so.
 *
 * Copyright (c) 2026, seqguard developers
 *
 * src/guard_act.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/indexing.h"
#include "catalog/pg_class.h"
#include "catalog/pg_extension.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

#include "guard_int.h"
#include "probe.h"
#include "range.h"
#include "seqguard.h"
#include "seqstate.h"

/*
 * The schema the extension is created in, or InvalidOid when it is not
 * created in this database.  Only asked once a statement has written
 * values of its own, so ordinary statements never pay for it.
 */
static Oid
extension_schema(void)
{
	Relation	rel;
	SysScanDesc scan;
	ScanKeyData key;
	HeapTuple	tuple;
	Oid			nsp = InvalidOid;

	rel = table_open(ExtensionRelationId, AccessShareLock);
	ScanKeyInit(&key, Anum_pg_extension_extname, BTEqualStrategyNumber,
				F_NAMEEQ, CStringGetDatum("seqguard"));
	scan = systable_beginscan(rel, ExtensionNameIndexId, true, NULL, 1, &key);
	if ((tuple = systable_getnext(scan)) != NULL)
		nsp = ((Form_pg_extension) GETSTRUCT(tuple))->extnamespace;
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return nsp;
}

/* add (rel, feed) to *targets, for a relation that holds rows */
void
guard_add_target(List **targets, Relation rel, const SeqFeed *feed)
{
	ListCell   *lc;
	Target	   *t;

	if (!RELKIND_HAS_STORAGE(rel->rd_rel->relkind) &&
		rel->rd_rel->relkind != RELKIND_FOREIGN_TABLE)
		return;
	foreach(lc, *targets)
	{
		t = lfirst(lc);
		if (t->rel == rel && t->feed->attnum == feed->attnum &&
			t->feed->seqid == feed->seqid)
			return;
	}
	t = palloc(sizeof(Target));
	t->rel = rel;
	t->feed = feed;
	*targets = lappend(*targets, t);
}

/*
 * Add the columns of rel fed by the sequences in seqids, or by any
 * sequence when every is true.
 */
void
guard_add_targets(List **targets, Relation rel, List *seqids, bool every)
{
	ListCell   *lc;

	foreach(lc, guard_feeds(RelationGetRelid(rel)))
	{
		SeqFeed    *feed = lfirst(lc);

		if (every || list_member_oid(seqids, feed->seqid))
			guard_add_target(targets, rel, feed);
	}
}

/* a message's names: schema.table and schema.sequence, quoted by the message */
static char *
rel_label(Relation rel)
{
	return psprintf("%s.%s", get_namespace_name(RelationGetNamespace(rel)),
					RelationGetRelationName(rel));
}

static char *
seq_label(Oid seqid)
{
	return psprintf("%s.%s", get_namespace_name(get_rel_namespace(seqid)),
					get_rel_name(seqid));
}

/* the statement that repairs the column: fix_sequence('schema.table', 'column') */
static char *
repair_statement(Oid extnsp, const Target *t)
{
	Relation	rel = t->rel;

	return psprintf("SELECT * FROM %s(%s, %s);",
					quote_qualified_identifier(get_namespace_name(extnsp), "fix_sequence"),
					quote_literal_cstr(quote_qualified_identifier(get_namespace_name(RelationGetNamespace(rel)),
																  RelationGetRelationName(rel))),
					quote_literal_cstr(t->feed->attname));
}

/* what the statement did to one sequence's columns */
typedef struct SeqWork
{
	Oid			seqid;
	List	   *targets;		/* readable Targets */
	const Target *unreadable;	/* a column whose values cannot be read */
	bool		identity;		/* the sequence is an identity column's own */
	int64		tmin;			/* the narrowest column type's limits */
	int64		tmax;
} SeqWork;

/*
 * The extreme over a sequence's target columns: of every row (all_rows),
 * or of the rows written by commands from cid on (every row, when cid is
 * InvalidCommandId) whose values are at or past "from".
 */
static void
targets_extreme(SeqWork *work, bool want_max, bool all_rows, int64 from,
				CommandId cid, ColumnExtreme *result)
{
	ListCell   *lc;

	memset(result, 0, sizeof(ColumnExtreme));
	foreach(lc, work->targets)
	{
		Target	   *t = lfirst(lc);

		if (all_rows)
			seqguard_probe_relation(t->rel, t->feed->attnum, t->feed->typid,
									want_max, result);
		else
			seqguard_written_extreme(t->rel, t->feed->attnum, t->feed->typid,
									 want_max, from, cid, result);
	}
}

/*
 * The margin at the end of a sequence's usable range [lo, hi] within which
 * the guard makes no move: the last 1/1000 of the range, at least 1,000
 * values (at least a tenth of a range smaller than 10,000 values).
 */
static int64
end_margin(int64 lo, int64 hi)
{
	uint64		range = (uint64) hi - (uint64) lo;

	return (int64) Max(range / 1000, Min(1000, range / 10));
}

/*
 * The target that moves seq past m, if the guard may make that move: on
 * the sequence's grid, within its range and the columns' types, and with
 * m outside the margin at the end of the range, so that one statement's
 * sentinel value (2147483647, say) cannot use the sequence up.
 */
static bool
acceptable_target(const SeqState *seq, const SeqWork *work, int64 m, int64 *target)
{
	int64		lo = Max(seq->minv, work->tmin);
	int64		hi = Min(seq->maxv, work->tmax);
	int64		margin = end_margin(lo, hi);

	if (!seqguard_grid_value_past(seq, m, target) || *target > hi || *target < lo)
		return false;
	return seq->increment > 0 ? m <= hi - margin : m >= lo + margin;
}

/*
 * Say that the guard could not do its part for a column: a WARNING, or in
 * error mode an ERROR, which fails the statement (fail closed).
 */
static void
cannot_check(const SeqWork *work, const Target *t, int sqlerrcode,
			 const char *detail, const char *hint)
{
	ereport(seqguard_mode == GUARD_ERROR ? ERROR : WARNING,
			(errcode(sqlerrcode),
			 errmsg("seqguard cannot check the values written into column \"%s\" of table \"%s\" against sequence \"%s\"",
					t->feed->attname, rel_label(t->rel), seq_label(work->seqid)),
			 errdetail("%s", detail),
			 hint ? errhint("%s", hint) : 0));
}

/* a WARNING that the guard left a sequence where it was, and why */
static void
not_moved(const SeqWork *work, const Target *t, int sqlerrcode,
		  const char *detail, const char *hint)
{
	ereport(WARNING,
			(errcode(sqlerrcode),
			 errmsg("seqguard did not move sequence \"%s\" past the values written into column \"%s\" of table \"%s\"",
					seq_label(work->seqid), t->feed->attname, rel_label(t->rel)),
			 errdetail("%s", detail),
			 hint ? errhint("%s", hint) : 0));
}

/*
 * warn and error: a value at or past the next one was written (or, after
 * DDL, is now fed by the sequence).  The next value is shown only to a
 * role that may read the sequence.
 */
static void
report_written(const SeqWork *work, const Target *t, const SeqState *seq,
			   const ColumnExtreme *own, bool ddl, Oid extnsp)
{
	char	   *value = own->out_of_range ? pstrdup("beyond the range of bigint") :
		psprintf("%lld", (long long) own->value);
	char	   *next = pg_class_aclmask(work->seqid, GetUserId(), ACL_SELECT | ACL_USAGE,
										ACLMASK_ANY) != 0 ?
		psprintf(" %lld", (long long) seq->next_value) : "";

	ereport(seqguard_mode == GUARD_ERROR ? ERROR : WARNING,
			(errcode(ERRCODE_INTEGRITY_CONSTRAINT_VIOLATION),
			 ddl ?
			 errmsg("column \"%s\" of table \"%s\" holds value %s, at or past the next value%s of sequence \"%s\" that now feeds it",
					t->feed->attname, rel_label(t->rel), value, next,
					seq_label(work->seqid)) :
			 errmsg("value %s written into column \"%s\" of table \"%s\" is at or past the next value%s of sequence \"%s\"",
					value, t->feed->attname, rel_label(t->rel), next,
					seq_label(work->seqid)),
			 errhint("Repair with: %s", repair_statement(extnsp, t))));
}

/*
 * Act on the columns of one sequence that the statement may have written,
 * as seqguard.mode says.  cid is the statement's command id, or
 * InvalidCommandId after DDL, where every row counts as brought in by it.
 */
static void
act_on_sequence(SeqWork *work, CommandId cid, Oid extnsp)
{
	SeqState	seq;
	ColumnExtreme own;
	ColumnExtreme all;
	const Target *t;
	const char *why;
	int64		target;

	t = work->unreadable ? work->unreadable : linitial(work->targets);

	/*
	 * A role with no right on the sequence must not learn its position from
	 * what the guard does: it gets the same answer whatever it wrote, and
	 * the sequence is not even locked.  (Any role can make a temporary table
	 * whose default calls nextval() on any sequence.)  An identity column's
	 * sequence is the table's own.
	 */
	if (!work->identity &&
		pg_class_aclmask(work->seqid, GetUserId(), ACL_SELECT | ACL_USAGE | ACL_UPDATE,
						 ACLMASK_ANY) == 0)
	{
		cannot_check(work, t, ERRCODE_INSUFFICIENT_PRIVILEGE,
					 "The role has no privilege on the sequence.",
					 psprintf("Grant USAGE on the sequence, or have its owner run: %s",
							  repair_statement(extnsp, t)));
		return;
	}

	if (work->unreadable)
		cannot_check(work, t, ERRCODE_FEATURE_NOT_SUPPORTED,
					 t->rel->rd_rel->relkind == RELKIND_FOREIGN_TABLE ?
					 "The rows of a foreign table are not read." :
					 psprintf("Values of type %s cannot be compared with a sequence's.",
							  format_type_be(t->feed->typid)),
					 NULL);
	if (work->targets == NIL)
		return;
	t = linitial(work->targets);

	/*
	 * The lock nextval() takes, without waiting: waiting here could
	 * deadlock with a session altering the sequence.
	 */
	why = seqguard_read_sequence(work->seqid, 0, SEQ_NOWAIT, &seq);
	if (why != NULL)
	{
		if (get_rel_name(work->seqid) != NULL)
			cannot_check(work, t, ERRCODE_LOCK_NOT_AVAILABLE,
						 psprintf("%c%s.", pg_toupper((unsigned char) why[0]), why + 1),
						 NULL);
		return;
	}
	if (!seq.next_valid)
		return;					/* run out: nothing can collide */

	/* did the statement write a value at or past the next one? */
	targets_extreme(work, seq.increment > 0, false, seq.next_value, cid, &own);
	if (!own.has_value && !own.out_of_range)
		return;

	if (seqguard_mode == GUARD_WARN || seqguard_mode == GUARD_ERROR)
	{
		report_written(work, t, &seq, &own, cid == InvalidCommandId, extnsp);
		return;
	}

	/*
	 * fix: move the sequence only where the role could have drawn from it,
	 * as nextval() checks; an identity column's sequence needs no grant.
	 */
	if (!work->identity &&
		pg_class_aclmask(work->seqid, GetUserId(), ACL_USAGE | ACL_UPDATE, ACLMASK_ANY) == 0)
		not_moved(work, t, ERRCODE_INSUFFICIENT_PRIVILEGE,
				  "The role may not call nextval() on the sequence.",
				  psprintf("Have the sequence's owner run: %s", repair_statement(extnsp, t)));
	else if (XactReadOnly && get_rel_persistence(work->seqid) != RELPERSISTENCE_TEMP)
		not_moved(work, t, ERRCODE_READ_ONLY_SQL_TRANSACTION,
				  "A read-only transaction cannot change a permanent sequence.", NULL);
	else
	{
		/* past every row if that is allowed, else past the statement's own */
		targets_extreme(work, seq.increment > 0, true, 0, InvalidCommandId, &all);
		if ((all.has_value && !all.out_of_range &&
			 acceptable_target(&seq, work, all.value, &target)) ||
			(!own.out_of_range && acceptable_target(&seq, work, own.value, &target)))
		{
			SeqState	before;

			/* never backwards: compared and written under the buffer lock */
			if (!seqguard_move_sequence(work->seqid, target, true, 0, SEQ_NOWAIT,
										&before, &why) && why != NULL)
				not_moved(work, t, ERRCODE_LOCK_NOT_AVAILABLE,
						  psprintf("%c%s.", pg_toupper((unsigned char) why[0]), why + 1),
						  NULL);
		}
		else
			ereport(WARNING,
					(errcode(ERRCODE_SEQUENCE_GENERATOR_LIMIT_EXCEEDED),
					 own.out_of_range ?
					 errmsg("seqguard did not move sequence \"%s\" past a value beyond the range of bigint written into column \"%s\" of table \"%s\"",
							seq_label(work->seqid), t->feed->attname, rel_label(t->rel)) :
					 errmsg("seqguard did not move sequence \"%s\" past %lld, the value written into column \"%s\" of table \"%s\"",
							seq_label(work->seqid), (long long) own.value,
							t->feed->attname, rel_label(t->rel)),
					 errdetail("Values within %lld of the end of its usable range, %lld, are taken as sentinels, not ids.",
							   (long long) end_margin(Max(seq.minv, work->tmin),
													  Min(seq.maxv, work->tmax)),
							   (long long) (seq.increment > 0 ? Min(seq.maxv, work->tmax) :
											Max(seq.minv, work->tmin))),
					 errhint("Use ids well inside the range, or widen the sequence with ALTER SEQUENCE ... AS bigint and the column with ALTER TABLE ... ALTER COLUMN ... TYPE bigint.")));
	}
}

/*
 * Act on every target, one sequence at a time.  cid as for
 * act_on_sequence().
 */
void
guard_act(List *targets, CommandId cid)
{
	List	   *works = NIL;
	Oid			extnsp;
	ListCell   *lc;

	if (targets == NIL || !OidIsValid(extnsp = extension_schema()))
		return;

	foreach(lc, targets)
	{
		Target	   *t = lfirst(lc);
		SeqWork    *w = NULL;
		ListCell   *wc;

		foreach(wc, works)
			if (((SeqWork *) lfirst(wc))->seqid == t->feed->seqid)
				w = lfirst(wc);
		if (w == NULL)
		{
			w = palloc0(sizeof(SeqWork));
			w->seqid = t->feed->seqid;
			w->tmin = PG_INT64_MIN;
			w->tmax = PG_INT64_MAX;
			works = lappend(works, w);
		}
		if (t->rel->rd_rel->relkind == RELKIND_FOREIGN_TABLE ||
			!seqguard_type_comparable(t->feed->typid))
		{
			if (w->unreadable == NULL)
				w->unreadable = t;
		}
		else
		{
			int64		tmin,
						tmax;

			w->targets = lappend(w->targets, t);
			seqguard_type_limits(t->feed->typid, &tmin, &tmax);
			w->tmin = Max(w->tmin, tmin);
			w->tmax = Min(w->tmax, tmax);
		}
		w->identity |= t->feed->kind == FEED_IDENTITY;
	}

	foreach(lc, works)
		act_on_sequence(lfirst(lc), cid, extnsp);
}
