/*-------------------------------------------------------------------------
 *
 * guard.c
 *	  The guard: after a statement writes values of its own into a
 *	  sequence-fed column, keep the sequence ahead of them.
 *
 * Two hooks see every such statement: ExecutorFinish for INSERT, UPDATE
 * and MERGE (top level or run from functions, SPI, triggers), and
 * ProcessUtility for COPY FROM, which writes without a plan, and for the
 * DDL that brings rows under a sequence (ATTACH PARTITION, INHERIT, ADD
 * ... AS IDENTITY, SET DEFAULT, ALTER SEQUENCE ... OWNED BY).  Each first
 * decides from the plan alone whether the statement can have written a
 * value that did not come from the sequence: a plain INSERT whose column
 * takes its nextval() default cannot, and then nothing else is done, so
 * ordinary inserts pay one hash lookup per target table.  Otherwise the
 * relations that received rows are read at the column's index endpoint,
 * and seqguard.mode says what happens next.
 *
 * Like auto_explain and pg_stat_statements, the hooks run no SQL: the
 * catalog is read with systable scans (catalog.c), so neither search_path
 * nor the transaction snapshot changes the answer, and no user code runs
 * inside the guard.  The cache of which columns of a relation are
 * sequence-fed holds only complete entries, is dropped on invalidation of
 * anything it depends on, and is never dropped while a hook is using it.
 * An error inside a hook fails the statement as any error would and
 * leaves the cache as it was.
 *
 * Copyright (c) 2026, seqguard developers
 *
 * src/guard.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/relation.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/dependency.h"
#include "catalog/indexing.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_extension.h"
#include "catalog/pg_inherits.h"
#include "catalog/pg_type.h"
#include "commands/copy.h"
#include "executor/executor.h"
#include "miscadmin.h"
#include "nodes/nodeFuncs.h"
#include "nodes/plannodes.h"
#include "parser/parsetree.h"
#include "storage/lmgr.h"
#include "tcop/pquery.h"
#include "tcop/utility.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/syscache.h"
#include "utils/varlena.h"

#include "compat.h"
#include "seqguard.h"

int			seqguard_mode = GUARD_FIX;

/*
 * The guard acts only in sessions that asked for it, by preloading the
 * library or by LOAD.  The library is also loaded, without being asked
 * for, by CREATE EXTENSION (which validates its C functions) and by the
 * first call of one of its functions; such sessions are not guarded, so
 * that the guard never depends on which functions a session happened to
 * call.
 */
static bool guard_armed = false;

/* does a library file name (as in LOAD or a *_preload_libraries list) mean us? */
static bool
names_seqguard(const char *filename)
{
	const char *base = last_dir_separator(filename);

	base = base ? base + 1 : filename;
	return strncmp(base, "seqguard", 8) == 0 &&
		(base[8] == '\0' || strcmp(base + 8, DLSUFFIX) == 0);
}

static bool
listed_in(const char *libraries)
{
	char	   *copy;
	List	   *names;
	ListCell   *lc;
	bool		found = false;

	if (libraries == NULL || libraries[0] == '\0')
		return false;
	copy = pstrdup(libraries);
	if (SplitDirectoriesString(copy, ',', &names))
		foreach(lc, names)
			found |= names_seqguard(lfirst(lc));
	return found;
}

/* is the statement being run a LOAD of this library? */
static bool
loading_by_load(void)
{
	ListCell   *lc;

	if (ActivePortal == NULL)
		return false;
	foreach(lc, ActivePortal->stmts)
	{
		PlannedStmt *stmt = lfirst_node(PlannedStmt, lc);

		if (stmt->utilityStmt && IsA(stmt->utilityStmt, LoadStmt) &&
			names_seqguard(((LoadStmt *) stmt->utilityStmt)->filename))
			return true;
	}
	return false;
}

static ExecutorFinish_hook_type prev_ExecutorFinish = NULL;
static ProcessUtility_hook_type prev_ProcessUtility = NULL;

/*
 * The per-backend cache: for each relation written to, its sequence-fed
 * columns (SeqFeeds without names, in guard_cxt).  Relations the answer
 * depends on (ancestors, sequences) have watch_only entries, so that their
 * invalidation is noticed.
 */
