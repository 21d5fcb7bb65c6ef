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

#include "fmgr.h"
#include "lib/stringinfo.h"
#include "nodes/pg_list.h"

#include "catalog.h"
#include "seqstate.h"

/* the extension's functions that advice names, qualified with its schema */
typedef struct AdviceNames
{
	const char *fix;			/* fix_sequence() */
	const char *plan;			/* widening_plan(); NULL where the installed
								 * version (1.0) has none */
} AdviceNames;

extern void seqguard_advice_names(FunctionCallInfo fcinfo, AdviceNames *names);
extern char *seqguard_fix_call(const AdviceNames *names, const SeqFeed *f);
extern bool seqguard_append_widening(StringInfo buf, const AdviceNames *names,
									 const SeqState *seq, int64 need, List *feeds);

#endif							/* SEQGUARD_ADVICE_H */
