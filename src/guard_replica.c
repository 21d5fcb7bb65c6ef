/*-------------------------------------------------------------------------
 *
 * guard_replica.c
 *	  The guard on a logical-replication subscriber.
 *
 * The rows that the apply, parallel apply and table-sync workers of
 * built-in logical replication (and pglogical's apply workers) write pass
 * through neither the executor's hooks nor ProcessUtility.  What does run
 * in those workers is the end of each transaction: before a worker
 * commits (or prepares) one, the guard looks for the tables it wrote,
 * which are those of the subscription (or, for pglogical, those with a
 * sequence-fed column) that it holds RowExclusiveLock on, reads the rows
 * that the transaction wrote there at each column's index endpoint, and
 * moves the sequences past them, as it does for a statement.  So a
 * caught-up subscriber's sequences are ahead of every replicated row, and
 * it can take writes the moment the application is pointed at it.
 * Nothing is attached to the user's tables.  The guard uses the rights of
 * the role the rows were written as: from 16 on, each table's owner unless
 * the subscription runs as its owner.
 *
 * Nothing the guard does may stop replication: an error in the apply
 * worker makes it retry the same transaction forever.  So the work runs in
 * a subtransaction whose error becomes a WARNING, and error mode acts as
 * warn there (the server log says so once per worker).
 *
 * On PostgreSQL 19, the sequence-sync worker of a subscription with
 * published sequences copies the publisher's positions, which may be
 * behind the rows replicated here; before it commits, each sequence it
 * set is moved forward past the columns it feeds, as fix_sequence() would.
 *
 * Copyright (c) 2026, seqguard developers
 *
 * src/guard_replica.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/relation.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/pg_class.h"
#include "catalog/pg_inherits.h"
#include "catalog/pg_subscription_rel.h"
#include "miscadmin.h"
#include "postmaster/bgworker.h"
#include "replication/logicalworker.h"
#include "replication/worker_internal.h"
#include "storage/lmgr.h"
#include "utils/fmgroids.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/resowner.h"
#include "utils/syscache.h"

#include "compat.h"
#include "fix.h"
#include "guard_int.h"
#include "seqguard.h"

/*
 * The relations whose locks tell which tables (and, on 19, sequences) a
 * worker's transaction wrote: every member with storage of the
 * subscription's tables, or of the trees with a sequence-fed column.
 * Built once per worker, rebuilt after any relation or subscription change.
 */
static List *watched_tables = NIL;
static List *watched_sequences = NIL;
static bool watched_valid = false;
static MemoryContext watched_cxt = NULL;

/* error mode acting as warn has been logged in this worker */
static bool error_mode_noted = false;

static void
watched_invalidate(Datum arg, Oid relid)
{
	watched_valid = false;
}

static void
watched_syscache_invalidate(Datum arg, int cacheid, uint32 hashvalue)
{
	watched_valid = false;
}

/* Is this process a pglogical apply worker? */
static bool
is_pglogical_worker(void)
{
	return MyBgworkerEntry != NULL &&
		strcmp(MyBgworkerEntry->bgw_library_name, "pglogical") == 0 &&
		strncmp(MyBgworkerEntry->bgw_function_name, "pglogical_apply", 15) == 0;
}

/* add relid and, for a table with children, each member with storage */
static void
watch_tree(Oid relid, List **list)
{
	ListCell   *lc;

	foreach(lc, find_all_inheritors(relid, NoLock, NULL))
	{
		Oid			member = lfirst_oid(lc);
		char		relkind = get_rel_relkind(member);

		if (relkind == RELKIND_RELATION)
			*list = list_append_unique_oid(*list, member);
	}
}

/*
 * Fill the watched lists: for built-in logical replication, the relations
 * of pg_subscription_rel of this worker's subscription; for pglogical, the
 * trees with a sequence-fed column (its replication sets live in tables of
 * its own, which the guard does not read).
 */