typedef struct GuardRel
{
	Oid			relid;			/* hash key */
	bool		watch_only;
	List	   *feeds;
} GuardRel;

static HTAB *guard_rels = NULL;
static MemoryContext guard_cxt = NULL;

/* set by invalidation callbacks; the cache is dropped at the next hook */
static bool guard_stale = false;

/* counts every invalidation, so that a lookup can tell one arrived while it read */
static uint64 guard_invals = 0;

/* hooks of this module currently running in this backend */
static int	guard_depth = 0;

/*
 * Relcache invalidation.  Only flags are set here; the cache is rebuilt
 * at the start of the next hook, outside of invalidation processing.
 */
static void
guard_relcache_callback(Datum arg, Oid relid)
{
	guard_invals++;
	if (guard_rels != NULL &&
		(!OidIsValid(relid) || hash_search(guard_rels, &relid, HASH_FIND, NULL) != NULL))
		guard_stale = true;
}

/*
 * A pg_sequence row changed: ALTER SEQUENCE, including OWNED BY, which
 * changes which columns own a sequence without invalidating the table.
 */
static void
guard_syscache_callback(Datum arg, int cacheid, uint32 hashvalue)
{
	guard_invals++;
	guard_stale = true;
}

/*
 * Drop the cache if an invalidation said so, unless a hook further up the
 * stack may still hold feeds from it.
 */
