/*-------------------------------------------------------------------------
 *
 * probe.h
 *	  Reading a sequence-fed column's extreme value (probe.c).
 *
 * Copyright (c) 2026, seqguard developers
 *
 * src/probe.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SEQGUARD_PROBE_H
#define SEQGUARD_PROBE_H

#include "lib/stringinfo.h"
#include "utils/relcache.h"

#include "catalog.h"

/*
 * The largest value of a column over its whole tree (the smallest, for a
 * descending sequence).  When the column cannot be read, skip_reason says
 * why and no value is set.
 */
typedef struct ColumnExtreme
{
	const char *skip_reason;
	bool		gone;			/* the table was dropped meanwhile */
	bool		has_value;		/* false: no value that counts anywhere */
	int64		value;
	bool		out_of_range;	/* a value past the range of bigint */
	bool		scanned;		/* some member had no usable btree index */
	bool		no_index;		/* index_only, and some relation had none */
	List	   *unseen;			/* names of members that are other sessions'
								 * temporary tables, which cannot be read */
} ColumnExtreme;

/*
 * What one probe looks for: the largest value (the smallest, unless
 * want_max) of a column, among the values at or past "from" (when
 * bounded) and not past "limit" (when limited: values past it, such as
 * sentinels near the end of a range, are passed over), in the rows
 * written by commands from cid on (every row: InvalidCommandId).
 */
typedef struct ProbeSpec
{
	AttrNumber	attnum;
	Oid			typid;			/* base type of the column */
	bool		want_max;
	bool		bounded;
	int64		from;
	bool		limited;
	int64		limit;
	CommandId	cid;
	bool		index_only;		/* never scan the table; see no_index */
	bool		transient;		/* drop the relcache entries read */
	Relation   *indexes;		/* the relation's indexes, open and locked by
								 * the statement, or NULL to open them here */
	int			nindexes;
} ProbeSpec;

extern void seqguard_probe(Relation rel, const ProbeSpec *spec,
						   ColumnExtreme *result);
extern void seqguard_column_extreme(const SeqFeed *feed, const ProbeSpec *spec,
									ColumnExtreme *result);
extern void seqguard_tree_extreme(Oid root, AttrNumber attnum,
								  const ProbeSpec *spec, ColumnExtreme *result);
extern void seqguard_append_unseen(StringInfo buf, List *unseen);

#endif							/* SEQGUARD_PROBE_H */
