/*-------------------------------------------------------------------------
 *
 * guard_msg.c
 *	  What the guard says: that it could not check or did not move a
 *	  sequence and why, that a statement wrote values past a sequence
 *	  (warn and error modes), that a move used up much of a sequence's
 *	  range, and that a sentinel was passed over.
 *
 * A message names the table, the column and the sequence, and shows a
 * sequence's next value only to a role that may read the sequence; the
 * values it shows are the statement's own, never those of rows the role
 * may not see.  In error mode an ERROR fails the statement; otherwise a
 * WARNING is given once per transaction for each kind of message and
 * column, and the repeats are counted and summed up in one WARNING before
 * the transaction commits, so that a row-by-row loader is not drowned in
 * them.
 *
 * Copyright (c) 2026, seqguard developers
 *
 * src/guard_msg.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/indexing.h"
#include "catalog/pg_extension.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/inval.h"
#include "utils/rel.h"
#include "utils/syscache.h"

#include "guard_int.h"
#include "range.h"
#include "seqguard.h"

/* a move that uses up this share of the range a sequence had left is told */
#define LARGE_MOVE_SHARE 0.1

/* the kinds of WARNING given once per transaction and column */
typedef enum SaidKind
{
	SAID_CANNOT_CHECK,
	SAID_NOT_MOVED,
	SAID_WRITTEN,
	SAID_LARGE_MOVE,
	SAID_SENTINEL
} SaidKind;

/* a WARNING given in this transaction, and how often it was held back */
typedef struct Said
{
	SaidKind	kind;
	Oid			relid;
	AttrNumber	attnum;
	Oid			seqid;
	int64		repeats;
	char	   *what;			/* for the summary: column, table, sequence */
} Said;

/* in TopTransactionContext; emptied at the end of every transaction */
static List *said = NIL;

/*
 * The schema the extension is created in (InvalidOid: not created), as
 * guard_extension_created() last found it; it stays known until a pg_proc
 * row changes, as CREATE, DROP and ALTER EXTENSION change the extension's
 * functions.
 */
static Oid	extension_nsp = InvalidOid;
static bool extension_known = false;
static uint64 proc_invals = 0;

/* a message's names: schema.table and schema.sequence, quoted by the message */
static char *
rel_label(Relation rel)
{
	return psprintf("%s.%s", get_namespace_name(RelationGetNamespace(rel)),
					RelationGetRelationName(rel));
}

static char *
target_label(const Target *t)
{
	if (t->rel != NULL)
		return rel_label(t->rel);
	return psprintf("%s.%s", get_namespace_name(get_rel_namespace(t->root)),
					get_rel_name(t->root));
}

static char *
seq_label(Oid seqid)
{
	return psprintf("%s.%s", get_namespace_name(get_rel_namespace(seqid)),
					get_rel_name(seqid));
}

/* the statement that repairs the column: fix_sequence('schema.table', 'column') */
static char *
repair_statement(const Target *t)
{
	Oid			relid = t->rel ? RelationGetRelid(t->rel) : t->root;

	return psprintf("SELECT * FROM %s(%s, %s);",
					quote_qualified_identifier(get_namespace_name(extension_nsp), "fix_sequence"),
					quote_literal_cstr(quote_qualified_identifier(get_namespace_name(get_rel_namespace(relid)),
																  get_rel_name(relid))),
					quote_literal_cstr(t->feed->attname));
}

/* A pg_proc row changed: the extension may have been created or dropped. */
static void
guard_proc_callback(Datum arg, int cacheid, uint32 hashvalue)
{
	proc_invals++;
	extension_known = false;
}

/*
 * Is the extension created in this database?  The guard does nothing
 * where it is not.  Only asked once a statement may have written values
 * of its own, so ordinary statements never pay for it, and remembered.
 */
bool
guard_extension_created(void)
{
	Relation	rel;
	SysScanDesc scan;
	ScanKeyData key;
	HeapTuple	tuple;
	uint64		invals = proc_invals;

	if (extension_known)
		return OidIsValid(extension_nsp);
	extension_nsp = InvalidOid;
	rel = table_open(ExtensionRelationId, AccessShareLock);
	ScanKeyInit(&key, Anum_pg_extension_extname, BTEqualStrategyNumber,
				F_NAMEEQ, CStringGetDatum("seqguard"));
	scan = systable_beginscan(rel, ExtensionNameIndexId, true, NULL, 1, &key);
	if ((tuple = systable_getnext(scan)) != NULL)
		extension_nsp = ((Form_pg_extension) GETSTRUCT(tuple))->extnamespace;
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	/* not remembered when an invalidation arrived while it was read */
	extension_known = invals == proc_invals;
	return OidIsValid(extension_nsp);
}

