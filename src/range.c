/*-------------------------------------------------------------------------
 *
 * range.c
 *	  Column types and ranges.
 *
 * A sequence's values are compared with a column's directly when the
 * column is smallint, integer or bigint, and through the integral part of
 * the value when it is numeric, real or double precision (probe.c).  A
 * sequence's usable range is narrowed by the types of the columns it
 * feeds, and its values lie on the grid START + k * INCREMENT, which a
 * repair keeps (interleaved id schemes keep their parity).
 *
 * Copyright (c) 2026, seqguard developers
 *
 * src/range.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "common/int.h"

#include "range.h"

/* true for the column types a sequence value can be compared with directly */
bool
seqguard_is_integer_type(Oid typid)
{
	return typid == INT2OID || typid == INT4OID || typid == INT8OID;
}

/* can a column of this (base) type be compared with a sequence's values? */
bool
seqguard_type_comparable(Oid typid)
{
	return seqguard_is_integer_type(typid) || typid == NUMERICOID ||
		typid == FLOAT4OID || typid == FLOAT8OID;
}

/* the range of values a column of an integer type can hold */
void
seqguard_type_limits(Oid typid, int64 *min, int64 *max)
{
	switch (typid)
	{
		case INT2OID:
			*min = PG_INT16_MIN;
			*max = PG_INT16_MAX;
			break;
		case INT4OID:
			*min = PG_INT32_MIN;
			*max = PG_INT32_MAX;
			break;
		default:
			*min = PG_INT64_MIN;
			*max = PG_INT64_MAX;
			break;
	}
}

/* is a strictly past b, in the direction the sequence moves? */
bool
seqguard_past(const SeqState *seq, int64 a, int64 b)
{
	return seq->increment > 0 ? a > b : a < b;
}

/*
 * The first value of the sequence's grid START + k * INCREMENT that is
 * past m.  False when it does not fit in a bigint.
 */
bool
seqguard_grid_value_past(const SeqState *seq, int64 m, int64 *result)
{
	int64		dist;
	int64		step;
	int64		offset;

	if (seqguard_past(seq, seq->start, m))
	{
		*result = seq->start;
		return true;
	}
	/* whole steps from START to m, plus one */
	if (seq->increment > 0)
	{
		if (pg_sub_s64_overflow(m, seq->start, &dist))
			return false;
		step = seq->increment;
	}
	else if (pg_sub_s64_overflow(seq->start, m, &dist) ||
			 pg_sub_s64_overflow(0, seq->increment, &step))
		return false;
	return !pg_add_s64_overflow(dist / step, 1, &dist) &&
		!pg_mul_s64_overflow(dist, seq->increment, &offset) &&
		!pg_add_s64_overflow(seq->start, offset, result);
}

/*
 * The margin at the end of a sequence's usable range [lo, hi] whose values
 * are taken as sentinels, not ids: the last 1/1000 of the range, at least
 * 1,000 values (at least a tenth of a range smaller than 10,000 values).
 * The guard never moves a sequence into it because of one statement's
 * values, and the check and the repair judge a column by its other values
 * (see seqguard_ordinary_limit()).
 */
int64
seqguard_end_margin(int64 lo, int64 hi)
{
	uint64		range = (uint64) hi - (uint64) lo;

	return (int64) Max(range / 1000, Min(1000, range / 10));
}

/*
 * The last value, in the sequence's direction, that counts as an ordinary
 * id in its usable range [lo, hi]: values past it are sentinels (such as
 * 2147483647 for "unknown").  False when the sequence's own next value is
 * already past it: then it has reached that part of its range by its own
 * values, and every value counts.
 */
bool
seqguard_ordinary_limit(const SeqState *seq, int64 lo, int64 hi, int64 *limit)
{
	int64		margin = seqguard_end_margin(lo, hi);

	*limit = seq->increment > 0 ? hi - margin : lo + margin;
	return !(seq->next_valid && seqguard_past(seq, seq->next_value, *limit));
}
