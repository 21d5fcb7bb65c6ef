/*-------------------------------------------------------------------------
 *
 * catalog.h
 *	  Which columns are fed by which sequence (catalog.c).
 *
 * Copyright (c) 2026, seqguard developers
 *
 * src/catalog.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SEQGUARD_CATALOG_H
#define SEQGUARD_CATALOG_H

#include "access/attnum.h"
#include "nodes/nodes.h"
#include "nodes/pg_list.h"

/* how a column is fed by its sequence */
typedef enum FeedKind
{
	FEED_IDENTITY,				/* GENERATED ... AS IDENTITY */
	FEED_OWNED,					/* serial, or OWNED BY the column */
	FEED_DEFAULT,				/* DEFAULT nextval() of a sequence it does not own */
	FEED_DOMAIN					/* the same, as its domain's default */
} FeedKind;

/*
 * One sequence-fed column, folded into the root of its inheritance or
 * partition tree.  Names are those of the root table.
 */
typedef struct SeqFeed
{
	Oid			relid;			/* root table */
	AttrNumber	attnum;			/* column in the root table */
	Oid			seqid;
	FeedKind	kind;
	char		relkind;
	Oid			typid;			/* base type of the column */
	char		generated;		/* attgenerated: a stored generated column */
	bool		derived;		/* its default computes a value from nextval()
								 * (an offset, text): not the sequence's values */
	bool		untrusted;		/* the table's owner may not draw from the
								 * sequence, so its values must not steer it */
	Oid			owner;			/* the owner of the table that declares it */
	bool		trig_insert;	/* the guard's cache: a BEFORE ROW INSERT */
	bool		trig_update;	/* (UPDATE) trigger may set the column */
	Oid			nspid;			/* the table's schema */
	char	   *nspname;
	char	   *relname;
	char	   *attname;
	char	   *seqnspname;
	char	   *seqname;
} SeqFeed;

extern List *seqguard_find_feeds(List *nspids);
extern List *seqguard_feeds_of(Oid relid, List **watch, List **domains);
extern Oid	seqguard_nextval_of(Node *expr);
extern List *seqguard_lineage(Oid relid);
extern const char *seqguard_kind_name(FeedKind kind);

#endif							/* SEQGUARD_CATALOG_H */
