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
 *	  guard_utility.c	the same for COPY FROM and for DDL that brings
 *						rows under a sequence
 *	  guard_act.c		reading what was written, acting on the
 *						sequences, and the messages
 *
 * Copyright (c) 2026, seqguard developers
 *
 * src/guard_int.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SEQGUARD_GUARD_INT_H
#define SEQGUARD_GUARD_INT_H

#include "nodes/parsenodes.h"
#include "tcop/utility.h"
#include "utils/relcache.h"

#include "catalog.h"

/* guard.c: hooks of this module currently running in this backend */
extern int	guard_depth;

/* guard_cache.c */
extern void guard_cache_init(void);
extern void guard_cache_refresh(void);
extern List *guard_feeds(Oid relid);

/*
 * One column of one relation that a statement may have written values of
 * its own into; the relation is open and locked by the statement.
 */
typedef struct Target
{
	Relation	rel;
	const SeqFeed *feed;
} Target;

/* guard_act.c */
extern void guard_add_target(List **targets, Relation rel, const SeqFeed *feed);
extern void guard_add_targets(List **targets, Relation rel, List *seqids, bool every);
extern void guard_act(List *targets, CommandId cid);

/* guard_plan.c: arg is the QueryDesc of a finished statement */
extern void guard_statement(void *arg);

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
