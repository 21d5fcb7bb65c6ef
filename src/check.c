/*-------------------------------------------------------------------------
 *
 * check.c
 *	  check_sequence_health() and assert_sequences_healthy().
 *
 * Each sequence-fed column is judged against its sequence: out_of_sync
 * when the next nextval() is not past the column's largest value (smallest,
 * for a descending sequence), exhausted when the next nextval() fails or
 * does not fit the column, near_exhaustion past a share of the usable
 * range.  Nothing is changed and nothing is waited for; see probe.c for how
 * the column is read.
 *
 * Copyright (c) 2026, seqguard developers
 *
 * src/check.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/syscache.h"
#include "utils/tuplestore.h"

#include "advice.h"
#include "catalog.h"
#include "probe.h"
#include "range.h"
#include "seqguard.h"
#include "seqstate.h"
#include "sqlfunc.h"

PG_FUNCTION_INFO_V1(check_sequence_health);
PG_FUNCTION_INFO_V1(assert_sequences_healthy);

typedef enum HealthStatus
{
	HEALTH_OK,
	HEALTH_SKIPPED,
	HEALTH_NEAR_EXHAUSTION,
	HEALTH_EXHAUSTED,
	HEALTH_OUT_OF_SYNC
} HealthStatus;

static const char *const status_names[] = {
	"ok", "skipped", "near_exhaustion", "exhausted", "out_of_sync"
};

/* the verdict on one (column, sequence) pair */
typedef struct HealthRow
{
	HealthStatus status;
	bool		has_numbers;	/* false when skipped: nothing is shown */
	bool		has_max;
	int64		max_id;
	int64		sequence_value;
	bool		next_valid;
	int64		next_value;
	double		capacity_used;
	char	   *detail;			/* NULL when there is nothing to say */
} HealthRow;

/*
 * The share of the usable range [lo, hi] consumed, counting both what the
 * sequence has handed out and the largest ordinary value in the column
 * (has_value, value): a sentinel near the end of the range is not use.
 */
static double
capacity_used(const SeqState *seq, bool has_value, int64 value, int64 lo, int64 hi)
{
	double		pos;
	double		used;
	bool		asc = seq->increment > 0;

	/* the last value handed out; before the first, one step before it */
	pos = seq->is_called ? (double) seq->last_value :
		(double) seq->last_value - (double) seq->increment;
	if (has_value && (asc ? value > pos : value < pos))
		pos = (double) value;

	if (asc)
		used = (pos - (double) lo + 1.0) / ((double) hi - (double) lo + 1.0);
	else
		used = ((double) hi - pos + 1.0) / ((double) hi - (double) lo + 1.0);
	return Max(0.0, Min(1.0, used));
}

/*
 * The statements that widen a sequence and its column as far as bigint
 * goes, for an exhausted column or one near exhaustion; when both already
 * span it, there is nothing wider to go to.
 */
static void
append_widen(StringInfo buf, const AdviceNames *names, const SeqFeed *f, const SeqState *seq)
{
	StringInfoData stmts;

	initStringInfo(&stmts);
	if (seqguard_append_widening(&stmts, names, seq,
								 seq->increment > 0 ? PG_INT64_MAX : PG_INT64_MIN,
								 list_make1((SeqFeed *) f)))
		appendStringInfo(buf, " Widen the range with:%s", stmts.data);
	else
		appendStringInfoString(buf, " The sequence and the column already span the range of bigint, the widest a sequence has.");
}

/*
 * Why a column is not judged at all, before anything is read: its type,
 * its values are not the sequence's, or its table's owner may not draw
 * from the sequence.  NULL when it is judged.
 */
static char *
not_judged(const SeqFeed *f)
{
	if (!seqguard_type_comparable(f->typid))
		return psprintf("Not checked: column type %s cannot be compared with the sequence's values.",
						format_type_be(f->typid));
	if (f->derived)
		return psprintf("Not checked: its default computes its values from nextval() of sequence %s instead of taking them, so they are not the sequence's values.",
						quote_qualified_identifier(f->seqnspname, f->seqname));
	if (f->untrusted)
		return psprintf("Not checked: the table's owner, %s, may not draw from sequence %s (it has neither USAGE nor UPDATE on it), so the table's values do not decide where the sequence goes.",
						quote_identifier(GetUserNameFromId(f->owner, false)),
						quote_qualified_identifier(f->seqnspname, f->seqname));
	return NULL;
}