static void
guard_cache_refresh(void)
{
	if (guard_depth > 1)
		return;
	if (guard_stale && guard_rels != NULL)
	{
		hash_destroy(guard_rels);
		guard_rels = NULL;
		MemoryContextReset(guard_cxt);
	}
	guard_stale = false;
	if (guard_rels == NULL)
	{
		HASHCTL		ctl;

		if (guard_cxt == NULL)
			guard_cxt = AllocSetContextCreate(CacheMemoryContext, "seqguard guard cache",
											  ALLOCSET_SMALL_SIZES);
		ctl.keysize = sizeof(Oid);
		ctl.entrysize = sizeof(GuardRel);
		ctl.hcxt = guard_cxt;
		guard_rels = hash_create("seqguard relations", 64, &ctl,
								 HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	}
}

/*
 * The sequence-fed columns of a relation, from the cache or the catalog.
 * The answer is built completely before it enters the cache, so that an
 * error while reading the catalog (a timeout, a cancel) leaves no entry
 * behind; and it is not cached at all when an invalidation arrived while
 * it was being read, since it may predate it.
 */
static List *
guard_feeds(Oid relid)
{
	GuardRel   *entry = hash_search(guard_rels, &relid, HASH_FIND, NULL);
	uint64		invals = guard_invals;
	List	   *watch;
	List	   *feeds;
	List	   *copy = NIL;
	MemoryContext old;
	ListCell   *lc;

	if (entry != NULL && !entry->watch_only)
		return entry->feeds;

	feeds = seqguard_feeds_of(relid, &watch);
	if (invals != guard_invals)
		return feeds;

	old = MemoryContextSwitchTo(guard_cxt);
	foreach(lc, feeds)
	{
		SeqFeed    *f = palloc(sizeof(SeqFeed));

		memcpy(f, lfirst(lc), sizeof(SeqFeed));
		copy = lappend(copy, f);
	}
	MemoryContextSwitchTo(old);

	foreach(lc, watch)
	{
		Oid			w = lfirst_oid(lc);
		bool		found;
		GuardRel   *we = hash_search(guard_rels, &w, HASH_ENTER, &found);

		if (!found)
		{
			we->watch_only = true;
			we->feeds = NIL;
		}
	}
	entry = hash_search(guard_rels, &relid, HASH_ENTER, NULL);
	entry->feeds = copy;
	entry->watch_only = false;
	return copy;
}

/*
 * Is expr the nextval() of seqid, as a default or an identity column puts
 * it, perhaps under casts or a domain?  A Var is followed into the VALUES
 * list or the child plan it reads from, so multi-row VALUES with DEFAULT
 * are seen too.
 */
static bool
is_seq_default(Plan *plan, Node *expr, Oid seqid)
{
	for (;;)
	{
		if (expr == NULL)
			return false;
		if (IsA(expr, RelabelType))
			expr = (Node *) ((RelabelType *) expr)->arg;
		else if (IsA(expr, CoerceToDomain))
			expr = (Node *) ((CoerceToDomain *) expr)->arg;
		else if (IsA(expr, FuncExpr) &&
				 ((FuncExpr *) expr)->funcformat != COERCE_EXPLICIT_CALL &&
				 list_length(((FuncExpr *) expr)->args) == 1)
			expr = linitial(((FuncExpr *) expr)->args);
		else
			break;
	}

	if (IsA(expr, NextValueExpr))
		return ((NextValueExpr *) expr)->seqid == seqid;
	if (IsA(expr, FuncExpr) && ((FuncExpr *) expr)->funcid == F_NEXTVAL)
	{
		Node	   *arg = linitial(((FuncExpr *) expr)->args);

		return IsA(arg, Const) && !((Const *) arg)->constisnull &&
			((Const *) arg)->consttype == REGCLASSOID &&
			DatumGetObjectId(((Const *) arg)->constvalue) == seqid;
	}
	if (IsA(expr, Var) && plan != NULL)
	{
		Var		   *var = (Var *) expr;

		if (IsA(plan, ValuesScan) && var->varno == ((Scan *) plan)->scanrelid)
		{
			ListCell   *lc;

			foreach(lc, ((ValuesScan *) plan)->values_lists)
				if (!is_seq_default(NULL, list_nth(lfirst(lc), var->varattno - 1), seqid))
					return false;
			return true;
		}
		if (var->varno == OUTER_VAR && outerPlan(plan) != NULL)
		{
			TargetEntry *tle = get_tle_by_resno(outerPlan(plan)->targetlist,
												var->varattno);

			return tle && is_seq_default(outerPlan(plan), (Node *) tle->expr, seqid);
		}
	}
	return false;
}

/* the expression a target list gives column attnum, or NULL */
static Node *
tlist_expr(List *tlist, AttrNumber attnum)
{
	TargetEntry *tle = get_tle_by_resno(tlist, attnum);

	return tle ? (Node *) tle->expr : NULL;
}

/*
 * Can this ModifyTable node write a value of its own into feed's column
 * of result relation number i?  When in doubt, yes: that costs a probe.
 */
static bool
writes_own_value(ModifyTable *mt, int i, ResultRelInfo *rri, const SeqFeed *feed)
{
	TriggerDesc *trig = rri ? rri->ri_TrigDesc : NULL;
	ListCell   *lc;

	switch (mt->operation)
	{
		case CMD_INSERT:
			if ((trig && trig->trig_insert_before_row) ||
				(mt->onConflictAction == ONCONFLICT_UPDATE &&
				 list_member_int(mt->onConflictCols, feed->attnum)))
				return true;
			return !is_seq_default(outerPlan(&mt->plan),
								   tlist_expr(outerPlan(&mt->plan)->targetlist, feed->attnum),
								   feed->seqid);
		case CMD_UPDATE:
			return (trig && trig->trig_update_before_row) ||
				list_member_int(list_nth(mt->updateColnosLists, i), feed->attnum);
		case CMD_MERGE:
			if (trig && (trig->trig_insert_before_row || trig->trig_update_before_row))
				return true;
			foreach(lc, list_nth(mt->mergeActionLists, i))
			{
				MergeAction *action = lfirst(lc);

				if (action->commandType == CMD_UPDATE &&
					list_member_int(action->updateColnos, feed->attnum))
					return true;
				if (action->commandType == CMD_INSERT &&
					!is_seq_default(NULL, tlist_expr(action->targetList, feed->attnum),
									feed->seqid))
					return true;
			}
			return false;
		default:
			return false;
	}
}

/* add every sequence that feeds a column of rel to *marked */
static void
mark_all(Oid relid, List **marked)
{
	ListCell   *lc;

	foreach(lc, guard_feeds(relid))
		*marked = list_append_unique_oid(*marked, ((SeqFeed *) lfirst(lc))->seqid);
}

/*
 * Add to *marked the sequences that this ModifyTable node may have
 * written values of its own for.
 */
static void
mark_plan(ModifyTable *mt, EState *estate, List **marked)
{
	ListCell   *lc;

	foreach(lc, mt->resultRelations)
	{
		Index		rti = lfirst_int(lc);
		ResultRelInfo *rri = estate->es_result_relations ?
			estate->es_result_relations[rti - 1] : NULL;
		ListCell   *fc;

		foreach(fc, guard_feeds(exec_rt_fetch(rti, estate)->relid))
		{
			SeqFeed    *feed = lfirst(fc);

			if (writes_own_value(mt, foreach_current_index(lc), rri, feed))
				*marked = list_append_unique_oid(*marked, feed->seqid);
		}
	}
}

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

/* one column of one written relation that a marked sequence feeds */
typedef struct Target
{
	Relation	rel;
	const SeqFeed *feed;
} Target;

/* what the statement did to one sequence's columns */
typedef struct SeqWork
{
	Oid			seqid;
	List	   *targets;		/* Targets */
	const Target *unreadable;	/* a column whose values cannot be read */
	bool		identity;		/* the sequence is an identity column's own */
	int64		tmin;			/* the narrowest column type's limits */
	int64		tmax;
} SeqWork;

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
					quote_literal_cstr(get_attname(RelationGetRelid(rel), t->feed->attnum, false)));
}

