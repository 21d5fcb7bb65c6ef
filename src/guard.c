/*-------------------------------------------------------------------------
 *
 * guard.c
 *	  The guard: after a statement writes values of its own into a
 *	  sequence-fed column, keep the sequence ahead of them.
 *
 * Two hooks see every such statement: ExecutorFinish for INSERT, UPDATE
 * and MERGE (top level or run from functions, SPI, triggers), and
 * ProcessUtility for COPY FROM, which writes without a plan.  Each first
 * decides from the plan alone whether the statement can have written a
 * value that did not come from the sequence: a plain INSERT whose column
 * takes its nextval() default cannot, and then nothing else is done, so
 * ordinary inserts pay one hash lookup per target table.  Otherwise the
 * written tables' column is probed at its index endpoint, which sees the
 * statement's own rows, and seqguard.mode says what happens next.
 *
 * Which columns of a relation are sequence-fed is cached per backend and
 * forgotten on any relcache invalidation of the relation, an ancestor or
 * one of its sequences.
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
#include "catalog/indexing.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_extension.h"
#include "catalog/pg_inherits.h"
#include "catalog/pg_type.h"
#include "executor/executor.h"
#include "miscadmin.h"
#include "nodes/nodeFuncs.h"
#include "nodes/plannodes.h"
#include "parser/parsetree.h"
#include "storage/lmgr.h"
#include "tcop/pquery.h"
#include "tcop/utility.h"
#include "utils/builtins.h"
#include "utils/varlena.h"
#include "utils/fmgroids.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

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

/* per-relation cache: the relation's sequence-fed integer columns */
typedef struct GuardRel
{
	Oid			relid;			/* hash key */
	bool		watch_only;		/* an ancestor or sequence of a cached one */
	List	   *feeds;			/* SeqFeeds, in guard_cxt */
} GuardRel;

static HTAB *guard_rels = NULL;
static MemoryContext guard_cxt = NULL;
static bool guard_stale = false;

/*
 * A column to probe after the statement, the relations (with storage) it
 * was probed in, and what the probe found.
 */
typedef struct Written
{
	const SeqFeed *feed;
	List	   *rels;			/* OIDs, each locked by the statement */
	ColumnExtreme extreme;
} Written;

/*
 * Relcache invalidation: forget everything if the relation is one the
 * cache depends on.  Only a flag is set here; the cache is rebuilt at the
 * next statement that needs it, outside of invalidation processing.
 */
static void
guard_relcache_callback(Datum arg, Oid relid)
{
	if (guard_rels == NULL)
		return;
	if (!OidIsValid(relid) ||
		hash_search(guard_rels, &relid, HASH_FIND, NULL) != NULL)
		guard_stale = true;
}

/*
 * Forget the cache if an invalidation said so.  Called once at the start
 * of each hook, before any cached feed is handed out: a feed taken from
 * the cache stays valid until the hook returns.
 */