/*
 * Read the column's extreme value for the sequence: every value, and,
 * when the extreme is a sentinel near the end of the usable range (and
 * the sequence has not got there itself), the extreme of the ordinary
 * values too, into *ordinary.  Returns the skip reason, or NULL.
 */
static const char *
read_column(const SeqFeed *f, const SeqState *seq, int64 lo, int64 hi,
			ColumnExtreme *col, ColumnExtreme *ordinary)
{
	ProbeSpec	spec = {0};
	int64		limit;

	spec.typid = f->typid;
	spec.want_max = seq->increment > 0;
	spec.cid = InvalidCommandId;
	seqguard_column_extreme(f, &spec, col);
	*ordinary = *col;
	if (col->skip_reason || !col->has_value ||
		!seqguard_ordinary_limit(seq, lo, hi, &limit) ||
		!seqguard_past(seq, col->value, limit))
		return col->skip_reason;
	spec.limited = true;
	spec.limit = limit;
	seqguard_column_extreme(f, &spec, ordinary);
	return ordinary->skip_reason;
}

/*
 * Judge one sequence-fed column.  names: the functions its advice
 * names (the repair of an out-of-sync column, the plan to widen one).
 * Returns false when the table or sequence was dropped meanwhile: there
 * is nothing to report.
 */