/* may the current role read the sequence's position, as currval() may? */
static bool
may_read_sequence(Oid seqid)
{
	return pg_class_aclmask(seqid, GetUserId(), ACL_SELECT | ACL_USAGE, ACLMASK_ANY) != 0;
}

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

/* a WARNING that the guard left a sequence where it was, and why */
static void
not_moved(const SeqWork *work, const Target *t, int sqlerrcode,
		  const char *detail, const char *hint)
{
	ereport(WARNING,
			(errcode(sqlerrcode),
			 errmsg("seqguard did not move sequence \"%s\" past the values written into column \"%s\" of table \"%s\"",
					seq_label(work->seqid),
					get_attname(RelationGetRelid(t->rel), t->feed->attnum, false),
					rel_label(t->rel)),
			 errdetail("%s", detail),
			 hint ? errhint("%s", hint) : 0));
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
	int64		target;
	bool		readable;
	int			level = seqguard_mode == GUARD_ERROR ? ERROR : WARNING;

	if (work->unreadable)
	{
		t = work->unreadable;
		ereport(level,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("seqguard cannot check the values written into column \"%s\" of table \"%s\"",
						get_attname(RelationGetRelid(t->rel), t->feed->attnum, false),
						rel_label(t->rel)),
				 errdetail("%s",
						   t->rel->rd_rel->relkind == RELKIND_FOREIGN_TABLE ?
						   "The rows of a foreign table are not read." :
						   psprintf("Values of type %s cannot be compared with the values of sequence \"%s\".",
									format_type_be(t->feed->typid), seq_label(work->seqid)))));
		return;
	}

	/* waits for an ALTER SEQUENCE in progress, as nextval() would */
	if (seqguard_read_sequence(work->seqid, 0, false, &seq) != NULL ||
		!seq.next_valid)
		return;					/* dropped, or run out: nothing can collide */

	/* did the statement write a value at or past the next one? */
	targets_extreme(work, seq.increment > 0, false, seq.next_value, cid, &own);
	if (!own.has_value && !own.out_of_range)
		return;
	t = linitial(work->targets);
	readable = may_read_sequence(work->seqid);

	if (seqguard_mode == GUARD_WARN || seqguard_mode == GUARD_ERROR)
	{
		char	   *value = own.out_of_range ? pstrdup("beyond the range of bigint") :
			psprintf("%lld", (long long) own.value);

		if (cid == InvalidCommandId)
			ereport(level,
					(errcode(ERRCODE_INTEGRITY_CONSTRAINT_VIOLATION),
					 readable ?
					 errmsg("column \"%s\" of table \"%s\" holds value %s, at or past the next value %lld of sequence \"%s\" that now feeds it",
							get_attname(RelationGetRelid(t->rel), t->feed->attnum, false),
							rel_label(t->rel), value, (long long) seq.next_value,
							seq_label(work->seqid)) :
					 errmsg("column \"%s\" of table \"%s\" holds value %s, at or past the next value of sequence \"%s\" that now feeds it",
							get_attname(RelationGetRelid(t->rel), t->feed->attnum, false),
							rel_label(t->rel), value, seq_label(work->seqid)),
					 errhint("Repair with: %s", repair_statement(extnsp, t))));
		else
			ereport(level,
					(errcode(ERRCODE_INTEGRITY_CONSTRAINT_VIOLATION),
					 readable ?
					 errmsg("value %s written into column \"%s\" of table \"%s\" is at or past the next value %lld of sequence \"%s\"",
							value, get_attname(RelationGetRelid(t->rel), t->feed->attnum, false),
							rel_label(t->rel), (long long) seq.next_value,
							seq_label(work->seqid)) :
					 errmsg("value %s written into column \"%s\" of table \"%s\" is at or past the next value of sequence \"%s\"",
							value, get_attname(RelationGetRelid(t->rel), t->feed->attnum, false),
							rel_label(t->rel), seq_label(work->seqid)),
					 errhint("Repair with: %s", repair_statement(extnsp, t))));
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
			const char *why;

			/* never backwards: compared and written under the buffer lock */
			(void) seqguard_move_sequence(work->seqid, target, true, 0, false,
										  &before, &why);
		}
		else
			ereport(WARNING,
					(errcode(ERRCODE_SEQUENCE_GENERATOR_LIMIT_EXCEEDED),
					 own.out_of_range ?
					 errmsg("seqguard did not move sequence \"%s\" past a value beyond the range of bigint written into column \"%s\" of table \"%s\"",
							seq_label(work->seqid),
							get_attname(RelationGetRelid(t->rel), t->feed->attnum, false),
							rel_label(t->rel)) :
					 errmsg("seqguard did not move sequence \"%s\" past %lld, the value written into column \"%s\" of table \"%s\"",
							seq_label(work->seqid), (long long) own.value,
							get_attname(RelationGetRelid(t->rel), t->feed->attnum, false),
							rel_label(t->rel)),
					 errdetail("Values within %lld of the end of its usable range, %lld, are taken as sentinels, not ids.",
							   (long long) end_margin(Max(seq.minv, work->tmin),
													  Min(seq.maxv, work->tmax)),
							   (long long) (seq.increment > 0 ? Min(seq.maxv, work->tmax) :
											Max(seq.minv, work->tmin))),
					 errhint("Use ids well inside the range, or widen the sequence with ALTER SEQUENCE ... AS bigint and the column with ALTER TABLE ... ALTER COLUMN ... TYPE bigint.")));
	}
}