/*
 * Should a WARNING of this kind for this column be given now?  The first
 * one in a transaction is; later ones are counted for the summary.
 */
static bool
first_time(SaidKind kind, const SeqWork *work, const Target *t)
{
	Oid			relid = t->rel ? RelationGetRelid(t->rel) : t->root;
	MemoryContext old;
	ListCell   *lc;
	Said	   *s;

	foreach(lc, said)
	{
		s = lfirst(lc);
		if (s->kind == kind && s->relid == relid && s->attnum == t->feed->attnum &&
			s->seqid == work->seqid)
		{
			s->repeats++;
			return false;
		}
	}
	old = MemoryContextSwitchTo(TopTransactionContext);
	s = palloc0(sizeof(Said));
	s->kind = kind;
	s->relid = relid;
	s->attnum = t->feed->attnum;
	s->seqid = work->seqid;
	s->what = psprintf("column \"%s\" of table \"%s\" and sequence \"%s\"",
					   t->feed->attname, target_label(t), seq_label(work->seqid));
	said = lappend(said, s);
	MemoryContextSwitchTo(old);
	return true;
}

/*
 * Before a transaction commits, one WARNING for each message that was held
 * back, saying how often; at its end, forget them all.
 */
static void
guard_msg_xact_callback(XactEvent event, void *arg)
{
	ListCell   *lc;

	if (event == XACT_EVENT_PRE_COMMIT || event == XACT_EVENT_PRE_PREPARE)
	{
		foreach(lc, said)
		{
			Said	   *s = lfirst(lc);

			if (s->repeats > 0)
				ereport(WARNING,
						(errmsg_plural("seqguard held back %lld more WARNING like the first one in this transaction for %s",
									   "seqguard held back %lld more WARNINGs like the first one in this transaction for %s",
									   s->repeats, (long long) s->repeats, s->what)));
		}
	}
	else if (event == XACT_EVENT_COMMIT || event == XACT_EVENT_ABORT ||
			 event == XACT_EVENT_PREPARE || event == XACT_EVENT_PARALLEL_COMMIT ||
			 event == XACT_EVENT_PARALLEL_ABORT)
		said = NIL;
}

/*
 * The guard's messages need the end of every transaction, and the
 * extension's schema the changes of pg_proc.
 */
void
guard_msg_init(void)
{
	RegisterXactCallback(guard_msg_xact_callback, NULL);
	CacheRegisterSyscacheCallback(PROCOID, guard_proc_callback, (Datum) 0);
}

/*
 * The guard could not do its part for a column: a WARNING, or in error
 * mode an ERROR, which fails the statement (fail closed).  reason is a
 * clause from the reader that failed, where there is one.
 */
void
guard_cannot_check(const SeqWork *work, const Target *t, GuardWhy why, const char *reason)
{
	int			elevel = work->mode == GUARD_ERROR ? ERROR : WARNING;
	char	   *col = t->feed->attname;
	char	   *rel = target_label(t);
	char	   *seq = seq_label(work->seqid);

	if (elevel == WARNING && !first_time(SAID_CANNOT_CHECK, work, t))
		return;
	switch (why)
	{
		case GUARD_NO_RIGHT:
			ereport(elevel,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("seqguard cannot check the values written into column \"%s\" of table \"%s\" against sequence \"%s\"",
							col, rel, seq),
					 errdetail("The role has no privilege on the sequence."),
					 errhint("Grant USAGE on the sequence, or have its owner run: %s",
							 repair_statement(t))));
			break;
		case GUARD_FOREIGN:
			ereport(elevel,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("seqguard cannot check the values written into column \"%s\" of table \"%s\" against sequence \"%s\"",
							col, rel, seq),
					 errdetail("The rows of a foreign table are not read.")));
			break;
		case GUARD_TYPE:
			ereport(elevel,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("seqguard cannot check the values written into column \"%s\" of table \"%s\" against sequence \"%s\"",
							col, rel, seq),
					 errdetail("Values of type %s cannot be compared with a sequence's.",
							   format_type_be(t->feed->typid))));
			break;
		case GUARD_NO_INDEX:
			ereport(elevel,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("seqguard cannot check the values written into column \"%s\" of table \"%s\" against sequence \"%s\"",
							col, rel, seq),
					 errdetail("No btree index leads with the column, and the guard does not scan tables."),
					 errhint("Create one, such as: CREATE INDEX ON %s (%s);",
							 quote_qualified_identifier(get_namespace_name(RelationGetNamespace(t->rel)),
														RelationGetRelationName(t->rel)),
							 quote_identifier(col))));
			break;
		case GUARD_TREE:
			ereport(elevel,
					(errcode(ERRCODE_LOCK_NOT_AVAILABLE),
					 errmsg("seqguard cannot check the rows of column \"%s\" of table \"%s\" against sequence \"%s\"",
							col, rel, seq),
					 errdetail("The rows could not all be read: %s.", reason)));
			break;
		case GUARD_SEQ_LOCKED:
			ereport(elevel,
					(errcode(ERRCODE_LOCK_NOT_AVAILABLE),
					 errmsg("seqguard cannot check the values written into column \"%s\" of table \"%s\" against sequence \"%s\"",
							col, rel, seq),
					 errdetail("The sequence could not be read: %s.", reason)));
			break;
		default:
			elog(ERROR, "unexpected reason %d", (int) why);
	}
}