static bool
evaluate(const SeqFeed *f, double threshold, const AdviceNames *names, HealthRow *row)
{
	SeqState	seq;
	ColumnExtreme col;
	ColumnExtreme ord;
	const char *why;
	StringInfoData detail;
	int64		tmin,
				tmax,
				lo,
				hi,
				target;
	bool		asc;

	memset(row, 0, sizeof(HealthRow));
	initStringInfo(&detail);

	if ((row->detail = not_judged(f)) != NULL)
	{
		row->status = HEALTH_SKIPPED;
		return true;
	}
	if ((why = seqguard_read_sequence(f->seqid, ACL_SELECT | ACL_USAGE,
									  SEQ_NOWAIT | SEQ_TRANSIENT, &seq)) != NULL)
	{
		if (!SearchSysCacheExists1(RELOID, ObjectIdGetDatum(f->seqid)))
			return false;
		row->status = HEALTH_SKIPPED;
		row->detail = psprintf("Not checked: %s.", why);
		return true;
	}

	asc = seq.increment > 0;
	seqguard_type_limits(f->typid, &tmin, &tmax);
	lo = Max(seq.minv, tmin);
	hi = Min(seq.maxv, tmax);

	if ((why = read_column(f, &seq, lo, hi, &col, &ord)) != NULL)
	{
		if (col.gone || ord.gone)
			return false;
		row->status = HEALTH_SKIPPED;
		row->detail = psprintf("Not checked: %s.", why);
		return true;
	}

	row->has_numbers = true;
	row->has_max = col.has_value;
	row->max_id = col.value;
	row->sequence_value = seq.last_value;
	row->next_valid = seq.next_valid;
	row->next_value = seq.next_value;
	row->capacity_used = capacity_used(&seq, ord.has_value, ord.value, lo, hi);

	if (ord.has_value && seq.next_valid &&
		!seqguard_past(&seq, seq.next_value, ord.value))
	{
		row->status = HEALTH_OUT_OF_SYNC;
		appendStringInfo(&detail,
						 asc ? "The next value %lld is not above the largest value %lld in the column, so the next insert can collide." :
						 "The next value %lld is not below the smallest value %lld in the column, so the next insert can collide.",
						 (long long) seq.next_value, (long long) ord.value);
		if (!seqguard_grid_value_past(&seq, ord.value, &target))
			appendStringInfoString(&detail, " No value past it is left in the range of bigint.");
		else if (target >= lo && target <= hi)
			appendStringInfo(&detail, " Repair with: %s", seqguard_fix_call(names, f));
		else
		{
			appendStringInfo(&detail,
							 asc ? " No value past it is left below the limit %lld, so the range must be widened first. Repair with:" :
							 " No value past it is left above the limit %lld, so the range must be widened first. Repair with:",
							 (long long) (asc ? hi : lo));
			(void) seqguard_append_widening(&detail, names, &seq, target,
											list_make1((SeqFeed *) f));
			appendStringInfo(&detail, " %s", seqguard_fix_call(names, f));
		}
	}
	else if (!seq.next_valid)
	{
		row->status = HEALTH_EXHAUSTED;
		appendStringInfo(&detail,
						 asc ? "The sequence has reached its MAXVALUE %lld, so the next nextval() fails." :
						 "The sequence has reached its MINVALUE %lld, so the next nextval() fails.",
						 (long long) (asc ? seq.maxv : seq.minv));
		append_widen(&detail, names, f, &seq);
	}
	else if (seq.next_value > tmax || seq.next_value < tmin)
	{
		row->status = HEALTH_EXHAUSTED;
		appendStringInfo(&detail,
						 "The next value %lld does not fit the column's type %s.",
						 (long long) seq.next_value, format_type_be(f->typid));
		append_widen(&detail, names, f, &seq);
	}
	else if (row->capacity_used >= threshold)
	{
		row->status = HEALTH_NEAR_EXHAUSTION;
		appendStringInfo(&detail,
						 "%.1f%% of the usable range up to %lld is used.",
						 row->capacity_used * 100.0, (long long) (asc ? hi : lo));
		append_widen(&detail, names, f, &seq);
	}
	else
		row->status = HEALTH_OK;

	/*
	 * Notes: the sentinel, which explains a largest value past the next
	 * one on a healthy column, and the tables not seen, whatever the
	 * status; the rest only beside a problem, where they bear on what to
	 * do (a healthy row needs no action, so it says nothing more).
	 */
	if (col.has_value && (!ord.has_value || ord.value != col.value))
		appendStringInfo(&detail,
						 "%sThe column holds %lld, within the last %lld values of the sequence's usable range: it is taken as a sentinel, not an id, and the sequence collides with it only when it gets there.",
						 detail.len ? " " : "", (long long) col.value,
						 (long long) seqguard_end_margin(lo, hi));
	if (row->status != HEALTH_OK && seq.typid != f->typid && seqguard_is_integer_type(f->typid) &&
		(asc ? tmax < seq.maxv : tmin > seq.minv))
		appendStringInfo(&detail,
						 "%sThe sequence is %s but the column is %s: the column's limit, %lld, applies.",
						 detail.len ? " " : "",
						 format_type_be(seq.typid), format_type_be(f->typid),
						 (long long) (asc ? tmax : tmin));
	if (row->status != HEALTH_OK && seq.cache > 1)
		appendStringInfo(&detail,
						 "%sThe sequence has CACHE %lld: values that sessions have already cached are not seen here.",
						 detail.len ? " " : "", (long long) seq.cache);
	if (row->status != HEALTH_OK && col.scanned)
		appendStringInfo(&detail,
						 "%sNo btree index leads with this column, so the table was scanned.",
						 detail.len ? " " : "");
	seqguard_append_unseen(&detail, col.unseen);

	row->detail = detail.len ? detail.data : NULL;
	return true;
}

static Datum
name_datum(const char *s)
{
	Name		n = (Name) palloc0(NAMEDATALEN);

	namestrcpy(n, s);
	return NameGetDatum(n);
}

static double
threshold_arg(FunctionCallInfo fcinfo, int argno)
{
	double		t;

	if (PG_ARGISNULL(argno))
		return seqguard_exhaustion_threshold;
	t = PG_GETARG_FLOAT8(argno);
	if (isnan(t) || t <= 0.0 || t > 1.0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("exhaustion_threshold must be greater than 0 and at most 1"),
				 errdetail("The value given was %g.", t)));
	return t;
}

/*
 * check_sequence_health(schemas name[], exhaustion_threshold float8)
 */
