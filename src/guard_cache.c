/*-------------------------------------------------------------------------
 *
 * guard_cache.c
 *	  The guard's cache: for each relation written to, its sequence-fed
 *	  columns, read from the catalog once and kept until an invalidation of
 *	  anything the answer depends on (the relation, its ancestors, its
 *	  sequences, any pg_sequence row, the domains of its columns, any
 *	  function, which may be one of its triggers').  An
 *	  entry enters the cache only when complete, and the cache is never
 *	  dropped while a hook further up the stack may still use it.
 *
 * Copyright (c) 2026, seqguard developers
 *
 * src/guard_cache.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_trigger.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/memutils.h"
#include "utils/syscache.h"

#include "guard_int.h"

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

/*
 * The syscache hash values of the domains that the cached relations'
 * columns are of: ALTER DOMAIN ... SET DEFAULT changes which columns are
 * sequence-fed without invalidating any relation.
 */
static List *guard_domains = NIL;

/*
 * The last relation looked up by guard_cached_feeds() and its feeds, valid
 * while the cache is not dropped: a loop of statements on one table costs
 * one comparison each.
 */
static Oid	last_relid = InvalidOid;
static List *last_feeds = NIL;

/* set by invalidation callbacks; the cache is dropped at the next hook */
static bool guard_stale = false;

/* counts every invalidation, so that a lookup can tell one arrived while it read */
static uint64 guard_invals = 0;

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
guard_sequence_callback(Datum arg, int cacheid, uint32 hashvalue)
{
	guard_invals++;
	guard_stale = true;
}

/*
 * A pg_proc row changed: a trigger function's source may be new
 * (guard_trigger.c).
 */
static void
guard_proc_callback(Datum arg, int cacheid, uint32 hashvalue)
{
	guard_invals++;
	guard_stale = true;
}

/* A pg_type row changed: stale if it is one of the domains watched. */
static void
guard_type_callback(Datum arg, int cacheid, uint32 hashvalue)
{
	guard_invals++;
	if (hashvalue == 0 || list_member_int(guard_domains, (int) hashvalue))
		guard_stale = true;
}

/*
 * Drop the cache if an invalidation said so, unless a hook further up the
 * stack may still hold feeds from it.
 */
void
guard_cache_refresh(void)
{
	if (guard_depth > 1)
		return;
	if (guard_stale && guard_rels != NULL)
	{
		hash_destroy(guard_rels);
		guard_rels = NULL;
		guard_domains = NIL;
		last_relid = InvalidOid;
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
List *
guard_feeds(Oid relid)
{
	GuardRel   *entry = hash_search(guard_rels, &relid, HASH_FIND, NULL);
	uint64		invals = guard_invals;
	List	   *watch;
	List	   *domains;
	List	   *feeds;
	List	   *copy = NIL;
	MemoryContext old;
	ListCell   *lc;

	if (entry != NULL && !entry->watch_only)
		return entry->feeds;

	feeds = seqguard_feeds_of(relid, &watch, &domains);
	foreach(lc, feeds)
	{
		SeqFeed    *f = lfirst(lc);

		f->trig_insert = guard_triggers_may_set(relid, TRIGGER_TYPE_INSERT, f->attname);
		f->trig_update = guard_triggers_may_set(relid, TRIGGER_TYPE_UPDATE, f->attname);
	}
	/* complete, but perhaps older than an invalidation: used once */
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
	foreach(lc, domains)
	{
		int			hash = (int) GetSysCacheHashValue1(TYPEOID,
													   ObjectIdGetDatum(lfirst_oid(lc)));

		if (!list_member_int(guard_domains, hash))
			guard_domains = lappend_int(guard_domains, hash);
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
 * The sequence-fed columns of a relation if the cache has them and nothing
 * has made it stale; false otherwise, and then nothing has been done.
 */
bool
guard_cached_feeds(Oid relid, List **feeds)
{
	GuardRel   *entry;

	if (guard_stale || guard_rels == NULL)
		return false;
	if (relid == last_relid)
	{
		*feeds = last_feeds;
		return true;
	}
	entry = hash_search(guard_rels, &relid, HASH_FIND, NULL);
	if (entry == NULL || entry->watch_only)
		return false;
	last_relid = relid;
	last_feeds = entry->feeds;
	*feeds = entry->feeds;
	return true;
}

/* Register the invalidation callbacks the cache depends on. */
void
guard_cache_init(void)
{
	CacheRegisterRelcacheCallback(guard_relcache_callback, (Datum) 0);
	CacheRegisterSyscacheCallback(SEQRELID, guard_sequence_callback, (Datum) 0);
	CacheRegisterSyscacheCallback(TYPEOID, guard_type_callback, (Datum) 0);
	CacheRegisterSyscacheCallback(PROCOID, guard_proc_callback, (Datum) 0);
}
