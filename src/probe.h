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
	List	   *unseen;			/* names of members that are other sessions'
								 * temporary tables, which cannot be read */
} ColumnExtreme;

extern void seqguard_column_extreme(const SeqFeed *feed, bool want_max,
									ColumnExtreme *result);
extern void seqguard_probe_relation(Relation rel, AttrNumber attnum, Oid typid,
									bool want_max, ColumnExtreme *result);
extern void seqguard_written_extreme(Relation rel, AttrNumber attnum, Oid typid,
									 bool want_max, int64 from, CommandId cid,
									 ColumnExtreme *result);
extern void seqguard_append_unseen(StringInfo buf, List *unseen);

#endif							/* SEQGUARD_PROBE_H */