static SeqWork *
work_for(List **works, Oid seqid)
{
	ListCell   *lc;
	SeqWork    *w;

	foreach(lc, *works)
		if (((SeqWork *) lfirst(lc))->seqid == seqid)
			return lfirst(lc);
	w = palloc0(sizeof(SeqWork));
	w->seqid = seqid;
	w->tmin = PG_INT64_MIN;
	w->tmax = PG_INT64_MAX;
	*works = lappend(*works, w);
	return w;
}

/*
 * The statement wrote into the relations in rels (open and locked by it);
 * for each sequence in marked, look at every column of them it feeds and
 * act.
 */
static void
guard_act(List *rels, List *marked, CommandId cid)
{
	List	   *works = NIL;
	Oid			extnsp;
	ListCell   *lc;

	if (marked == NIL || !OidIsValid(extnsp = extension_schema()))
		return;

	foreach(lc, rels)
	{
		Relation	rel = lfirst(lc);
		ListCell   *fc;

		if (!RELKIND_HAS_STORAGE(rel->rd_rel->relkind) &&
			rel->rd_rel->relkind != RELKIND_FOREIGN_TABLE)
			continue;
		foreach(fc, guard_feeds(RelationGetRelid(rel)))
		{
			SeqFeed    *feed = lfirst(fc);
			SeqWork    *w;
			Target	   *t;

			if (!list_member_oid(marked, feed->seqid))
				continue;
			w = work_for(&works, feed->seqid);
			t = palloc(sizeof(Target));
			t->rel = rel;
			t->feed = feed;
			if (rel->rd_rel->relkind == RELKIND_FOREIGN_TABLE ||
				!seqguard_probe_supported(feed->typid))
				w->unreadable = t;
			else
			{
				int64		tmin,
							tmax;

				w->targets = lappend(w->targets, t);
				seqguard_type_limits(feed->typid, &tmin, &tmax);
				w->tmin = Max(w->tmin, tmin);
				w->tmax = Min(w->tmax, tmax);
			}
			w->identity |= feed->kind == FEED_IDENTITY;
		}
	}

	foreach(lc, works)
	{
		SeqWork    *w = lfirst(lc);

		if (w->targets != NIL || w->unreadable)
			act_on_sequence(w, cid, extnsp);
	}
}

