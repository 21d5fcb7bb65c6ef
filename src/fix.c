/*-------------------------------------------------------------------------
 *
 * fix.c
 *	  fix_all_sequences() and fix_sequence(): move each sequence past every
 *	  value in every column it feeds.
 *
 * A sequence is judged against all the columns it feeds, in every table,
 * so that a shared sequence is moved once, past the largest of them.  The
 * target keeps the sequence's own step pattern (START + k * INCREMENT),
 * and the move itself is seqguard_move_sequence()'s atomic compare-and-set,
 * so a concurrent nextval() can never be undone.
 *
 * Copyright (c) 2026, seqguard developers
 *
 * src/fix.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "common/int.h"
#include "fmgr.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "tcop/utility.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/syscache.h"
#include "utils/tuplestore.h"

#include "advice.h"
#include "catalog.h"
#include "fix.h"
#include "probe.h"
#include "range.h"
#include "seqstate.h"
#include "sqlfunc.h"

PG_FUNCTION_INFO_V1(fix_all_sequences);
PG_FUNCTION_INFO_V1(fix_sequence);

/* one row of output */
typedef struct FixRow
{
	const char *action;			/* NULL: in order, no row */
	bool		has_old;
	int64		old_next;
	bool		has_new;
	int64		new_next;
	char	   *detail;
} FixRow;

static void
append_covers(StringInfo buf, List *feeds)
{
	ListCell   *lc;

	appendStringInfoString(buf, "Covers ");
	foreach(lc, feeds)
	{
		SeqFeed    *f = lfirst(lc);

		appendStringInfo(buf, "%s%s.%s", foreach_current_index(lc) ? ", " : "",
						 quote_qualified_identifier(f->nspname, f->relname),
						 quote_identifier(f->attname));
	}
	appendStringInfoChar(buf, '.');
}

/*
 * The extreme over every column a sequence is judged by (feeds), read as
 * the caller may read them, values past limit passed over when limited.
 * Columns of other sessions' temporary tables cannot be read: their names
 * go to *unseen.  Returns NULL, or why the sequence cannot be judged;
 * *judged receives the columns read.
 */
static char *
feeds_extreme(List *feeds, const SeqState *seq, bool limited, int64 limit,
			  bool *has_value, int64 *value, List **judged, List **unseen)
{
	ProbeSpec	spec = {0};
	ListCell   *lc;

	spec.want_max = seq->increment > 0;
	spec.limited = limited;
	spec.limit = limit;
	spec.cid = InvalidCommandId;
	*has_value = false;
	*judged = NIL;
	*unseen = NIL;
	foreach(lc, feeds)
	{
		SeqFeed    *f = lfirst(lc);
		ColumnExtreme col;

		spec.typid = f->typid;
		seqguard_column_extreme(f, &spec, &col);
		if (col.gone)
			continue;
		*unseen = list_concat(*unseen, col.unseen);
		if (col.skip_reason && isOtherTempNamespace(f->nspid))
			continue;			/* noted as not seen; it cannot be read */
		*judged = lappend(*judged, f);
		if (col.skip_reason)
			return psprintf("%s (%s.%s)", col.skip_reason,
							quote_qualified_identifier(f->nspname, f->relname),
							quote_identifier(f->attname));
		if (col.has_value && (!*has_value || seqguard_past(seq, col.value, *value)))
			*value = col.value;
		*has_value |= col.has_value;
	}
	return NULL;
}

/*
 * Decide, and unless dry_run do, what one sequence needs.  feeds are the
 * columns it is judged by.  The dry run takes the same decisions on the
 * same numbers; only the move itself, made under the sequence's buffer
 * lock, can find that another session moved the sequence meanwhile.
 *
 * Values in the margin at the end of the usable range are sentinels
 * (seqguard_ordinary_limit()): when the largest value is one, the
 * sequence is moved past the largest of the others, as the check judges
 * it, unless the sequence has got there itself.
 */
