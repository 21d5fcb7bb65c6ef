/*-------------------------------------------------------------------------
 *
 * guard_act.c
 *	  Acting on the sequences whose columns a statement may have written
 *	  values of its own into: finding the values it wrote past the
 *	  sequence's next value, and then, as seqguard.mode says, moving the
 *	  sequence past them, warning, or failing the statement.
 *
 * The values are found at the column's btree index endpoint, in the rows
 * the statement wrote (guard_plan.c hands over those its plan carries):
 * a statement never makes the guard scan a table.  Values in the margin at
 * the end of the sequence's usable range are sentinels: the sequence is
 * moved past the ordinary values beside them, never into the margin.  The
 * messages are in guard_msg.c.
 *
 * Copyright (c) 2026, seqguard developers
 *
 * src/guard_act.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_class.h"
#include "catalog/pg_trigger.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/lsyscache.h"
#include "nodes/execnodes.h"
#include "utils/rel.h"

#include "guard_int.h"
#include "probe.h"
#include "range.h"
#include "seqguard.h"
#include "seqstate.h"

/*
 * Add (rel, feed) to *targets, for a relation that holds rows.  A column
 * added both as a "maybe" and as written is written.
 */
void
guard_add_target(List **targets, Relation rel, ResultRelInfo *rri,
				 const SeqFeed *feed, bool maybe)
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
		{
			t->maybe &= maybe;
			return;
		}
	}
	t = palloc0(sizeof(Target));
	t->rel = rel;
	t->rri = rri;
	t->feed = feed;
	t->maybe = maybe;
	*targets = lappend(*targets, t);
}

/*
 * Add the columns of a result relation fed by the sequences in seqids as
 * written, and every other sequence-fed column that a BEFORE ROW trigger
 * for one of events (TRIGGER_TYPE_INSERT, TRIGGER_TYPE_UPDATE) may set as
 * a "maybe".
 */
void
guard_add_targets(List **targets, ResultRelInfo *rri, List *seqids, int16 events)
{
	Relation	rel = rri->ri_RelationDesc;
	ListCell   *lc;

	foreach(lc, guard_feeds(RelationGetRelid(rel)))
	{
		SeqFeed    *feed = lfirst(lc);

		if (list_member_oid(seqids, feed->seqid))
			guard_add_target(targets, rel, rri, feed, false);
		else if (((events & TRIGGER_TYPE_INSERT) && feed->trig_insert) ||
				 ((events & TRIGGER_TYPE_UPDATE) && feed->trig_update))
			guard_add_target(targets, rel, rri, feed, true);
	}
}

/*
 * The relations whose rows a statement with values known from its plan
 * (an import loop's INSERTs) caught a sequence up with in the current
 * transaction: later such statements need not read them again, since the
 * guard keeps the sequence past every value they write.  A few slots,
 * overwritten in turn; forgotten when the transaction changes, and when
 * seqguard.mode is set (rows written meanwhile with the guard off are not
 * seen otherwise).
 */
#define CAUGHT_UP_SLOTS 8

typedef struct CaughtUp
{
	TransactionId xid;
	uint64		mode_changes;
	Oid			relid;
	Oid			seqid;
} CaughtUp;

static CaughtUp caught_up_slots[CAUGHT_UP_SLOTS];
static int	caught_up_next = 0;

/* Was t caught up in this transaction?  If not, note that it now is. */
static bool
caught_up(const Target *t)
{
	TransactionId xid = GetTopTransactionIdIfAny();
	Oid			relid = RelationGetRelid(t->rel);
	CaughtUp   *slot;

	if (!TransactionIdIsValid(xid))
		return false;
	for (int i = 0; i < CAUGHT_UP_SLOTS; i++)
	{
		slot = &caught_up_slots[i];
		if (slot->xid == xid && slot->mode_changes == seqguard_mode_changes &&
			slot->relid == relid && slot->seqid == t->feed->seqid)
			return true;
	}
	slot = &caught_up_slots[caught_up_next];
	caught_up_next = (caught_up_next + 1) % CAUGHT_UP_SLOTS;
	slot->xid = xid;
	slot->mode_changes = seqguard_mode_changes;
	slot->relid = relid;
	slot->seqid = t->feed->seqid;
	return false;
}

/* fold one column's extreme into *result, the furthest in the sequence's direction */
static void
fold_extreme(ColumnExtreme *result, const ColumnExtreme *col, bool want_max)
{
	if (col->out_of_range)
		result->out_of_range = true;
	if (col->has_value &&
		(!result->has_value || (want_max ? col->value > result->value :
								col->value < result->value)))
		result->value = col->value;
	result->has_value |= col->has_value;
}

/*
 * Read the values the statement wrote into its targets for one sequence
 * (spec says which), into *result; a tree target (after DDL) is read
 * member by member.  A target without a usable index is not read: one
 * that may only have been changed by a trigger is passed over, any other
 * is returned in *unread.  With catch_up, a target that a read of the
 * same kind caught up in this transaction is passed over (caught_up()).
 */
