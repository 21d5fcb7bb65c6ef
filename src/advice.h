/*-------------------------------------------------------------------------
 *
 * advice.h
 *	  The statements the check and the repair advise (advice.c).
 *
 * Copyright (c) 2026, seqguard developers
 *
 * src/advice.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SEQGUARD_ADVICE_H
#define SEQGUARD_ADVICE_H

#include "lib/stringinfo.h"
#include "nodes/pg_list.h"

#include "catalog.h"
#include "seqstate.h"

extern char *seqguard_fix_call(const char *fixfn, const SeqFeed *f);
extern bool seqguard_append_widening(StringInfo buf, const SeqState *seq,
									 int64 need, List *feeds);

#endif							/* SEQGUARD_ADVICE_H */