static void
fix_one(Oid seqid, List *feeds, const AdviceNames *names, bool dry_run,
		bool allow_backward, FixRow *row)
{
	SeqState	seq;
	SeqState	before;
	StringInfoData detail;
	const char *why;
	ListCell   *lc;
	List	   *judged = NIL;
	List	   *unseen = NIL;
	bool		has_max;
	int64		m = 0;
	int64		all_m;
	int64		lo,
				hi,
				limit;
	int64		target;
	bool		reset;
	bool		sentinel = false;

	memset(row, 0, sizeof(FixRow));
	initStringInfo(&detail);

	/* the same privilege setval() needs, also for a dry run */
	if ((why = seqguard_read_sequence(seqid, ACL_UPDATE, SEQ_NOWAIT | SEQ_TRANSIENT, &seq)) != NULL)
	{
		if (!SearchSysCacheExists1(RELOID, ObjectIdGetDatum(seqid)))
			return;				/* dropped meanwhile */
		judged = feeds;
		goto skip;
	}

	lo = seq.minv;
	hi = seq.maxv;
	foreach(lc, feeds)
	{
		SeqFeed    *f = lfirst(lc);
		int64		tmin,
					tmax;

		if (!seqguard_type_comparable(f->typid))
		{
			why = psprintf("column %s.%s is of type %s, whose values cannot be compared with the sequence's",
						   quote_qualified_identifier(f->nspname, f->relname),
						   quote_identifier(f->attname), format_type_be(f->typid));
			judged = feeds;
			goto skip;
		}
		seqguard_type_limits(f->typid, &tmin, &tmax);
		lo = Max(lo, tmin);
		hi = Min(hi, tmax);
	}

	if ((why = feeds_extreme(feeds, &seq, false, 0, &has_max, &m, &judged, &unseen)) != NULL)
		goto skip;
	if (judged == NIL)
	{
		if (unseen == NIL)
			return;				/* every table it feeds was dropped meanwhile */
		why = "every table it feeds is a temporary table of another session";
		goto skip;
	}
	all_m = m;
	if (has_max && seqguard_ordinary_limit(&seq, lo, hi, &limit) &&
		seqguard_past(&seq, m, limit))
	{
		sentinel = true;
		if ((why = feeds_extreme(feeds, &seq, true, limit, &has_max, &m, &judged, &unseen)) != NULL)
			goto skip;
	}

	row->has_old = seq.next_valid;
	row->old_next = seq.next_value;

	if (!has_max)
	{
		/* every table it feeds is empty (or holds sentinels only) */
		if (!allow_backward || (seq.next_valid && seq.next_value == seq.start))
			return;
		target = seq.start;
		reset = true;
	}
	else
	{
		bool		grid = seqguard_grid_value_past(&seq, m, &target);
		bool		fits = grid && target >= lo && target <= hi;
		bool		behind = seq.next_valid && !seqguard_past(&seq, seq.next_value, m);

		if (behind && !fits)
		{
			SeqFeed    *first = linitial(judged);

			row->has_old = false;
			row->action = "skipped";
			if (!grid)
			{
				appendStringInfo(&detail, "Not moved: no value past %lld is left in the range of bigint. ",
								 (long long) m);
				append_covers(&detail, judged);
			}
			else
			{
				appendStringInfo(&detail,
								 seq.increment > 0 ?
								 "Not moved: no value past %lld is left below the limit %lld, so the range must be widened first. Repair with:" :
								 "Not moved: no value past %lld is left above the limit %lld, so the range must be widened first. Repair with:",
								 (long long) m, (long long) (seq.increment > 0 ? hi : lo));
				(void) seqguard_append_widening(&detail, names, &seq, target, judged);
				appendStringInfo(&detail, " %s ", seqguard_fix_call(names, first));
				append_covers(&detail, judged);
			}
			seqguard_append_unseen(&detail, unseen);
			row->detail = detail.data;
			return;
		}
		if (behind)
			reset = false;
		else if (allow_backward && fits &&
				 !(seq.next_valid && seq.next_value == target))
			reset = true;
		else
			return;				/* in order */
	}

	if (!dry_run)
	{
		if (!seqguard_move_sequence(seqid, target, !reset, ACL_UPDATE,
									SEQ_NOWAIT | SEQ_TRANSIENT,
									&before, &why))
		{
			if (why)
				goto skip;
			return;				/* another session moved it far enough */
		}
		row->has_old = before.next_valid;
		row->old_next = before.next_value;
	}

	row->action = reset ? (dry_run ? "would_reset" : "reset") :
		(dry_run ? "would_advance" : "advanced");
	row->has_new = true;
	row->new_next = target;
	if (has_max)
		appendStringInfo(&detail,
						 seq.increment > 0 ? "The largest value in the columns it feeds is %lld. " :
						 "The smallest value in the columns it feeds is %lld. ",
						 (long long) m);
	else if (sentinel)
		appendStringInfoString(&detail, "The tables it feeds hold sentinels only. ");
	else
		appendStringInfoString(&detail, "Every table it feeds is empty. ");
	if (sentinel)
		appendStringInfo(&detail,
						 "%lld, within the last %lld values of its usable range, is taken as a sentinel and left past it. ",
						 (long long) all_m, (long long) seqguard_end_margin(lo, hi));
	append_covers(&detail, judged);
	seqguard_append_unseen(&detail, unseen);
	row->detail = detail.data;
	return;

skip:
	row->action = "skipped";
	row->has_old = false;
	appendStringInfo(&detail, "Not moved: %s. ", why);
	append_covers(&detail, judged);
	seqguard_append_unseen(&detail, unseen);
	row->detail = detail.data;
}