static void
watched_build(void)
{
	MemoryContext old;

	if (watched_cxt == NULL)
	{
		watched_cxt = AllocSetContextCreate(TopMemoryContext, "seqguard replica",
											ALLOCSET_SMALL_SIZES);
		CacheRegisterRelcacheCallback(watched_invalidate, (Datum) 0);
		CacheRegisterSyscacheCallback(SUBSCRIPTIONRELMAP, watched_syscache_invalidate, (Datum) 0);
	}
	MemoryContextReset(watched_cxt);
	watched_tables = NIL;
	watched_sequences = NIL;
	watched_valid = true;		/* an invalidation while building clears it */

	old = MemoryContextSwitchTo(watched_cxt);
	if (IsLogicalWorker())
	{
		Relation	rel = table_open(SubscriptionRelRelationId, AccessShareLock);
		ScanKeyData key;
		SysScanDesc scan;
		HeapTuple	tuple;

		ScanKeyInit(&key, Anum_pg_subscription_rel_srsubid, BTEqualStrategyNumber,
					F_OIDEQ, ObjectIdGetDatum(MySubscription->oid));
		scan = systable_beginscan(rel, InvalidOid, false, NULL, 1, &key);
		while (HeapTupleIsValid(tuple = systable_getnext(scan)))
		{
			Oid			relid = ((Form_pg_subscription_rel) GETSTRUCT(tuple))->srrelid;

			if (get_rel_relkind(relid) == RELKIND_SEQUENCE)
				watched_sequences = lappend_oid(watched_sequences, relid);
			else
				watch_tree(relid, &watched_tables);
		}
		systable_endscan(scan);
		table_close(rel, AccessShareLock);
	}
	else
	{
		ListCell   *lc;

		foreach(lc, seqguard_find_feeds(NIL))
			watch_tree(((SeqFeed *) lfirst(lc))->relid, &watched_tables);
	}
	MemoryContextSwitchTo(old);
}

/* the watched relations this transaction holds at least lockmode on */
static List *
locked_by_me(List *relids, LOCKMODE lockmode)
{
	List	   *result = NIL;
	ListCell   *lc;

	foreach(lc, relids)
		if (CheckRelationOidLockedByMe(lfirst_oid(lc), lockmode, true))
			result = lappend_oid(result, lfirst_oid(lc));
	return result;
}

/*
 * The role whose rights the guard uses for rows a worker wrote into a
 * relation owned by owner: the one the worker wrote them as.  From 16 on,
 * that is the relation's owner unless the subscription runs as its owner;
 * before, and for pglogical, the worker's own role (the subscription's
 * owner).
 */
static Oid
writer_role(Oid owner)
{
	if (IsLogicalWorker() && MySubscription != NULL &&
		!seqguard_subscription_runs_as_owner(MySubscription))
		return owner;
	return GetUserId();
}

/* call fn(arg) with role's rights; an error restores them with the subtransaction */
static void
as_role(Oid role, void (*fn) (void *), void *arg)
{
	Oid			save_userid;
	int			save_sec_context;

	GetUserIdAndSecContext(&save_userid, &save_sec_context);
	if (role != save_userid)
		SetUserIdAndSecContext(role, save_sec_context | SECURITY_LOCAL_USERID_CHANGE |
							   SECURITY_RESTRICTED_OPERATION);
	fn(arg);
	SetUserIdAndSecContext(save_userid, save_sec_context);
}

typedef struct TablesWork
{
	List	   *targets;
	int			mode;
} TablesWork;

static void
act_tables(void *arg)
{
	TablesWork *tw = arg;

	guard_act(tw->targets, NIL, FirstCommandId, tw->mode);
}

static void
fix_forward(void *arg)
{
	seqguard_fix_forward(*(Oid *) arg);
}

/* what a replicated transaction asks of the guard */
typedef struct ReplicaWork
{
	List	   *tables;
	List	   *sequences;
} ReplicaWork;

/*
 * The guard's part before a replicated transaction commits: every row it
 * wrote into the tables counts, as a statement's rows do; error mode acts
 * as warn.  Then, the sequences that a sequence-sync worker set.
 */