/*
 * Run fn(arg) as the guard, keeping the nesting depth right when it
 * fails, so that the cache is refreshed only where nothing uses it.
 */
static void
guarded(void (*fn) (void *), void *arg)
{
	guard_depth++;
	PG_TRY();
	{
		guard_cache_refresh();
		fn(arg);
	}
	PG_FINALLY();
	{
		guard_depth--;
	}
	PG_END_TRY();
}

/* After the executor: what did this statement's ModifyTable nodes write? */
static void
guard_statement(void *arg)
{
	QueryDesc  *queryDesc = arg;
	PlannedStmt *stmt = queryDesc->plannedstmt;
	EState	   *estate = queryDesc->estate;
	List	   *marked = NIL;
	List	   *rels = NIL;
	ListCell   *lc;

	if (IsA(stmt->planTree, ModifyTable))
		mark_plan((ModifyTable *) stmt->planTree, estate, &marked);
	foreach(lc, stmt->subplans)
	{
		Plan	   *plan = lfirst(lc);

		if (plan && IsA(plan, ModifyTable))
			mark_plan((ModifyTable *) plan, estate, &marked);
	}

	/*
	 * Rows routed to a partition (INSERT through the root, UPDATE moving a
	 * row) pass its BEFORE ROW triggers, which may set the column.
	 */
	foreach(lc, estate->es_tuple_routing_result_relations)
	{
		ResultRelInfo *rri = lfirst(lc);

		if (rri->ri_TrigDesc && rri->ri_TrigDesc->trig_insert_before_row)
			mark_all(RelationGetRelid(rri->ri_RelationDesc), &marked);
	}
	if (marked == NIL)
		return;

	/* every relation the statement wrote rows into, routed ones included */
	foreach(lc, estate->es_opened_result_relations)
		rels = lappend(rels, ((ResultRelInfo *) lfirst(lc))->ri_RelationDesc);
	foreach(lc, estate->es_tuple_routing_result_relations)
		rels = lappend(rels, ((ResultRelInfo *) lfirst(lc))->ri_RelationDesc);
	guard_act(rels, marked, estate->es_output_cid);
}

static void
guard_ExecutorFinish(QueryDesc *queryDesc)
{
	PlannedStmt *stmt = queryDesc->plannedstmt;

	if (prev_ExecutorFinish)
		prev_ExecutorFinish(queryDesc);
	else
		standard_ExecutorFinish(queryDesc);

	if (guard_armed && seqguard_mode != GUARD_OFF && IsTransactionState() &&
		(stmt->commandType == CMD_INSERT || stmt->commandType == CMD_UPDATE ||
		 stmt->commandType == CMD_MERGE || stmt->hasModifyingCTE))
		guarded(guard_statement, queryDesc);
}

/* what a COPY FROM or a DDL statement asks of the guard */
typedef struct UtilityWork
{
	Node	   *parsetree;
	CommandId	cid;			/* a COPY's command id */
} UtilityWork;

/*
 * The relations a COPY FROM wrote into: the target, or, when it is
 * partitioned, the partitions that rows were routed to, which are those
 * the statement locked.
 */
static List *
copy_targets(Oid relid)
{
	Relation	rel = relation_open(relid, NoLock);
	List	   *rels = list_make1(rel);
	ListCell   *lc;

	if (rel->rd_rel->relkind == RELKIND_PARTITIONED_TABLE)
		foreach(lc, find_all_inheritors(relid, NoLock, NULL))
		{
			Oid			member = lfirst_oid(lc);

			if (member != relid &&
				CheckRelationOidLockedByMe(member, RowExclusiveLock, true))
				rels = lappend(rels, relation_open(member, NoLock));
		}
	return rels;
}