/*
 * Move one sequence forward past every column it feeds, as fix_sequence()
 * would, for the guard on a subscriber after a sequence sync set it (see
 * guard_replica.c).  A sequence that cannot be judged or moved is left as
 * it is; a move is logged.
 */
void
seqguard_fix_forward(Oid seqid)
{
	static const AdviceNames log_names = {"fix_sequence", NULL};
	List	   *feeds = NIL;
	FixRow		row;
	ListCell   *lc;

	foreach(lc, seqguard_find_feeds(NIL))
	{
		SeqFeed    *f = lfirst(lc);

		if (f->seqid == seqid && !f->derived && !f->untrusted)
			feeds = lappend(feeds, f);
	}
	if (feeds == NIL)
		return;
	fix_one(seqid, feeds, &log_names, false, false, &row);
	if (row.action != NULL && strcmp(row.action, "advanced") == 0)
		ereport(LOG,
				(errmsg("seqguard: moved sequence \"%s\" forward from %lld to %lld, past the rows of the columns it feeds",
						get_rel_name(seqid), (long long) row.old_next, (long long) row.new_next)));
}

/* the columns one sequence feeds, and whether it is to be fixed */
typedef struct SeqGroup
{
	Oid			seqid;			/* hash key */
	bool		chosen;
	List	   *feeds;
} SeqGroup;

static int
group_cmp_names(const ListCell *a, const ListCell *b)
{
	const SeqFeed *fa = linitial(((SeqGroup *) lfirst(a))->feeds);
	const SeqFeed *fb = linitial(((SeqGroup *) lfirst(b))->feeds);
	int			c = strcmp(fa->seqnspname, fb->seqnspname);

	return c ? c : strcmp(fa->seqname, fb->seqname);
}

/*
 * Fix every sequence that feeds at least one of the columns in all for
 * which chosen() is true, each judged against every column of all that it
 * feeds, and emit a row for each that was acted on, would be, or was
 * skipped.  Columns are grouped by sequence in a hash table, so the work
 * is linear in the number of columns.
 */
static void
fix_sequences(FunctionCallInfo fcinfo, List *all,
			  bool (*chosen) (const SeqFeed *, void *), void *arg,
			  bool dry_run, bool allow_backward)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	HTAB	   *bysequence;
	HASHCTL		ctl;
	HASH_SEQ_STATUS status;
	SeqGroup   *g;
	List	   *groups = NIL;
	MemoryContext rowcxt;
	AdviceNames names;
	ListCell   *lc;

	seqguard_advice_names(fcinfo, &names);
	if (!dry_run)
	{
		PreventCommandIfReadOnly(get_func_name(fcinfo->flinfo->fn_oid));
		PreventCommandIfParallelMode(get_func_name(fcinfo->flinfo->fn_oid));
	}

	ctl.keysize = sizeof(Oid);
	ctl.entrysize = sizeof(SeqGroup);
	ctl.hcxt = CurrentMemoryContext;
	bysequence = hash_create("seqguard sequences to fix", 1024, &ctl,
							 HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	foreach(lc, all)
	{
		SeqFeed    *f = lfirst(lc);
		bool		found;

		if (f->derived || f->untrusted)
			continue;			/* not the sequence's values, or not trusted */
		g = hash_search(bysequence, &f->seqid, HASH_ENTER, &found);
		if (!found)
		{
			g->chosen = false;
			g->feeds = NIL;
		}
		g->feeds = lappend(g->feeds, f);
		g->chosen |= chosen(f, arg);
	}
	hash_seq_init(&status, bysequence);
	while ((g = hash_seq_search(&status)) != NULL)
		if (g->chosen)
			groups = lappend(groups, g);
	list_sort(groups, group_cmp_names);

	rowcxt = AllocSetContextCreate(CurrentMemoryContext, "seqguard fix row",
								   ALLOCSET_DEFAULT_SIZES);
	foreach(lc, groups)
	{
		SeqGroup   *group = lfirst(lc);
		SeqFeed    *first = linitial(group->feeds);
		MemoryContext old = MemoryContextSwitchTo(rowcxt);
		FixRow		row;
		Datum		values[6];
		bool		nulls[6] = {0};

		CHECK_FOR_INTERRUPTS();
		fix_one(group->seqid, group->feeds, &names, dry_run, allow_backward, &row);
		if (row.action)
		{
			values[0] = DirectFunctionCall1(namein, CStringGetDatum(first->seqnspname));
			values[1] = DirectFunctionCall1(namein, CStringGetDatum(first->seqname));
			values[2] = Int64GetDatum(row.old_next);
			nulls[2] = !row.has_old;
			values[3] = Int64GetDatum(row.new_next);
			nulls[3] = !row.has_new;
			values[4] = CStringGetTextDatum(row.action);
			values[5] = CStringGetTextDatum(row.detail);
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		}
		MemoryContextSwitchTo(old);
		MemoryContextReset(rowcxt);
	}
	MemoryContextDelete(rowcxt);
	hash_destroy(bysequence);
}

