/*-------------------------------------------------------------------------
 *
 * guard.c
 *	  The guard's hooks: after a statement writes values of its own into
 *	  a sequence-fed column, keep the sequence ahead of them.
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
 * This file holds the hooks, which sessions are guarded, and the frame
 * every piece of the guard's work runs in; guard_int.h lists the rest.
 *
 * Copyright (c) 2026, seqguard developers
 *
 * src/guard.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/namespace.h"
#include "executor/executor.h"
#include "miscadmin.h"
#include "tcop/pquery.h"
#include "tcop/utility.h"
#include "utils/memutils.h"
#include "utils/varlena.h"

#include "guard.h"
#include "guard_int.h"
#include "seqguard.h"

/*
 * The guard acts only in sessions that asked for it, by preloading the
 * library or by LOAD (seqguard_active, shown by the read-only setting
 * seqguard.active).  The library is also loaded, without being asked for,
 * by CREATE EXTENSION (which validates its C functions) and by the first
 * call of one of its functions; such sessions are not guarded, so that
 * the guard never depends on which functions a session happened to call.
 */

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

/* hooks of this module currently running in this backend */
int			guard_depth = 0;

/*
 * Run fn(arg) as the guard: in a memory context of its own, emptied when
 * it returns (a SQL function's statements would otherwise pile the
 * guard's allocations up in the caller's context until its query ends),
 * and keeping the nesting depth right when it fails, so that the cache is
 * refreshed only where nothing uses it.  The outermost call reuses one
 * context, which costs nothing to empty when the statement needed no work.
 */
void
guard_run(void (*fn) (void *), void *arg)
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

static void
guard_ExecutorFinish(QueryDesc *queryDesc)
{
	PlannedStmt *stmt = queryDesc->plannedstmt;

	if (prev_ExecutorFinish)
		prev_ExecutorFinish(queryDesc);
	else
		standard_ExecutorFinish(queryDesc);

	if (seqguard_active && seqguard_mode != GUARD_OFF && IsTransactionState() &&
		(stmt->commandType == CMD_INSERT || stmt->commandType == CMD_UPDATE ||
		 stmt->commandType == CMD_MERGE || stmt->hasModifyingCTE) &&
		guard_statement_may_write(queryDesc))
		guard_run(guard_statement, queryDesc);
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
	if (copy_from && seqguard_active)
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
		seqguard_active = true;

	if (!seqguard_active || seqguard_mode == GUARD_OFF || !IsTransactionState())
		return;
	if (copy_from || IsA(parsetree, AlterTableStmt) || IsA(parsetree, AlterSeqStmt) ||
		IsA(parsetree, CreateSeqStmt) || IsA(parsetree, AlterDomainStmt))
		guard_run(guard_utility, &uw);
}

/*
 * Install the hooks, and arm the guard if this is a load that asks for it.
 * The hooks are installed on every load, so that a later LOAD in a session
 * where the library was loaded implicitly can still arm it.
 */
void
seqguard_guard_init(void)
{
	seqguard_active = process_shared_preload_libraries_in_progress ||
		listed_in(session_preload_libraries_string) ||
		listed_in(local_preload_libraries_string) ||
		loading_by_load();

	prev_ExecutorFinish = ExecutorFinish_hook;
	ExecutorFinish_hook = guard_ExecutorFinish;
	prev_ProcessUtility = ProcessUtility_hook;
	ProcessUtility_hook = guard_ProcessUtility;
	guard_cache_init();
	guard_msg_init();
	guard_replica_init();
}
