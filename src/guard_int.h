/*-------------------------------------------------------------------------
 *
 * guard_int.h
 *	  What the guard's files share, and nothing outside them uses.
 *
 *	  guard.c			the hooks, which sessions are guarded, and the
 *						error-safe frame every piece of work runs in
 *	  guard_cache.c		which columns of a relation are sequence-fed,
 *						cached per backend, and its invalidation
 *	  guard_plan.c		which columns a planned statement can have
 *						written values of its own into
 *	  guard_trigger.c	which BEFORE ROW triggers may set a column
 *	  guard_utility.c	the same for COPY FROM and for DDL that brings
 *						rows under a sequence
 *	  guard_act.c		reading what was written, and acting on the
 *						sequences
 *	  guard_msg.c		what the guard says, once per transaction
 *	  guard_replica.c	the same for the rows a logical-replication
 *						worker writes
 *
 * Copyright (c) 2026, seqguard developers
 *
 * src/guard_int.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SEQGUARD_GUARD_INT_H
#define SEQGUARD_GUARD_INT_H

#include "executor/execdesc.h"
#include "nodes/parsenodes.h"
#include "tcop/utility.h"
#include "utils/relcache.h"

#include "catalog.h"
#include "probe.h"
#include "seqstate.h"

/* guard.c: hooks of this module currently running in this backend */
extern int	guard_depth;
extern void guard_run(void (*fn) (void *), void *arg);

/* guard_cache.c */
extern void guard_cache_init(void);
extern void guard_cache_refresh(void);
extern List *guard_feeds(Oid relid);
extern bool guard_cached_feeds(Oid relid, List **feeds);

/*
 * One column that a statement may have written values of its own into:
 * of a relation it wrote, open and locked by it (rel), or, after DDL that
 * brought rows under a sequence, of every member of a tree (root), whose
 * every row counts.  The column's number is feed->attnum in rel (root).
 */
typedef struct Target
{
	Relation	rel;
	struct ResultRelInfo *rri;	/* rel's, where the executor has one: its
								 * open indexes are read */
	Oid			root;
	const SeqFeed *feed;
	bool		maybe;			/* the plan shows the sequence's own values:
								 * only a BEFORE ROW trigger can have changed
								 * them */
} Target;

/* the values a statement's plan shows it wrote for one sequence */
typedef struct KnownValues
{
	Oid			seqid;
	int			nvalues;		/* not counting NULLs and the sequence's own */
	int			space;
	int64	   *values;
} KnownValues;

/* what a statement did to one sequence's columns */
typedef struct SeqWork
{
	Oid			seqid;
	List	   *targets;		/* readable Targets */
	const Target *unreadable;	/* a column whose values cannot be read */
	const char *unread_reason;	/* why a tree could not be read */
	bool		identity;		/* the sequence is an identity column's own */
	int64		tmin;			/* the narrowest column type's limits */
	int64		tmax;
	int			mode;			/* seqguard.mode, as it applies here */
} SeqWork;

/* guard_act.c */
extern void guard_add_target(List **targets, Relation rel,
							 struct ResultRelInfo *rri, const SeqFeed *feed,
							 bool maybe);
extern void guard_add_targets(List **targets, struct ResultRelInfo *rri,
							  List *seqids, int16 events);
extern void guard_act(List *targets, List *known, CommandId cid, int mode);

/* guard_msg.c: what the guard says, and why */
typedef enum GuardWhy
{
	GUARD_NO_RIGHT,				/* no privilege at all on the sequence */
	GUARD_FOREIGN,				/* a foreign table's rows */
	GUARD_TYPE,					/* a type not comparable with a sequence's */
	GUARD_NO_INDEX,				/* no btree index leads with the column */
	GUARD_TREE,					/* a member of a tree could not be read */
	GUARD_SEQ_LOCKED,			/* the sequence could not be read or moved */
	GUARD_NO_NEXTVAL,			/* the role may not call nextval() */
	GUARD_READ_ONLY				/* a read-only transaction */
} GuardWhy;

extern void guard_msg_init(void);
extern bool guard_extension_created(void);
extern void guard_cannot_check(const SeqWork *work, const Target *t, GuardWhy why,
							   const char *reason);
extern void guard_not_moved(const SeqWork *work, const Target *t, GuardWhy why,
							const char *reason);
extern void guard_report_written(const SeqWork *work, const Target *t,
								 const SeqState *seq,
								 const ColumnExtreme *own, bool ddl,
								 int64 limit);
extern void guard_moved(const SeqWork *work, const Target *t,
						const SeqState *before,
						const ColumnExtreme *own, int64 limit,
						int64 lo, int64 hi);
extern void guard_sentinel(const SeqWork *work, const Target *t,
						   const SeqState *seq, const ColumnExtreme *own,
						   int64 lo, int64 hi);

/* guard_replica.c */
extern void guard_replica_init(void);

/* guard_trigger.c */
extern bool guard_triggers_may_set(Oid relid, int16 event, const char *attname);

/* guard_plan.c: arg is the QueryDesc of a finished statement */
extern void guard_statement(void *arg);
extern bool guard_statement_may_write(QueryDesc *queryDesc);

/* guard_utility.c: what a utility statement asks of the guard */
typedef struct UtilityWork
{
	Node	   *parsetree;
	ProcessUtilityContext context;
	CommandId	cid;			/* a COPY's command id */
	Oid			relid;			/* a COPY's target, resolved before it ran */
} UtilityWork;

extern void guard_utility(void *arg);

#endif							/* SEQGUARD_GUARD_INT_H */