static void
read_targets(SeqWork *work, const ProbeSpec *spec, bool catch_up,
			 ColumnExtreme *result, const Target **unread)
{
	ListCell   *lc;

	memset(result, 0, sizeof(ColumnExtreme));
	foreach(lc, work->targets)
	{
		Target	   *t = lfirst(lc);
		ProbeSpec	tspec = *spec;

		tspec.attnum = t->feed->attnum;
		tspec.typid = t->feed->typid;
		if (t->rel != NULL && catch_up && caught_up(t))
			continue;
		if (t->rel != NULL)
		{
			ColumnExtreme col = {0};

			tspec.index_only = true;
			if (t->rri != NULL && t->rri->ri_IndexRelationDescs != NULL)
			{
				tspec.indexes = t->rri->ri_IndexRelationDescs;
				tspec.nindexes = t->rri->ri_NumIndices;
			}
			seqguard_probe(t->rel, &tspec, &col);
			if (col.no_index)
			{
				if (!t->maybe && *unread == NULL)
					*unread = t;
				continue;
			}
			fold_extreme(result, &col, spec->want_max);
		}
		else
		{
			ColumnExtreme col;

			seqguard_tree_extreme(t->root, t->feed->attnum, &tspec, &col);
			if (col.skip_reason != NULL && *unread == NULL)
			{
				work->unread_reason = col.skip_reason;
				*unread = t;
			}
			fold_extreme(result, &col, spec->want_max);
		}
	}
}

/*
 * The extreme of the values the plan says the statement wrote that are at
 * or past from (and, when limited, not past limit), into *result.
 */
static void
known_extreme(const KnownValues *kv, const SeqState *seq, int64 from,
			  bool limited, int64 limit, ColumnExtreme *result)
{
	memset(result, 0, sizeof(ColumnExtreme));
	for (int i = 0; i < kv->nvalues; i++)
	{
		int64		v = kv->values[i];

		if (seqguard_past(seq, from, v) || (limited && seqguard_past(seq, v, limit)))
			continue;
		if (!result->has_value || seqguard_past(seq, v, result->value))
			result->value = v;
		result->has_value = true;
	}
}

/* Add to *result the values the plan says were written (past limit: not). */
static void
fold_known(ColumnExtreme *result, const KnownValues *kv, const SeqState *seq,
		   bool limited, int64 limit)
{
	ColumnExtreme k;

	known_extreme(kv, seq, seq->increment > 0 ? PG_INT64_MIN : PG_INT64_MAX,
				  limited, limit, &k);
	if (k.has_value && (!result->has_value || seqguard_past(seq, k.value, result->value)))
		result->value = k.value;
	result->has_value |= k.has_value;
}

/*
 * The target that moves seq past m, if the guard may make that move: on
 * the sequence's grid and within its usable range [lo, hi].
 */
static bool
acceptable_target(const SeqState *seq, int64 lo, int64 hi, int64 m, int64 *target)
{
	return seqguard_grid_value_past(seq, m, target) && *target >= lo && *target <= hi;
}

static void act_on_values(SeqWork *work, const KnownValues *known, CommandId cid,
						  const Target *t, SeqHandle *handle, const SeqState *seqp);

/*
 * Act on the columns of one sequence that the statement may have written,
 * as seqguard.mode says.  known: the values the plan carries, or NULL.
 * cid is the statement's command id, or InvalidCommandId after DDL, where
 * every row counts as brought in by it.
 */
static void
act_on_sequence(SeqWork *work, const KnownValues *known, CommandId cid)
{
	SeqState	seq;
	SeqHandle	handle;
	const Target *t;
	const char *why;

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
		guard_cannot_check(work, t, GUARD_NO_RIGHT, NULL);
		return;
	}

	if (work->unreadable)
		guard_cannot_check(work, t, t->rel && t->rel->rd_rel->relkind == RELKIND_FOREIGN_TABLE ?
						   GUARD_FOREIGN : GUARD_TYPE, NULL);
	if (work->targets == NIL)
		return;
	t = linitial(work->targets);

	/*
	 * The lock nextval() takes, without waiting: waiting here could
	 * deadlock with a session altering the sequence.  It is held until the
	 * sequence is moved, or not.
	 */
	if ((why = seqguard_open_sequence(work->seqid, 0, SEQ_NOWAIT | SEQ_LOG_AHEAD,
									  &handle)) != NULL)
	{
		if (get_rel_name(work->seqid) != NULL)
			guard_cannot_check(work, t, GUARD_SEQ_LOCKED, why);
		return;
	}
	seqguard_read_open(&handle, &seq);
	if (seq.next_valid)
		act_on_values(work, known, cid, t, &handle, &seq);
	seqguard_close_sequence(&handle);
}

/*
 * The rest of act_on_sequence(), on the open sequence (seq: as read).  An
 * error here leaves the sequence open until the transaction ends, which
 * closes it.
 */