static void
replica_work(void *arg)
{
	ReplicaWork *rw = arg;
	List	   *targets = NIL;
	List	   *rels = NIL;
	ListCell   *lc;
	int			mode = seqguard_mode == GUARD_ERROR ? GUARD_WARN : seqguard_mode;

	if (seqguard_mode == GUARD_ERROR && !error_mode_noted)
	{
		ereport(LOG,
				(errmsg("seqguard: seqguard.mode is error, which acts as warn in this replication worker"),
				 errdetail("An error would make the worker retry the same transaction forever.")));
		error_mode_noted = true;
	}

	/* one pass per role the rows were written as, the tables' owners first */
	while (rw->tables != NIL)
	{
		List	   *rest = NIL;
		Oid			role = InvalidOid;

		foreach(lc, rw->tables)
		{
			Relation	rel = try_relation_open(lfirst_oid(lc), NoLock);
			ListCell   *fc;

			if (rel == NULL)
				continue;
			if (!OidIsValid(role))
				role = writer_role(rel->rd_rel->relowner);
			if (writer_role(rel->rd_rel->relowner) != role)
			{
				rest = lappend_oid(rest, RelationGetRelid(rel));
				relation_close(rel, NoLock);
				continue;
			}
			rels = lappend(rels, rel);
			foreach(fc, guard_feeds(RelationGetRelid(rel)))
				guard_add_target(&targets, rel, NULL, lfirst(fc), false);
		}
		if (targets != NIL)
		{
			TablesWork	tw = {targets, mode};

			as_role(role, act_tables, &tw);
		}
		foreach(lc, rels)
			relation_close(lfirst(lc), NoLock);
		targets = rels = NIL;
		rw->tables = rest;
	}

	if (mode == GUARD_FIX && seqguard_is_sequencesync_worker())
		foreach(lc, rw->sequences)
		{
			Oid			seqid = lfirst_oid(lc);
			HeapTuple	tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(seqid));
			Oid			owner;

			if (!HeapTupleIsValid(tuple))
				continue;
			owner = ((Form_pg_class) GETSTRUCT(tuple))->relowner;
			ReleaseSysCache(tuple);
			as_role(writer_role(owner), fix_forward, &seqid);
		}
}

/*
 * Before a replication worker commits or prepares a transaction.  Cheap
 * when the transaction wrote none of the watched tables: one look-up in
 * the transaction's own lock table per watched relation.
 */
static void
guard_replica_xact_callback(XactEvent event, void *arg)
{
	ReplicaWork rw;
	MemoryContext oldcxt = CurrentMemoryContext;
	ResourceOwner oldowner = CurrentResourceOwner;

	if ((event != XACT_EVENT_PRE_COMMIT && event != XACT_EVENT_PRE_PREPARE) ||
		!seqguard_active || seqguard_mode == GUARD_OFF ||
		!(IsLogicalWorker() || is_pglogical_worker()) ||
		!IsTransactionState() || XactReadOnly)
		return;

	/* a worker's first transactions run before it knows its subscription */
	if (IsLogicalWorker() && MySubscription == NULL)
		return;
	if (!watched_valid)
		watched_build();
	rw.tables = locked_by_me(watched_tables, RowExclusiveLock);
	rw.sequences = seqguard_is_sequencesync_worker() ?
		locked_by_me(watched_sequences, AccessShareLock) : NIL;
	if (rw.tables == NIL && rw.sequences == NIL)
		return;

	/* nothing here may fail the worker's transaction */
	BeginInternalSubTransaction(NULL);
	PG_TRY();
	{
		if (guard_extension_created())
			guard_run(replica_work, &rw);
		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcxt);
		CurrentResourceOwner = oldowner;
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(oldcxt);
		edata = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcxt);
		CurrentResourceOwner = oldowner;
		ereport(WARNING,
				(errmsg("seqguard could not keep the sequences of a replicated transaction ahead of its rows: %s",
						edata->message)));
		FreeErrorData(edata);
	}
	PG_END_TRY();
}

/* Register the end-of-transaction callback for replication workers. */
void
guard_replica_init(void)
{
	RegisterXactCallback(guard_replica_xact_callback, NULL);
}