/* fix_all_sequences() chooses the columns of tables in some schemas */
static bool
in_schemas(const SeqFeed *f, void *arg)
{
	List	   *nspids = arg;

	return nspids == NIL || list_member_oid(nspids, f->nspid);
}

/* fix_sequence() chooses the columns of one tree, or one of its columns */
typedef struct TableChoice
{
	List	   *lineage;
	const char *colname;
} TableChoice;

static bool
in_table(const SeqFeed *f, void *arg)
{
	TableChoice *tc = arg;

	return list_member_oid(tc->lineage, f->relid) &&
		(tc->colname == NULL || strcmp(tc->colname, f->attname) == 0);
}

/*
 * fix_all_sequences(dry_run boolean, schemas name[], allow_backward boolean)
 */
Datum
fix_all_sequences(PG_FUNCTION_ARGS)
{
	bool		dry_run = seqguard_bool_arg(fcinfo, 0, "dry_run");
	List	   *nspids = seqguard_schemas_arg(fcinfo, 1);
	bool		allow_backward = seqguard_bool_arg(fcinfo, 2, "allow_backward");

	InitMaterializedSRF(fcinfo, 0);
	fix_sequences(fcinfo, seqguard_find_feeds(NIL), in_schemas, nspids,
				  dry_run, allow_backward);
	return (Datum) 0;
}

/*
 * fix_sequence(tbl regclass, column_name name, dry_run boolean,
 *				allow_backward boolean)
 *
 * The sequences that feed one table (or one of its columns), found through
 * the root of its tree, since that is where a partition's columns are
 * recorded.
 */
Datum
fix_sequence(PG_FUNCTION_ARGS)
{
	Oid			relid;
	char	   *colname = PG_ARGISNULL(1) ? NULL : NameStr(*PG_GETARG_NAME(1));
	bool		dry_run = seqguard_bool_arg(fcinfo, 2, "dry_run");
	bool		allow_backward = seqguard_bool_arg(fcinfo, 3, "allow_backward");
	char		relkind;
	char	   *relname;
	List	   *all;
	TableChoice tc;
	bool		any = false;
	SeqFeed    *unjudged = NULL;
	ListCell   *lc;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("tbl must not be NULL")));
	relid = PG_GETARG_OID(0);
	relname = get_rel_name(relid);
	if (relname == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation with OID %u does not exist", relid)));
	relkind = get_rel_relkind(relid);
	if (relkind != RELKIND_RELATION && relkind != RELKIND_PARTITIONED_TABLE &&
		relkind != RELKIND_FOREIGN_TABLE)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("\"%s\" is not a table", relname)));
	if (colname && get_attnum(relid, colname) == InvalidAttrNumber)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("column \"%s\" of relation \"%s\" does not exist",
						colname, relname)));

	InitMaterializedSRF(fcinfo, 0);
	tc.lineage = seqguard_lineage(relid);
	tc.colname = colname;
	all = seqguard_find_feeds(NIL);
	foreach(lc, all)
	{
		SeqFeed    *f = lfirst(lc);

		if (!in_table(f, &tc))
			continue;
		if (!f->derived && !f->untrusted)
			any = true;
		else if (unjudged == NULL)
			unjudged = f;
	}
	if (!any)
	{
		char	   *why = NULL;

		if (unjudged != NULL)
			why = unjudged->derived ?
				psprintf("Column \"%s\" computes its values from nextval() of sequence \"%s\" instead of taking them; the repair does not judge sequences by such columns.",
						 unjudged->attname, unjudged->seqname) :
				psprintf("The owner of table \"%s\" may not draw from sequence \"%s\"; the repair does not judge sequences by such tables.",
						 unjudged->relname, unjudged->seqname);
		if (colname)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("column \"%s\" of table \"%s\" is not fed by a sequence",
							colname, relname),
					 why ? errdetail("%s", why) : 0));
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("table \"%s\" has no sequence-fed column", relname),
				 why ? errdetail("%s", why) : 0));
	}
	fix_sequences(fcinfo, all, in_table, &tc, dry_run, allow_backward);
	return (Datum) 0;
}