static void
act_on_values(SeqWork *work, const KnownValues *known, CommandId cid,
			  const Target *t, SeqHandle *handle, const SeqState *seqp)
{
	SeqState	seq = *seqp;
	ColumnExtreme own;
	ColumnExtreme all = {0};
	ProbeSpec	spec = {0};
	const Target *unread = NULL;
	const char *why;
	int64		lo,
				hi,
				limit,
				target;
	bool		sentinel;

	lo = Max(seq.minv, work->tmin);
	hi = Min(seq.maxv, work->tmax);
	(void) seqguard_ordinary_limit(&seq, lo, hi, &limit);

	spec.want_max = seq.increment > 0;
	spec.bounded = true;
	spec.from = seq.next_value;
	spec.cid = InvalidCommandId;

	/*
	 * fix: first the columns' extreme at or past the next value, one short
	 * descent of each index.  Where there is none, the statement wrote
	 * nothing there: the common case of a trigger that left the id alone.
	 */
	if (work->mode == GUARD_FIX)
	{
		read_targets(work, &spec, known != NULL, &all, &unread);
		if (known != NULL)
			fold_known(&all, known, &seq, false, 0);
		if (!all.out_of_range &&
			(!all.has_value || seqguard_past(&seq, seq.next_value, all.value)))
		{
			if (unread != NULL && known == NULL)
				guard_cannot_check(work, unread, unread->rel ? GUARD_NO_INDEX : GUARD_TREE,
								   work->unread_reason);
			return;
		}
		unread = NULL;
	}

	/* did the statement write a value at or past the next one? */
	spec.cid = cid;
	if (known != NULL)
		known_extreme(known, &seq, seq.next_value, false, 0, &own);
	else
		read_targets(work, &spec, false, &own, &unread);
	if (unread != NULL)
		guard_cannot_check(work, unread, unread->rel ? GUARD_NO_INDEX : GUARD_TREE,
						   work->unread_reason);
	if (!own.has_value && !own.out_of_range)
		return;

	if (work->mode == GUARD_WARN || work->mode == GUARD_ERROR)
	{
		guard_report_written(work, t, &seq, &own, cid == InvalidCommandId, limit);
		return;
	}

	/*
	 * fix: move the sequence only where the role could have drawn from it,
	 * as nextval() checks; an identity column's sequence needs no grant.
	 */
	if (!work->identity &&
		pg_class_aclmask(work->seqid, GetUserId(), ACL_USAGE | ACL_UPDATE, ACLMASK_ANY) == 0)
	{
		guard_not_moved(work, t, GUARD_NO_NEXTVAL, NULL);
		return;
	}
	if (XactReadOnly && get_rel_persistence(work->seqid) != RELPERSISTENCE_TEMP)
	{
		guard_not_moved(work, t, GUARD_READ_ONLY, NULL);
		return;
	}

	/*
	 * Past every ordinary value: the statement's own, and, so that a table
	 * that lagged catches up, every row of the columns it wrote that an
	 * index reaches (read above).  Values past the limit are sentinels:
	 * where the extreme is one, the ordinary values are read again.
	 */
	sentinel = own.out_of_range || (own.has_value && seqguard_past(&seq, own.value, limit));
	if (all.out_of_range || (all.has_value && seqguard_past(&seq, all.value, limit)))
	{
		spec.limited = true;
		spec.limit = limit;
		spec.cid = InvalidCommandId;
		unread = NULL;
		read_targets(work, &spec, false, &all, &unread);
		if (known != NULL)
			fold_known(&all, known, &seq, true, limit);
	}

	if (all.has_value && !seqguard_past(&seq, seq.next_value, all.value) &&
		acceptable_target(&seq, lo, hi, all.value, &target))
	{
		SeqState	before;

		/* never backwards: compared and written under the buffer lock */
		if (seqguard_move_open(handle, target, true, &before, &why))
			guard_moved(work, t, &before, &own, limit, lo, hi);
		else if (why != NULL)
			guard_not_moved(work, t, GUARD_SEQ_LOCKED, why);
	}
	if (sentinel)
		guard_sentinel(work, t, &seq, &own, lo, hi);
}

/*
 * Act on every target, one sequence at a time, in mode (seqguard.mode, or
 * what it means where the guard acts).  known: what the plan says the
 * statement wrote, per sequence; cid as for act_on_sequence().
 */
void
guard_act(List *targets, List *known, CommandId cid, int mode)
{
	List	   *works = NIL;
	ListCell   *lc;

	if (targets == NIL)
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
			w->mode = mode;
			works = lappend(works, w);
		}
		if ((t->rel && t->rel->rd_rel->relkind == RELKIND_FOREIGN_TABLE) ||
			!seqguard_type_comparable(t->feed->typid))
		{
			if (w->unreadable == NULL && !t->maybe)
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

	/* nothing is done where the extension is not created */
	if (!guard_extension_created())
		return;
	foreach(lc, works)
	{
		SeqWork    *w = lfirst(lc);
		const KnownValues *kv = NULL;
		ListCell   *kc;

		foreach(kc, known)
			if (((KnownValues *) lfirst(kc))->seqid == w->seqid)
				kv = lfirst(kc);
		act_on_sequence(w, kv, cid);
	}
}
