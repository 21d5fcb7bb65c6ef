/*-------------------------------------------------------------------------
 *
 * transient.c
 *	  Relations that the check and the repair open to read once.
 *
 * Copyright (c) 2026, seqguard developers
 *
 * src/transient.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/relation.h"
#include "utils/inval.h"
#include "utils/rel.h"
#include "utils/relcache.h"

#include "transient.h"

/*
 * Close a relation that the check or the repair opened to read once, and
 * drop its relcache entry unless it is open elsewhere, as an invalidation
 * of it would.  Otherwise a session that checks 100,000 tables keeps a
 * relcache entry for every table, index and sequence it read, well over a
 * gigabyte, until it ends.  A relation created or rewritten in the current
 * transaction keeps its entry (it is rebuilt instead).
 */
void
seqguard_close_transient(Relation rel)
{
	Oid			relid = RelationGetRelid(rel);
	bool		last = rel->rd_refcnt == 1;

	relation_close(rel, NoLock);
	if (last)
		RelationCacheInvalidateEntry(relid);
}