/* A WARNING that the guard left a sequence where it was, and why. */
void
guard_not_moved(const SeqWork *work, const Target *t, GuardWhy why, const char *reason)
{
	char	   *col = t->feed->attname;
	char	   *rel = target_label(t);
	char	   *seq = seq_label(work->seqid);

	if (!first_time(SAID_NOT_MOVED, work, t))
		return;
	switch (why)
	{
		case GUARD_NO_NEXTVAL:
			ereport(WARNING,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("seqguard did not move sequence \"%s\" past the values written into column \"%s\" of table \"%s\"",
							seq, col, rel),
					 errdetail("The role may not call nextval() on the sequence."),
					 errhint("Have the sequence's owner run: %s", repair_statement(t))));
			break;
		case GUARD_READ_ONLY:
			ereport(WARNING,
					(errcode(ERRCODE_READ_ONLY_SQL_TRANSACTION),
					 errmsg("seqguard did not move sequence \"%s\" past the values written into column \"%s\" of table \"%s\"",
							seq, col, rel),
					 errdetail("A read-only transaction cannot change a permanent sequence.")));
			break;
		case GUARD_SEQ_LOCKED:
			ereport(WARNING,
					(errcode(ERRCODE_LOCK_NOT_AVAILABLE),
					 errmsg("seqguard did not move sequence \"%s\" past the values written into column \"%s\" of table \"%s\"",
							seq, col, rel),
					 errdetail("The sequence could not be moved: %s.", reason)));
			break;
		default:
			elog(ERROR, "unexpected reason %d", (int) why);
	}
}

/*
 * warn and error: a value at or past the next one was written (or, after
 * DDL, is now fed by the sequence).  The next value is shown only to a
 * role that may read the sequence.  In error mode the statement is rolled
 * back, so the hint says what lets the rows through: moving the sequence
 * past them first.
 */
void
guard_report_written(const SeqWork *work, const Target *t, const SeqState *seq,
					 const ColumnExtreme *own, bool ddl, int64 limit)
{
	int			elevel = work->mode == GUARD_ERROR ? ERROR : WARNING;
	bool		show_next = pg_class_aclmask(work->seqid, GetUserId(), ACL_SELECT | ACL_USAGE,
											 ACLMASK_ANY) != 0;
	char	   *col = t->feed->attname;
	char	   *rel = target_label(t);
	char	   *seqname = seq_label(work->seqid);
	char	   *hint;
	long long	value = (long long) own->value;

	if (elevel == WARNING && !first_time(SAID_WRITTEN, work, t))
		return;
	if (elevel == WARNING)
		hint = psprintf("Repair with: %s", repair_statement(t));
	else if (own->out_of_range || seqguard_past(seq, own->value, limit))
		hint = psprintf("Values within the last %lld of the sequence's usable range are taken as sentinels, which error mode does not accept; use ids well inside the range.",
						(long long) seqguard_end_margin(Max(seq->minv, work->tmin),
														Min(seq->maxv, work->tmax)));
	else
		hint = psprintf("The statement was rolled back. To write these ids, first move the sequence past them: SELECT setval(%s, %lld);",
						quote_literal_cstr(quote_qualified_identifier(get_namespace_name(get_rel_namespace(work->seqid)),
																	  get_rel_name(work->seqid))),
						value);

	if (own->out_of_range)
		ereport(elevel,
				(errcode(ERRCODE_INTEGRITY_CONSTRAINT_VIOLATION),
				 ddl ?
				 errmsg("column \"%s\" of table \"%s\" holds a value beyond the range of bigint, past the next value of sequence \"%s\" that now feeds it",
						col, rel, seqname) :
				 errmsg("a value beyond the range of bigint written into column \"%s\" of table \"%s\" is past the next value of sequence \"%s\"",
						col, rel, seqname),
				 errhint("%s", hint)));
	else if (ddl && show_next)
		ereport(elevel,
				(errcode(ERRCODE_INTEGRITY_CONSTRAINT_VIOLATION),
				 errmsg("column \"%s\" of table \"%s\" holds value %lld, at or past the next value %lld of sequence \"%s\" that now feeds it",
						col, rel, value, (long long) seq->next_value, seqname),
				 errhint("%s", hint)));
	else if (ddl)
		ereport(elevel,
				(errcode(ERRCODE_INTEGRITY_CONSTRAINT_VIOLATION),
				 errmsg("column \"%s\" of table \"%s\" holds value %lld, at or past the next value of sequence \"%s\" that now feeds it",
						col, rel, value, seqname),
				 errhint("%s", hint)));
	else if (show_next)
		ereport(elevel,
				(errcode(ERRCODE_INTEGRITY_CONSTRAINT_VIOLATION),
				 errmsg("value %lld written into column \"%s\" of table \"%s\" is at or past the next value %lld of sequence \"%s\"",
						value, col, rel, (long long) seq->next_value, seqname),
				 errhint("%s", hint)));
	else
		ereport(elevel,
				(errcode(ERRCODE_INTEGRITY_CONSTRAINT_VIOLATION),
				 errmsg("value %lld written into column \"%s\" of table \"%s\" is at or past the next value of sequence \"%s\"",
						value, col, rel, seqname),
				 errhint("%s", hint)));
}

