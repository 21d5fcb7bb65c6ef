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
#include "catalog/pg_class.h"
#include "common/int.h"
#include "fmgr.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "tcop/utility.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/tuplestore.h"

#include "compat.h"
#include "seqguard.h"

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
 * Decide, and unless dry_run do, what one sequence needs.  feeds are all
 * the columns it feeds.
 */
static void
fix_one(Oid seqid, List *feeds, bool dry_run, bool allow_backward, FixRow *row)
{
	SeqState	seq;
	SeqState	before;
	StringInfoData detail;
	const char *why;
	ListCell   *lc;
	bool		has_max = false;
	int64		m = 0;
	int64		lo,
				hi;
	int64		target;
	bool		reset;
	int			nint = 0;

	memset(row, 0, sizeof(FixRow));
	initStringInfo(&detail);

	/* the same privilege setval() needs, also for a dry run */
	if ((why = seqguard_read_sequence(seqid, ACL_UPDATE, &seq)) != NULL)
		goto skip;

	lo = seq.minv;
	hi = seq.maxv;
	foreach(lc, feeds)
	{
		SeqFeed    *f = lfirst(lc);
		ColumnExtreme col;
		int64		tmin,
					tmax;

		if (!seqguard_is_integer_type(f->typid))
			continue;
		nint++;
		seqguard_column_extreme(f, seq.increment > 0, &col);
		if (col.skip_reason)
		{
			why = psprintf("%s (%s.%s)", col.skip_reason,
						   quote_qualified_identifier(f->nspname, f->relname),
						   quote_identifier(f->attname));
			goto skip;
		}
		if (col.has_value &&
			(!has_max || seqguard_past(&seq, col.value, m)))
			m = col.value;
		has_max |= col.has_value;
		seqguard_type_limits(f->typid, &tmin, &tmax);
		lo = Max(lo, tmin);
		hi = Min(hi, tmax);
	}
	if (nint == 0)
	{
		why = "no column it feeds is of type smallint, integer or bigint";
		goto skip;
	}

	row->has_old = seq.next_valid;
	row->old_next = seq.next_value;

	if (!has_max)
	{
		/* every table it feeds is empty: only a reset has anything to do */
		if (!allow_backward || (seq.next_valid && seq.next_value == seq.start))
			return;
		target = seq.start;
		reset = true;
	}
	else
	{
		bool		fits = seqguard_grid_value_past(&seq, m, &target) &&
			target >= lo && target <= hi;
		bool		behind = seq.next_valid && !seqguard_past(&seq, seq.next_value, m);

		if (behind && !fits)
		{
			why = psprintf("no value past %lld is left before the %s %lld;"
						   " widen the sequence (ALTER SEQUENCE ... AS bigint %s) and the column (ALTER TABLE ... ALTER COLUMN ... TYPE bigint)",
						   (long long) m,
						   seq.increment > 0 ? "upper limit" : "lower limit",
						   (long long) (seq.increment > 0 ? hi : lo),
						   seq.increment > 0 ? "NO MAXVALUE" : "NO MINVALUE");
			goto skip;
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
		if (!seqguard_move_sequence(seqid, target, !reset, ACL_UPDATE, true,
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
		appendStringInfo(&detail, "The %s value in the columns it feeds is %lld. ",
						 seq.increment > 0 ? "largest" : "smallest", (long long) m);
	else
		appendStringInfoString(&detail, "Every table it feeds is empty. ");
	append_covers(&detail, feeds);
	row->detail = detail.data;
	return;

skip:
	row->action = "skipped";
	row->has_old = false;
	appendStringInfo(&detail, "Not moved: %s. ", why);
	append_covers(&detail, feeds);
	row->detail = detail.data;
}

static bool
bool_arg(FunctionCallInfo fcinfo, int argno, const char *name)
{
	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be NULL", name)));
	return PG_GETARG_BOOL(argno);
}

static int
seq_cmp_names(const ListCell *a, const ListCell *b)
{
	const SeqFeed *fa = linitial((List *) lfirst(a));
	const SeqFeed *fb = linitial((List *) lfirst(b));
	int			c = strcmp(fa->seqnspname, fb->seqnspname);

	return c ? c : strcmp(fa->seqname, fb->seqname);
}

/*
 * Fix every sequence that feeds at least one of the columns in chosen,
 * each judged against every column of all that it feeds, and emit a row
 * for each that was acted on, would be, or was skipped.
 */
static void
fix_sequences(FunctionCallInfo fcinfo, List *chosen, List *all,
			  bool dry_run, bool allow_backward)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	List	   *groups = NIL;	/* one list of feeds per sequence */
	MemoryContext rowcxt;
	ListCell   *lc;

	if (!dry_run)
	{
		PreventCommandIfReadOnly(get_func_name(fcinfo->flinfo->fn_oid));
		PreventCommandIfParallelMode(get_func_name(fcinfo->flinfo->fn_oid));
	}

	foreach(lc, chosen)
	{
		Oid			seqid = ((SeqFeed *) lfirst(lc))->seqid;
		ListCell   *gc;
		List	   *group = NIL;
		bool		seen = false;

		foreach(gc, groups)
			if (((SeqFeed *) linitial((List *) lfirst(gc)))->seqid == seqid)
				seen = true;
		if (seen)
			continue;
		foreach(gc, all)
			if (((SeqFeed *) lfirst(gc))->seqid == seqid)
				group = lappend(group, lfirst(gc));
		groups = lappend(groups, group);
	}
	list_sort(groups, seq_cmp_names);

	rowcxt = AllocSetContextCreate(CurrentMemoryContext, "seqguard fix row",
								   ALLOCSET_DEFAULT_SIZES);
	foreach(lc, groups)
	{
		List	   *group = lfirst(lc);
		SeqFeed    *first = linitial(group);
		MemoryContext old = MemoryContextSwitchTo(rowcxt);
		FixRow		row;
		Datum		values[6];
		bool		nulls[6] = {0};

		CHECK_FOR_INTERRUPTS();
		fix_one(first->seqid, group, dry_run, allow_backward, &row);
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
}

/*
 * fix_all_sequences(dry_run boolean, schemas name[], allow_backward boolean)
 */
Datum
fix_all_sequences(PG_FUNCTION_ARGS)
{
	bool		dry_run = bool_arg(fcinfo, 0, "dry_run");
	List	   *nspids = seqguard_schema_list(PG_ARGISNULL(1) ? NULL : PG_GETARG_ARRAYTYPE_P(1));
	bool		allow_backward = bool_arg(fcinfo, 2, "allow_backward");
	List	   *all;
	List	   *chosen = NIL;
	ListCell   *lc;

	InitMaterializedSRF(fcinfo, 0);
	all = seqguard_find_feeds(NIL);
	foreach(lc, all)
	{
		SeqFeed    *f = lfirst(lc);

		if (nspids == NIL || list_member_oid(nspids, f->nspid))
			chosen = lappend(chosen, f);
	}
	fix_sequences(fcinfo, chosen, all, dry_run, allow_backward);
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
	bool		dry_run = bool_arg(fcinfo, 2, "dry_run");
	bool		allow_backward = bool_arg(fcinfo, 3, "allow_backward");
	char		relkind;
	char	   *relname;
	List	   *lineage;
	List	   *all;
	List	   *chosen = NIL;
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
	lineage = seqguard_lineage(relid);
	all = seqguard_find_feeds(NIL);
	foreach(lc, all)
	{
		SeqFeed    *f = lfirst(lc);

		if (list_member_oid(lineage, f->relid) &&
			(colname == NULL || strcmp(colname, f->attname) == 0))
			chosen = lappend(chosen, f);
	}
	if (chosen == NIL)
	{
		if (colname)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("column \"%s\" of table \"%s\" is not fed by a sequence",
							colname, relname)));
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("table \"%s\" has no sequence-fed column", relname)));
	}
	fix_sequences(fcinfo, chosen, all, dry_run, allow_backward);
	return (Datum) 0;
}