/* After COPY FROM: it wrote the listed columns, and BEFORE triggers any. */
static void
guard_copy(CopyStmt *copy, CommandId cid)
{
	Oid			relid = RangeVarGetRelid(copy->relation, NoLock, true);
	List	   *rels;
	List	   *marked = NIL;
	ListCell   *lc;

	if (!OidIsValid(relid))
		return;
	rels = copy_targets(relid);
	foreach(lc, rels)
	{
		Relation	rel = lfirst(lc);
		ListCell   *fc;

		if (rel->trigdesc && rel->trigdesc->trig_insert_before_row)
		{
			mark_all(RelationGetRelid(rel), &marked);
			continue;
		}
		foreach(fc, guard_feeds(RelationGetRelid(rel)))
		{
			SeqFeed    *feed = lfirst(fc);
			char	   *attname = get_attname(RelationGetRelid(rel), feed->attnum, false);
			bool		listed = (copy->attlist == NIL);
			ListCell   *ac;

			foreach(ac, copy->attlist)
				listed |= strcmp(strVal(lfirst(ac)), attname) == 0;
			if (listed)
				marked = list_append_unique_oid(marked, feed->seqid);
		}
	}
	guard_act(rels, marked, cid);
	foreach(lc, rels)
		relation_close(lfirst(lc), NoLock);
}

/*
 * What a DDL statement brought under which sequences: the rows of table
 * relid (and its inheritors) now count for the sequences that feed the
 * columns of "from" (only column "column", if set), or for seqid alone.
 */
typedef struct DdlSubject
{
	Oid			relid;
	Oid			from;
	const char *column;
	Oid			seqid;
} DdlSubject;

/*
 * Fill *subject for DDL that brings rows under a sequence: ATTACH
 * PARTITION and INHERIT (the child's rows, for its new parent's
 * sequences), ADD ... AS IDENTITY and SET DEFAULT (the column's rows, for
 * its sequences), and ALTER SEQUENCE ... OWNED BY (the owning table's
 * rows, for that sequence).  Returns false for any other statement.
 */
static bool
ddl_subject(Node *parsetree, DdlSubject *subject)
{
	memset(subject, 0, sizeof(DdlSubject));
	if (IsA(parsetree, AlterTableStmt))
	{
		AlterTableStmt *stmt = (AlterTableStmt *) parsetree;
		ListCell   *lc;

		if (stmt->objtype != OBJECT_TABLE && stmt->objtype != OBJECT_FOREIGN_TABLE)
			return false;
		foreach(lc, stmt->cmds)
		{
			AlterTableCmd *cmd = lfirst(lc);
			Oid			relid = RangeVarGetRelid(stmt->relation, NoLock, true);

			if (cmd->subtype == AT_AttachPartition)
			{
				subject->relid = RangeVarGetRelid(((PartitionCmd *) cmd->def)->name,
												  NoLock, true);
				subject->from = relid;
			}
			else if (cmd->subtype == AT_AddInherit)
			{
				subject->relid = relid;
				subject->from = RangeVarGetRelid((RangeVar *) cmd->def, NoLock, true);
			}
			else if (cmd->subtype == AT_AddIdentity ||
					 (cmd->subtype == AT_ColumnDefault && cmd->def != NULL))
			{
				subject->relid = subject->from = relid;
				subject->column = cmd->name;
			}
			else
				continue;
			return OidIsValid(subject->relid) && OidIsValid(subject->from);
		}
	}
	else if (IsA(parsetree, AlterSeqStmt))
	{
		ListCell   *lc;

		foreach(lc, ((AlterSeqStmt *) parsetree)->options)
		{
			int32		colid;

			if (strcmp(((DefElem *) lfirst(lc))->defname, "owned_by") != 0)
				continue;
			subject->seqid = RangeVarGetRelid(((AlterSeqStmt *) parsetree)->sequence,
											  NoLock, true);
			return OidIsValid(subject->seqid) &&
				sequenceIsOwned(subject->seqid, DEPENDENCY_AUTO, &subject->relid, &colid);
		}
	}
	return false;
}

/*
 * After DDL that brought rows under a sequence: every row of the subject
 * table's tree counts, as if written by the statement.  Members that the
 * statement did not lock are locked without waiting; one that cannot be
 * locked cannot be read, which is said (error mode: the statement fails).
 */