/*
 * fix: the sequence was moved past what the statement wrote.  A move that
 * the statement's own values made use up a large share of the range the
 * sequence had left is told: a WARNING to the role, with its own value
 * only, and a line in the server log naming the role.  (Where the move
 * went further, past rows the role may not see, nothing is said of them.)
 */
void
guard_moved(const SeqWork *work, const Target *t, const SeqState *before,
			const ColumnExtreme *own, int64 limit, int64 lo, int64 hi)
{
	double		left;
	double		share;
	bool		asc = before->increment > 0;

	if (!own->has_value || !before->next_valid || seqguard_past(before, own->value, limit))
		return;
	left = asc ? (double) hi - (double) before->next_value + 1.0 :
		(double) before->next_value - (double) lo + 1.0;
	share = (asc ? (double) own->value - (double) before->next_value + 1.0 :
			 (double) before->next_value - (double) own->value + 1.0) / left;
	if (share < LARGE_MOVE_SHARE)
		return;
	ereport(LOG,
			(errmsg("seqguard: role \"%s\" moved sequence \"%s\" past %lld by writing into column \"%s\" of table \"%s\", using up %.1f%% of the range it had left",
					GetUserNameFromId(GetUserId(), false), seq_label(work->seqid),
					(long long) own->value, t->feed->attname, target_label(t),
					share * 100.0),
			 errhidestmt(false)));
	if (!first_time(SAID_LARGE_MOVE, work, t))
		return;
	ereport(WARNING,
			(errcode(ERRCODE_WARNING),
			 errmsg("seqguard moved sequence \"%s\" past %lld, the value written into column \"%s\" of table \"%s\", using up %.1f%% of the range it had left",
					seq_label(work->seqid), (long long) own->value, t->feed->attname,
					target_label(t), share * 100.0),
			 errdetail("Like nextval(), the move stays even if the transaction is rolled back.")));
}

/*
 * fix: the statement wrote a value within the margin at the end of the
 * sequence's usable range (a sentinel such as 2147483647), which the
 * guard never moves the sequence to; it was moved past the statement's
 * other values, if any.
 */
void
guard_sentinel(const SeqWork *work, const Target *t, const SeqState *seq,
			   const ColumnExtreme *own, int64 lo, int64 hi)
{
	if (!first_time(SAID_SENTINEL, work, t))
		return;
	if (own->out_of_range)
		ereport(WARNING,
				(errcode(ERRCODE_SEQUENCE_GENERATOR_LIMIT_EXCEEDED),
				 errmsg("seqguard did not move sequence \"%s\" past a value beyond the range of bigint written into column \"%s\" of table \"%s\"",
						seq_label(work->seqid), t->feed->attname, target_label(t)),
				 errhint("Use ids well inside the range.")));
	else
		ereport(WARNING,
				(errcode(ERRCODE_SEQUENCE_GENERATOR_LIMIT_EXCEEDED),
				 errmsg("seqguard did not move sequence \"%s\" past %lld, the value written into column \"%s\" of table \"%s\"",
						seq_label(work->seqid), (long long) own->value, t->feed->attname,
						target_label(t)),
				 errdetail("Values within %lld of the end of its usable range, %lld, are taken as sentinels, not ids.",
						   (long long) seqguard_end_margin(lo, hi),
						   (long long) (seq->increment > 0 ? hi : lo)),
				 errhint("Use ids well inside the range, or widen it: check_sequence_health() gives the statements.")));
}
