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
		f->attname = pstrdup(f->attname);
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
 * Does this cast keep every value that nextval() can return?  Only casts
 * between integer types and numeric do; a cast to a floating-point type
 * may round an explicit value onto the sequence's own.
 */
static bool
exact_cast(FuncExpr *expr)
{
	Oid			from = exprType(linitial(expr->args));

	return (seqguard_is_integer_type(expr->funcresulttype) ||
			expr->funcresulttype == NUMERICOID) &&
		(seqguard_is_integer_type(from) || from == NUMERICOID);
}

/*
 * Is expr the nextval() of seqid, as a default or an identity column puts
 * it, perhaps under exact casts or a domain?  A Var is followed into the
 * VALUES list or the child plan it reads from, so multi-row VALUES with
 * DEFAULT are seen too.
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
				 (((FuncExpr *) expr)->funcformat == COERCE_IMPLICIT_CAST ||
				  ((FuncExpr *) expr)->funcformat == COERCE_EXPLICIT_CAST) &&
				 list_length(((FuncExpr *) expr)->args) == 1 &&
				 exact_cast((FuncExpr *) expr))
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
 * A stored generated column is computed from others, so any write may
 * change it.
 */
static bool
writes_own_value(ModifyTable *mt, int i, ResultRelInfo *rri, const SeqFeed *feed)
{
	TriggerDesc *trig = rri ? rri->ri_TrigDesc : NULL;
	ListCell   *lc;

	if (feed->generated == ATTRIBUTE_GENERATED_STORED)
		return mt->operation == CMD_INSERT || mt->operation == CMD_UPDATE ||
			mt->operation == CMD_MERGE;

	switch (mt->operation)
	{
		case CMD_INSERT:
			if ((trig && trig->trig_insert_before_row) ||
				(mt->onConflictAction == ONCONFLICT_UPDATE &&
				 ((trig && trig->trig_update_before_row) ||
				  list_member_int(mt->onConflictCols, feed->attnum))))
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

/*
 * One column of one relation that a statement may have written values of
 * its own into; the relation is open and locked by the statement.
 */
typedef struct Target
{
	Relation	rel;
	const SeqFeed *feed;
} Target;

/* add (rel, feed) to *targets, for a relation that holds rows */
static void
add_target(List **targets, Relation rel, const SeqFeed *feed)
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
static void
add_targets(List **targets, Relation rel, List *seqids, bool every)
{
	ListCell   *lc;

	foreach(lc, guard_feeds(RelationGetRelid(rel)))
	{
		SeqFeed    *feed = lfirst(lc);

		if (every || list_member_oid(seqids, feed->seqid))
			add_target(targets, rel, feed);
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
static void
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
			!seqguard_probe_supported(t->feed->typid))
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

/*
 * Run fn(arg) as the guard: in a memory context of its own, emptied when
 * it returns (a SQL function's statements would otherwise pile the
 * guard's allocations up in the caller's context until its query ends),
 * and keeping the nesting depth right when it fails, so that the cache is
 * refreshed only where nothing uses it.  The outermost call reuses one
 * context, which costs nothing to empty when the statement needed no work.
 */
static void
guarded(void (*fn) (void *), void *arg)
{
	static MemoryContext work_cxt = NULL;
	MemoryContext cxt;
	MemoryContext old;

	if (work_cxt == NULL)
		work_cxt = AllocSetContextCreate(TopMemoryContext, "seqguard guard",
										 ALLOCSET_DEFAULT_SIZES);
	cxt = guard_depth == 0 ? work_cxt :
		AllocSetContextCreate(CurrentMemoryContext, "seqguard nested guard",
							  ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(cxt);
	guard_depth++;
	PG_TRY();
	{
		guard_cache_refresh();
		fn(arg);
	}
	PG_FINALLY();
	{
		guard_depth--;
		MemoryContextSwitchTo(old);
		if (cxt == work_cxt)
			MemoryContextReset(cxt);
		else
			MemoryContextDelete(cxt);
	}
	PG_END_TRY();
}

/*
 * Add the targets of one ModifyTable node: the columns of its result
 * relations it may have written values of its own into.  Adds to *written
 * the sequences concerned.  Allocates nothing for a node that wrote only
 * the sequences' own values, the common case.
 */
static void
node_targets(ModifyTable *mt, EState *estate, List **targets, List **written)
{
	List	   *mine = NIL;
	ListCell   *rc;

	foreach(rc, mt->resultRelations)
	{
		Index		rti = lfirst_int(rc);
		ResultRelInfo *rri = estate->es_result_relations ?
			estate->es_result_relations[rti - 1] : NULL;
		ListCell   *fc;

		if (rri == NULL)
			continue;			/* pruned: not written */
		foreach(fc, guard_feeds(RelationGetRelid(rri->ri_RelationDesc)))
		{
			SeqFeed    *feed = lfirst(fc);

			if (writes_own_value(mt, foreach_current_index(rc), rri, feed))
			{
				add_target(targets, rri->ri_RelationDesc, feed);
				mine = list_append_unique_oid(mine, feed->seqid);
			}
		}
	}

	/*
	 * An UPDATE or MERGE through a partitioned table can move rows into any
	 * of its result relations, passing their BEFORE INSERT triggers.  Rows
	 * moved into a foreign partition cannot be read; that a trigger
	 * elsewhere may have changed their id is not taken to mean that one did
	 * (every updated_at trigger would make such trees fail).
	 */
	if ((mt->operation == CMD_UPDATE || mt->operation == CMD_MERGE) &&
		mt->rootRelation > 0)
		foreach(rc, mt->resultRelations)
		{
			Index		rti = lfirst_int(rc);
			ResultRelInfo *rri = estate->es_result_relations ?
				estate->es_result_relations[rti - 1] : NULL;

			if (rri != NULL &&
				RELKIND_HAS_STORAGE(rri->ri_RelationDesc->rd_rel->relkind))
				add_targets(targets, rri->ri_RelationDesc, mine,
							rri->ri_TrigDesc && rri->ri_TrigDesc->trig_insert_before_row);
		}
	*written = list_concat_unique_oid(*written, mine);
}

/*
 * After the executor: which columns of which relations did this
 * statement's ModifyTable nodes (the plan's top node, and data-modifying
 * CTEs, which are the top nodes of subplans) write values of their own
 * into?
 */
static void
guard_statement(void *arg)
{
	QueryDesc  *queryDesc = arg;
	PlannedStmt *stmt = queryDesc->plannedstmt;
	EState	   *estate = queryDesc->estate;
	List	   *targets = NIL;
	List	   *written = NIL;	/* sequences some node wrote values for */
	ListCell   *lc;

	if (IsA(stmt->planTree, ModifyTable))
		node_targets((ModifyTable *) stmt->planTree, estate, &targets, &written);
	foreach(lc, stmt->subplans)
		if (lfirst(lc) && IsA(lfirst(lc), ModifyTable))
			node_targets(lfirst(lc), estate, &targets, &written);

	/*
	 * Partitions rows were routed to (INSERT through the root, UPDATE moving
	 * a row) received the values written, and pass their own BEFORE ROW
	 * triggers, which may set the column.
	 */
	foreach(lc, estate->es_tuple_routing_result_relations)
	{
		ResultRelInfo *rri = lfirst(lc);
		bool		triggers = rri->ri_TrigDesc && rri->ri_TrigDesc->trig_insert_before_row;

		if (written != NIL || triggers)
			add_targets(&targets, rri->ri_RelationDesc, written, triggers);
	}
	guard_act(targets, estate->es_output_cid);
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

static void
add_subject(List **subjects, Oid relid, Oid from, const char *column, Oid seqid)
{
	DdlSubject *subject = palloc(sizeof(DdlSubject));

	if (!OidIsValid(relid) || (!OidIsValid(from) && !OidIsValid(seqid)))
		return;
	subject->relid = relid;
	subject->from = from;
	subject->column = column;
	subject->seqid = seqid;
	*subjects = lappend(*subjects, subject);
}

/*
 * The subjects of DDL that brings rows under a sequence: ATTACH PARTITION
 * and INHERIT (the child's rows, for its new parent's sequences), ADD ...
 * AS IDENTITY, SET DEFAULT and a TYPE change that rewrites the column (the
 * column's rows, for its sequences), and ALTER SEQUENCE ... OWNED BY (the
 * owning table's rows, for that sequence).  Every subcommand counts.
 */
static List *
ddl_subjects(Node *parsetree, ProcessUtilityContext context)
{
	List	   *subjects = NIL;
	ListCell   *lc;

	if (IsA(parsetree, AlterTableStmt))
	{
		AlterTableStmt *stmt = (AlterTableStmt *) parsetree;
		Oid			relid;

		if (stmt->objtype != OBJECT_TABLE && stmt->objtype != OBJECT_FOREIGN_TABLE)
			return NIL;
		relid = RangeVarGetRelid(stmt->relation, NoLock, true);
		foreach(lc, stmt->cmds)
		{
			AlterTableCmd *cmd = lfirst(lc);

			if (cmd->subtype == AT_AttachPartition)
				add_subject(&subjects,
							RangeVarGetRelid(((PartitionCmd *) cmd->def)->name, NoLock, true),
							relid, NULL, InvalidOid);
			else if (cmd->subtype == AT_AddInherit)
				add_subject(&subjects, relid,
							RangeVarGetRelid((RangeVar *) cmd->def, NoLock, true),
							NULL, InvalidOid);
			else if (cmd->subtype == AT_AddIdentity || cmd->subtype == AT_AlterColumnType ||
					 (cmd->subtype == AT_ColumnDefault && cmd->def != NULL))
				add_subject(&subjects, relid, relid, cmd->name, InvalidOid);
		}
	}

	/*
	 * OWNED BY given by CREATE TABLE or ADD COLUMN for a serial column (a
	 * subcommand) covers a column just filled from the sequence.
	 */
	else if (IsA(parsetree, AlterSeqStmt) && context != PROCESS_UTILITY_SUBCOMMAND)
	{
		foreach(lc, ((AlterSeqStmt *) parsetree)->options)
		{
			Oid			seqid;
			Oid			tableid;
			int32		colid;

			if (strcmp(((DefElem *) lfirst(lc))->defname, "owned_by") != 0)
				continue;
			seqid = RangeVarGetRelid(((AlterSeqStmt *) parsetree)->sequence, NoLock, true);
			if (OidIsValid(seqid) &&
				sequenceIsOwned(seqid, DEPENDENCY_AUTO, &tableid, &colid))
				add_subject(&subjects, tableid, InvalidOid, NULL, seqid);
		}
	}
	return subjects;
}

/*
 * After DDL that brought rows under a sequence: every row of the subject
 * table's tree counts, as if written by the statement.  Members that the
 * statement did not lock are locked without waiting; one that cannot be
 * locked cannot be read, which is said (error mode: the statement fails).
 */
static void
guard_ddl(const DdlSubject *subject, List **targets, List **rels, List **locked)
{
	List	   *seqids = NIL;
	ListCell   *lc;

	if (!SearchSysCacheExists1(RELOID, ObjectIdGetDatum(subject->relid)))
		return;
	if (OidIsValid(subject->seqid))
		seqids = list_make1_oid(subject->seqid);
	else
		foreach(lc, guard_feeds(subject->from))
		{
			SeqFeed    *feed = lfirst(lc);

			if (subject->column == NULL || strcmp(subject->column, feed->attname) == 0)
				seqids = list_append_unique_oid(seqids, feed->seqid);
		}
	if (seqids == NIL)
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
			*locked = lappend_oid(*locked, member);
		}
		if ((rel = try_relation_open(member, NoLock)) != NULL)
		{
			*rels = lappend(*rels, rel);
			add_targets(targets, rel, seqids, false);
		}
	}
}

/* what a utility statement asks of the guard */
typedef struct UtilityWork
{
	Node	   *parsetree;
	ProcessUtilityContext context;
	CommandId	cid;			/* a COPY's command id */
	Oid			relid;			/* a COPY's target, resolved before it ran */
} UtilityWork;

/*
 * After COPY FROM: the relations it wrote into are the target, or, when it
 * is partitioned, the partitions that rows were routed to, which are those
 * the statement locked.  It wrote the listed columns, and stored generated
 * ones; BEFORE ROW triggers may have set any.
 */
static void
guard_copy(const UtilityWork *uw)
{
	CopyStmt   *copy = (CopyStmt *) uw->parsetree;
	List	   *rels = NIL;
	List	   *targets = NIL;
	ListCell   *lc;

	if (!OidIsValid(uw->relid) ||
		!CheckRelationOidLockedByMe(uw->relid, RowExclusiveLock, true))
		return;
	rels = list_make1(relation_open(uw->relid, NoLock));
	if (get_rel_relkind(uw->relid) == RELKIND_PARTITIONED_TABLE)
		foreach(lc, find_all_inheritors(uw->relid, NoLock, NULL))
		{
			Oid			member = lfirst_oid(lc);

			if (member != uw->relid &&
				CheckRelationOidLockedByMe(member, RowExclusiveLock, true))
				rels = lappend(rels, relation_open(member, NoLock));
		}

	foreach(lc, rels)
	{
		Relation	rel = lfirst(lc);
		bool		triggers = rel->trigdesc && rel->trigdesc->trig_insert_before_row;
		ListCell   *fc;

		foreach(fc, guard_feeds(RelationGetRelid(rel)))
		{
			SeqFeed    *feed = lfirst(fc);
			bool		listed = copy->attlist == NIL || triggers ||
				feed->generated == ATTRIBUTE_GENERATED_STORED;
			ListCell   *ac;

			foreach(ac, copy->attlist)
				listed |= strcmp(strVal(lfirst(ac)), feed->attname) == 0;
			if (listed)
				add_target(&targets, rel, feed);
		}
	}
	guard_act(targets, uw->cid);
	foreach(lc, rels)
		relation_close(lfirst(lc), NoLock);
}

static void
guard_utility(void *arg)
{
	UtilityWork *uw = arg;
	List	   *subjects;
	List	   *targets = NIL;
	List	   *rels = NIL;
	List	   *locked = NIL;
	ListCell   *lc;

	if (IsA(uw->parsetree, CopyStmt))
	{
		guard_copy(uw);
		return;
	}
	if ((subjects = ddl_subjects(uw->parsetree, uw->context)) == NIL)
		return;

	/* make the statement's catalog changes visible, and drop what they made stale */
	CommandCounterIncrement();
	guard_cache_refresh();
	foreach(lc, subjects)
		guard_ddl(lfirst(lc), &targets, &rels, &locked);
	guard_act(targets, InvalidCommandId);
	foreach(lc, rels)
		relation_close(lfirst(lc), NoLock);
	foreach(lc, locked)
		UnlockRelationOid(lfirst_oid(lc), AccessShareLock);
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
	UtilityWork uw = {parsetree, context, GetCurrentCommandId(false), InvalidOid};
	bool		copy_from = IsA(parsetree, CopyStmt) &&
		((CopyStmt *) parsetree)->is_from && ((CopyStmt *) parsetree)->relation != NULL;

	/* the COPY's target as it stands now, before a trigger could rename it */
	if (copy_from && guard_armed)
		uw.relid = RangeVarGetRelid(((CopyStmt *) parsetree)->relation, NoLock, true);

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
	if (copy_from || IsA(parsetree, AlterTableStmt) || IsA(parsetree, AlterSeqStmt))
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
