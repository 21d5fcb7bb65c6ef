/*-------------------------------------------------------------------------
 *
 * seqguard.h
 *	  Declarations shared by the files of seqguard: the (column, sequence)
 *	  pairs found in the catalog, a column's extreme value, a sequence's
 *	  state, and the settings.
 *
 * Copyright (c) 2026, seqguard developers
 *
 * src/seqguard.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SEQGUARD_H
#define SEQGUARD_H

#include "access/attnum.h"
#include "nodes/parsenodes.h"
#include "nodes/pg_list.h"
#include "utils/array.h"
#include "utils/relcache.h"

/* settings (seqguard.c) */
extern double seqguard_exhaustion_threshold;

typedef enum GuardMode
{
	GUARD_OFF,
	GUARD_WARN,
	GUARD_FIX,
	GUARD_ERROR
} GuardMode;

extern int	seqguard_mode;

/* guard.c */
extern void seqguard_guard_init(void);

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
 * partition tree (catalog.c).  Names are those of the root table.
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
	Oid			nspid;			/* the table's schema */
	char	   *nspname;
	char	   *relname;
	char	   *attname;
	char	   *seqnspname;
	char	   *seqname;
} SeqFeed;

extern List *seqguard_find_feeds(List *nspids);
extern List *seqguard_schema_list(ArrayType *schemas);
extern List *seqguard_lineage(Oid relid);
extern List *seqguard_feeds_of(Oid relid, List **watch);
extern bool seqguard_is_integer_type(Oid typid);
extern const char *seqguard_kind_name(FeedKind kind);

/*
 * The largest value of a column over its whole tree (the smallest, for a
 * descending sequence), read by probe.c.  When the column cannot be read,
 * skip_reason says why and no value is set.
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

extern bool seqguard_probe_supported(Oid typid);
extern void seqguard_close_transient(Relation rel);
extern void seqguard_append_unseen(struct StringInfoData *buf, List *unseen);
extern void seqguard_column_extreme(const SeqFeed *feed, bool want_max,
									ColumnExtreme *result);
extern void seqguard_probe_relation(Relation rel, AttrNumber attnum, Oid typid,
									bool want_max, ColumnExtreme *result);
extern void seqguard_written_extreme(Relation rel, AttrNumber attnum, Oid typid,
									 bool want_max, int64 from, CommandId cid,
									 ColumnExtreme *result);

/*
 * A sequence's definition and position (seqstate.c).
 */
typedef struct SeqState
{
	Oid			seqid;
	Oid			typid;
	int64		start;
	int64		increment;
	int64		maxv;
	int64		minv;
	int64		cache;
	bool		cycle;
	int64		last_value;
	bool		is_called;
	bool		next_valid;		/* false: the next nextval() fails */
	int64		next_value;
} SeqState;

/* how a sequence is opened: without waiting for its lock; read once only */
#define SEQ_NOWAIT		0x01
#define SEQ_TRANSIENT	0x02

extern const char *seqguard_read_sequence(Oid seqid, AclMode needed,
										  int flags, SeqState *state);
extern bool seqguard_move_sequence(Oid seqid, int64 target, bool forward_only,
								   AclMode needed, int flags,
								   SeqState *before, const char **why);
extern bool seqguard_grid_value_past(const SeqState *seq, int64 m,
									 int64 *result);
extern bool seqguard_past(const SeqState *seq, int64 a, int64 b);
extern void seqguard_type_limits(Oid typid, int64 *min, int64 *max);

#endif							/* SEQGUARD_H */