Datum
check_sequence_health(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	List	   *nspids = seqguard_schemas_arg(fcinfo, 0);
	double		threshold = threshold_arg(fcinfo, 1);
	AdviceNames names;
	MemoryContext rowcxt;
	List	   *feeds;
	ListCell   *lc;

	seqguard_advice_names(fcinfo, &names);
	InitMaterializedSRF(fcinfo, 0);
	feeds = seqguard_find_feeds(nspids);

	rowcxt = AllocSetContextCreate(CurrentMemoryContext, "seqguard check row",
								   ALLOCSET_DEFAULT_SIZES);
	foreach(lc, feeds)
	{
		SeqFeed    *f = lfirst(lc);
		MemoryContext old = MemoryContextSwitchTo(rowcxt);
		HealthRow	row;
		Datum		values[12];
		bool		nulls[12] = {0};

		CHECK_FOR_INTERRUPTS();
		if (!evaluate(f, threshold, &names, &row))
		{
			MemoryContextSwitchTo(old);
			MemoryContextReset(rowcxt);
			continue;
		}

		values[0] = name_datum(f->nspname);
		values[1] = name_datum(f->relname);
		values[2] = name_datum(f->attname);
		values[3] = CStringGetTextDatum(seqguard_kind_name(f->kind));
		values[4] = name_datum(f->seqnspname);
		values[5] = name_datum(f->seqname);
		values[6] = Int64GetDatum(row.max_id);
		nulls[6] = !row.has_max;
		values[7] = Int64GetDatum(row.sequence_value);
		nulls[7] = !row.has_numbers;
		values[8] = Int64GetDatum(row.next_value);
		nulls[8] = !row.has_numbers || !row.next_valid;
		values[9] = Float8GetDatum(row.capacity_used);
		nulls[9] = !row.has_numbers;
		values[10] = CStringGetTextDatum(status_names[row.status]);
		values[11] = row.detail ? CStringGetTextDatum(row.detail) : (Datum) 0;
		nulls[11] = row.detail == NULL;

		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		MemoryContextSwitchTo(old);
		MemoryContextReset(rowcxt);
	}
	MemoryContextDelete(rowcxt);
	return (Datum) 0;
}

/*
 * assert_sequences_healthy(schemas name[])
 *
 * One ERROR listing every out_of_sync and exhausted column, so that a
 * deploy script run with ON_ERROR_STOP fails.  SQLSTATE 23000
 * (integrity_constraint_violation): the next insert can break a key.
 */
Datum
assert_sequences_healthy(PG_FUNCTION_ARGS)
{
	List	   *nspids = seqguard_schemas_arg(fcinfo, 0);
	AdviceNames names;
	List	   *feeds = seqguard_find_feeds(nspids);
	MemoryContext rowcxt;
	StringInfoData list;
	int			bad = 0;
	ListCell   *lc;

	seqguard_advice_names(fcinfo, &names);
	initStringInfo(&list);
	rowcxt = AllocSetContextCreate(CurrentMemoryContext, "seqguard assert row",
								   ALLOCSET_DEFAULT_SIZES);
	foreach(lc, feeds)
	{
		SeqFeed    *f = lfirst(lc);
		MemoryContext old = MemoryContextSwitchTo(rowcxt);
		HealthRow	row;

		CHECK_FOR_INTERRUPTS();
		if (evaluate(f, seqguard_exhaustion_threshold, &names, &row) &&
			(row.status == HEALTH_OUT_OF_SYNC || row.status == HEALTH_EXHAUSTED))
		{
			char	   *line = psprintf("%s%s.%s (sequence %s): %s. %s",
										list.len ? "\n" : "",
										quote_qualified_identifier(f->nspname, f->relname),
										quote_identifier(f->attname),
										quote_qualified_identifier(f->seqnspname, f->seqname),
										status_names[row.status],
										row.detail);

			MemoryContextSwitchTo(old);
			appendStringInfoString(&list, line);
			bad++;
		}
		MemoryContextSwitchTo(old);
		MemoryContextReset(rowcxt);
	}
	MemoryContextDelete(rowcxt);

	if (bad > 0)
		ereport(ERROR,
				(errcode(ERRCODE_INTEGRITY_CONSTRAINT_VIOLATION),
				 errmsg_plural("%d sequence-fed column is out of sync or exhausted",
							   "%d sequence-fed columns are out of sync or exhausted",
							   bad, bad),
				 errdetail("%s", list.data),
				 errhint("Run SELECT * FROM %s(); to move lagging sequences forward.",
						 seqguard_own_function(fcinfo, "fix_all_sequences"))));
	PG_RETURN_VOID();
}
