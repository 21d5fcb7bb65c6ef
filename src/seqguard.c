/*-------------------------------------------------------------------------
 *
 * seqguard.c
 *	  Module entry point: the settings of seqguard.  The SQL-callable
 *	  functions live in check.c and fix.c.
 *
 * Copyright (c) 2026, seqguard developers
 *
 * src/seqguard.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "fmgr.h"
#include "utils/guc.h"

#include "compat.h"
#include "seqguard.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

double		seqguard_exhaustion_threshold = 0.9;

/*
 * The threshold is a share of a range: 0 would flag every sequence, and
 * a GUC's lower bound is inclusive, so reject it here.
 */
static bool
check_exhaustion_threshold(double *newval, void **extra, GucSource source)
{
	if (*newval <= 0.0 || *newval > 1.0 || isnan(*newval))
	{
		GUC_check_errdetail("seqguard.exhaustion_threshold must be greater than 0 and at most 1.");
		return false;
	}
	return true;
}

void
_PG_init(void)
{
	DefineCustomRealVariable("seqguard.exhaustion_threshold",
							 "Share of a sequence's usable range at which check_sequence_health() reports near_exhaustion.",
							 NULL,
							 &seqguard_exhaustion_threshold,
							 0.9,
							 0.0,
							 1.0,
							 PGC_USERSET,
							 0,
							 check_exhaustion_threshold,
							 NULL,
							 NULL);

	MarkGUCPrefixReserved("seqguard");
}