static void
guard_cache_refresh(void)
{
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

/* the sequence-fed columns of a relation, from the cache or the catalog */
static GuardRel *
guard_lookup(Oid relid)
{
	GuardRel   *entry;
	bool		found;

	entry = hash_search(guard_rels, &relid, HASH_ENTER, &found);
	if (!found || entry->watch_only)
	{
		MemoryContext old = MemoryContextSwitchTo(guard_cxt);
		List	   *watch;
		List	   *feeds = seqguard_feeds_of(relid, &watch);
		ListCell   *lc;

		/* the catalog query may have grown the hash: look the entry up again */
		entry = hash_search(guard_rels, &relid, HASH_ENTER, &found);
		entry->watch_only = false;
		entry->feeds = feeds;
		foreach(lc, watch)
		{
			Oid			w = lfirst_oid(lc);
			GuardRel   *we = hash_search(guard_rels, &w, HASH_ENTER, &found);

			if (!found)
			{
				we->watch_only = true;
				we->feeds = NIL;
			}
		}
		MemoryContextSwitchTo(old);
	}
	return entry;
}

/*
 * Is expr the nextval() of seqid, as a default or an identity column puts
 * it, perhaps under casts?  A Var is followed into the VALUES list or the
 * child plan it reads from, so multi-row VALUES with DEFAULT are seen too.
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
 * of result relation number i?
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

/*
 * Probe the column of one written relation, or of every storage-bearing
 * member of its tree when rel is partitioned (COPY does not say which
 * partitions it wrote).  The snapshot sees the statement's own rows.
 */
static void
probe_written(Relation rel, Written *w)
{
	SeqState	seq;
	bool		want_max;

	if (seqguard_read_sequence(w->feed->seqid, 0, &seq) != NULL)
		return;
	want_max = seq.increment > 0;

	if (RELKIND_HAS_STORAGE(rel->rd_rel->relkind))
	{
		AttrNumber	attnum = get_attnum(RelationGetRelid(rel), w->feed->attname);

		if (attnum != InvalidAttrNumber)
		{
			seqguard_probe_relation(rel, attnum, w->feed->typid, want_max,
									SnapshotSelf, &w->extreme);
			w->rels = lappend_oid(w->rels, RelationGetRelid(rel));
		}
	}
	else if (rel->rd_rel->relkind == RELKIND_PARTITIONED_TABLE)
	{
		List	   *members = find_all_inheritors(RelationGetRelid(rel), NoLock, NULL);
		ListCell   *lc;

		foreach(lc, members)
		{
			Oid			member = lfirst_oid(lc);
			Relation	mrel;

			if (member == RelationGetRelid(rel) ||
				!ConditionalLockRelationOid(member, AccessShareLock))
				continue;
			if ((mrel = try_relation_open(member, NoLock)) != NULL)
			{
				if (RELKIND_HAS_STORAGE(mrel->rd_rel->relkind))
				{
					AttrNumber	attnum = get_attnum(member, w->feed->attname);

					if (attnum != InvalidAttrNumber)
					{
						seqguard_probe_relation(mrel, attnum, w->feed->typid,
												want_max, SnapshotSelf, &w->extreme);
						w->rels = lappend_oid(w->rels, member);
					}
				}
				relation_close(mrel, NoLock);
			}
			UnlockRelationOid(member, AccessShareLock);
		}
	}
}

/*
 * The extreme value that the statement itself (commands from cid on) wrote
 * at or past the sequence's next value, over the relations probed.
 */
static bool
statement_wrote_past(Written *w, const SeqState *seq, CommandId cid, int64 *value)
{
	ColumnExtreme mine;
	ListCell   *lc;

	memset(&mine, 0, sizeof(mine));
	foreach(lc, w->rels)
	{
		Oid			relid = lfirst_oid(lc);
		Relation	rel;

		if (!ConditionalLockRelationOid(relid, AccessShareLock))
			continue;
		if ((rel = try_relation_open(relid, NoLock)) != NULL)
		{
			seqguard_written_extreme(rel, get_attnum(relid, w->feed->attname),
									 w->feed->typid, seq->increment > 0,
									 seq->next_value, cid, &mine);
			relation_close(rel, NoLock);
		}
		UnlockRelationOid(relid, AccessShareLock);
	}
	*value = mine.value;
	return mine.has_value;
}

/*
 * Act on what the statement wrote, as seqguard.mode says.  One sequence
 * can appear in several Written entries (several tables, partitions).
 * cid is the statement's command id.
 */
static void
act(List *written, Oid extnsp, CommandId cid)
{
	char	   *fixfn = quote_qualified_identifier(get_namespace_name(extnsp),
												   "fix_sequence");
	ListCell   *lc;

	foreach(lc, written)
	{
		Written    *w = lfirst(lc);
		SeqState	seq;
		int64		target;
		int64		tmin,
					tmax;
		int64		written_value;
		const char *why;

		if (!w->extreme.has_value)
			continue;
		if (seqguard_read_sequence(w->feed->seqid, 0, &seq) != NULL)
			continue;
		if (!seq.next_valid || seqguard_past(&seq, seq.next_value, w->extreme.value))
			continue;			/* the sequence is already ahead */

		/*
		 * warn and error speak of the statement's own values only: the
		 * column may have been out of sync before it ran.
		 */
		if ((seqguard_mode == GUARD_WARN || seqguard_mode == GUARD_ERROR) &&
			statement_wrote_past(w, &seq, cid, &written_value))
			ereport(seqguard_mode == GUARD_ERROR ? ERROR : WARNING,
					(errcode(ERRCODE_INTEGRITY_CONSTRAINT_VIOLATION),
					 errmsg("value %lld written into column \"%s\" of table \"%s.%s\" is at or past the next value %lld of sequence \"%s.%s\"",
							(long long) written_value,
							w->feed->attname, w->feed->nspname, w->feed->relname,
							(long long) seq.next_value,
							w->feed->seqnspname, w->feed->seqname),
					 errhint("Repair with: SELECT * FROM %s(%s, %s);", fixfn,
							 quote_literal_cstr(quote_qualified_identifier(w->feed->nspname,
																		   w->feed->relname)),
							 quote_literal_cstr(w->feed->attname))));
		if (seqguard_mode != GUARD_FIX)
			continue;

		seqguard_type_limits(w->feed->typid, &tmin, &tmax);
		if (!seqguard_grid_value_past(&seq, w->extreme.value, &target) ||
			target > Min(seq.maxv, tmax) || target < Max(seq.minv, tmin))
		{
			ereport(WARNING,
					(errcode(ERRCODE_SEQUENCE_GENERATOR_LIMIT_EXCEEDED),
					 errmsg("sequence \"%s.%s\" cannot be moved past %lld, the value written into column \"%s\" of table \"%s.%s\"",
							w->feed->seqnspname, w->feed->seqname,
							(long long) w->extreme.value, w->feed->attname,
							w->feed->nspname, w->feed->relname),
					 errhint("Widen the sequence with ALTER SEQUENCE ... AS bigint and the column with ALTER TABLE ... ALTER COLUMN ... TYPE bigint.")));
			continue;
		}
		/* waits for the sequence lock as nextval() would; never backwards */
		(void) seqguard_move_sequence(w->feed->seqid, target, true, 0, false, &seq, &why);
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

/* record feed for probing in every written relation of a ModifyTable */
static List *
plan_writes(ModifyTable *mt, EState *estate, List *written)
{
	ListCell   *lc;

	foreach(lc, mt->resultRelations)
	{
		Index		rti = lfirst_int(lc);
		Oid			relid = exec_rt_fetch(rti, estate)->relid;
		ResultRelInfo *rri = estate->es_result_relations ?
			estate->es_result_relations[rti - 1] : NULL;
		GuardRel   *gr = guard_lookup(relid);
		ListCell   *fc;

		foreach(fc, gr->feeds)
		{
			SeqFeed    *feed = lfirst(fc);

			if (writes_own_value(mt, foreach_current_index(lc), rri, feed))
			{
				Written    *w = palloc0(sizeof(Written));

				w->feed = feed;
				written = lappend(written, w);
			}
		}
	}
	return written;
}

/*
 * After the executor has run a statement (AFTER triggers included), check
 * what its ModifyTable nodes wrote.  Data-modifying CTEs are the top node
 * of a subplan.
 */
static void
guard_ExecutorFinish(QueryDesc *queryDesc)
{
	PlannedStmt *stmt = queryDesc->plannedstmt;

	if (prev_ExecutorFinish)
		prev_ExecutorFinish(queryDesc);
	else
		standard_ExecutorFinish(queryDesc);

	if (!guard_armed || seqguard_mode == GUARD_OFF ||
		(stmt->commandType == CMD_SELECT && !stmt->hasModifyingCTE) ||
		stmt->commandType == CMD_DELETE || stmt->commandType == CMD_UTILITY ||
		!IsTransactionState())
		return;

	{
		EState	   *estate = queryDesc->estate;
		List	   *written = NIL;
		Oid			extnsp;
		ListCell   *lc;

		guard_cache_refresh();
		if (IsA(stmt->planTree, ModifyTable))
			written = plan_writes((ModifyTable *) stmt->planTree, estate, written);
		foreach(lc, stmt->subplans)
		{
			Plan	   *plan = lfirst(lc);

			if (plan && IsA(plan, ModifyTable))
				written = plan_writes((ModifyTable *) plan, estate, written);
		}
		if (written == NIL || !OidIsValid(extnsp = extension_schema()))
			return;

		/* probe every relation the statement opened or routed rows to */
		foreach(lc, written)
		{
			Written    *w = lfirst(lc);
			List	   *rris = list_concat(list_copy(estate->es_opened_result_relations),
										   estate->es_tuple_routing_result_relations);
			ListCell   *rc;

			foreach(rc, rris)
			{
				ResultRelInfo *rri = lfirst(rc);
				Relation	rel = rri->ri_RelationDesc;

				if (!RELKIND_HAS_STORAGE(rel->rd_rel->relkind))
					continue;
				if (list_member_oid(seqguard_lineage(RelationGetRelid(rel)),
									w->feed->relid))
					probe_written(rel, w);
			}
		}
		act(written, extnsp, estate->es_output_cid);
	}
}

/*
 * COPY FROM writes rows without a plan: check its target after it ran.
 * A column left out of the column list takes its default.
 */
static void
guard_ProcessUtility(PlannedStmt *pstmt, const char *queryString,
					 bool readOnlyTree, ProcessUtilityContext context,
					 ParamListInfo params, QueryEnvironment *queryEnv,
					 DestReceiver *dest, QueryCompletion *qc)
{
	Node	   *parsetree = pstmt->utilityStmt;
	CommandId	cid = GetCurrentCommandId(false);

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

	if (guard_armed && seqguard_mode != GUARD_OFF && IsA(parsetree, CopyStmt) &&
		((CopyStmt *) parsetree)->is_from &&
		((CopyStmt *) parsetree)->relation != NULL &&
		IsTransactionState())
	{
		CopyStmt   *copy = (CopyStmt *) parsetree;
		Oid			relid = RangeVarGetRelid(copy->relation, NoLock, true);
		List	   *written = NIL;
		Oid			extnsp;
		Relation	rel;
		ListCell   *lc;

		if (!OidIsValid(relid))
			return;
		guard_cache_refresh();
		foreach(lc, guard_lookup(relid)->feeds)
		{
			SeqFeed    *feed = lfirst(lc);
			ListCell   *ac;
			bool		listed = (copy->attlist == NIL);

			foreach(ac, copy->attlist)
				listed |= strcmp(strVal(lfirst(ac)), feed->attname) == 0;
			if (listed)
			{
				Written    *w = palloc0(sizeof(Written));

				w->feed = feed;
				written = lappend(written, w);
			}
		}
		if (written == NIL || !OidIsValid(extnsp = extension_schema()))
			return;

		/* COPY holds RowExclusiveLock on its target until commit */
		rel = relation_open(relid, NoLock);
		foreach(lc, written)
			probe_written(rel, lfirst(lc));
		relation_close(rel, NoLock);
		act(written, extnsp, cid);
	}
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
}
