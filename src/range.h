/*-------------------------------------------------------------------------
 *
 * range.h
 *	  Column types and ranges: which types compare with a sequence's
 *	  values, the values each can hold, and the sequence's step grid
 *	  (range.c).
 *
 * Copyright (c) 2026, seqguard developers
 *
 * src/range.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SEQGUARD_RANGE_H
#define SEQGUARD_RANGE_H

#include "seqstate.h"

extern bool seqguard_is_integer_type(Oid typid);
extern bool seqguard_type_comparable(Oid typid);
extern void seqguard_type_limits(Oid typid, int64 *min, int64 *max);
extern bool seqguard_past(const SeqState *seq, int64 a, int64 b);
extern bool seqguard_grid_value_past(const SeqState *seq, int64 m,
									 int64 *result);
extern int64 seqguard_end_margin(int64 lo, int64 hi);
extern bool seqguard_ordinary_limit(const SeqState *seq, int64 lo, int64 hi,
									int64 *limit);

#endif							/* SEQGUARD_RANGE_H */