static void
guard_ddl(const DdlSubject *subject)
{
	List	   *rels = NIL;
	List	   *locked = NIL;
	List	   *marked = NIL;
	ListCell   *lc;

	/* make the statement's catalog changes visible, and drop what they made stale */
	CommandCounterIncrement();
	guard_cache_refresh();

	if (!SearchSysCacheExists1(RELOID, ObjectIdGetDatum(subject->relid)))
		return;
	if (OidIsValid(subject->seqid))
		marked = list_make1_oid(subject->seqid);
	else
		foreach(lc, guard_feeds(subject->from))
		{
			SeqFeed    *feed = lfirst(lc);
			char	   *attname = get_attname(subject->from, feed->attnum, false);

			if (subject->column == NULL || strcmp(subject->column, attname) == 0)
				marked = list_append_unique_oid(marked, feed->seqid);
		}
	if (marked == NIL)
		return;

	foreach(lc, find_all_inheritors(subject->relid, NoLock, NULL))
	{
		Oid			member = lfirst_oid(lc);
		Relation	rel;

		if (!CheckRelationOidLockedByMe(member, AccessShareLock, true))
		{
			if (!ConditionalLockRelationOid(member, AccessShareLock))
			{
				ereport(seqguard_mode == GUARD_ERROR ? ERROR : WARNING,
						(errcode(ERRCODE_LOCK_NOT_AVAILABLE),
						 errmsg("seqguard cannot check the rows of table \"%s\": it is locked by another session",
								get_rel_name(member))));
				continue;
			}
			locked = lappend_oid(locked, member);
		}
		if ((rel = try_relation_open(member, NoLock)) != NULL)
			rels = lappend(rels, rel);
	}
	guard_act(rels, marked, InvalidCommandId);
	foreach(lc, rels)
		relation_close(lfirst(lc), NoLock);
	foreach(lc, locked)
		UnlockRelationOid(lfirst_oid(lc), AccessShareLock);
}

static void
guard_utility(void *arg)
{
	UtilityWork *uw = arg;

	if (IsA(uw->parsetree, CopyStmt))
		guard_copy((CopyStmt *) uw->parsetree, uw->cid);
	else
	{
		DdlSubject	subject;

		if (ddl_subject(uw->parsetree, &subject))
			guard_ddl(&subject);
	}
}

/*
 * COPY FROM writes rows without a plan; some DDL brings existing rows
 * under a sequence.  Both are looked at after they ran.
 */
static void
guard_ProcessUtility(PlannedStmt *pstmt, const char *queryString,
					 bool readOnlyTree, ProcessUtilityContext context,
					 ParamListInfo params, QueryEnvironment *queryEnv,
					 DestReceiver *dest, QueryCompletion *qc)
{
	Node	   *parsetree = pstmt->utilityStmt;
	UtilityWork uw = {parsetree, GetCurrentCommandId(false)};

	if (prev_ProcessUtility)
		prev_ProcessUtility(pstmt, queryString, readOnlyTree, context,
							params, queryEnv, dest, qc);
	else
		standard_ProcessUtility(pstmt, queryString, readOnlyTree, context,
								params, queryEnv, dest, qc);

	/* LOAD of a library already loaded does not run _PG_init again */
	if (IsA(parsetree, LoadStmt) &&
		names_seqguard(((LoadStmt *) parsetree)->filename))
		guard_armed = true;

	if (!guard_armed || seqguard_mode == GUARD_OFF || !IsTransactionState())
		return;
	if ((IsA(parsetree, CopyStmt) && ((CopyStmt *) parsetree)->is_from &&
		 ((CopyStmt *) parsetree)->relation != NULL) ||
		IsA(parsetree, AlterTableStmt) || IsA(parsetree, AlterSeqStmt))
		guarded(guard_utility, &uw);
}

/*
 * Install the hooks, and arm the guard if this is a load that asks for it.
 * The hooks are installed on every load, so that a later LOAD in a session
 * where the library was loaded implicitly can still arm it.
 */
void
seqguard_guard_init(void)
{
	guard_armed = process_shared_preload_libraries_in_progress ||
		listed_in(session_preload_libraries_string) ||
		listed_in(local_preload_libraries_string) ||
		loading_by_load();

	prev_ExecutorFinish = ExecutorFinish_hook;
	ExecutorFinish_hook = guard_ExecutorFinish;
	prev_ProcessUtility = ProcessUtility_hook;
	ProcessUtility_hook = guard_ProcessUtility;
	CacheRegisterRelcacheCallback(guard_relcache_callback, (Datum) 0);
	CacheRegisterSyscacheCallback(SEQRELID, guard_syscache_callback, (Datum) 0);
}
