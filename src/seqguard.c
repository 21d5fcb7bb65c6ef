/*-------------------------------------------------------------------------
 *
 * seqguard.c
 *	  Module entry point: the settings of seqguard, and the guard's hooks,
 *	  installed whenever the library is loaded (preloaded, or by LOAD, or
 *	  by the first call of one of its functions).  The SQL-callable
 *	  functions live in check.c and fix.c, the guard in guard*.c.
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
#include "guard.h"
#include "seqguard.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

double		seqguard_exhaustion_threshold = 0.9;
int			seqguard_mode = GUARD_FIX;
uint64		seqguard_mode_changes = 0;
bool		seqguard_active = false;

static const struct config_enum_entry mode_options[] = {
	{"off", GUARD_OFF, false},
	{"warn", GUARD_WARN, false},
	{"fix", GUARD_FIX, false},
	{"error", GUARD_ERROR, false},
	{NULL, 0, false}
};

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

/*
 * Every assignment of seqguard.mode is counted: what the guard remembers
 * of the rows it has seen in a transaction holds only while it has been
 * watching all along.
 */
static void
assign_mode(int newval, void *extra)
{
	seqguard_mode_changes++;
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

	DefineCustomEnumVariable("seqguard.mode",
							 "What the guard does after a statement writes its own values into a sequence-fed column.",
							 "off: nothing; warn: a WARNING; fix: advance the sequence past them; error: fail the statement.",
							 &seqguard_mode,
							 GUARD_FIX,
							 mode_options,
							 PGC_SUSET,
							 0,
							 NULL,
							 assign_mode,
							 NULL);

	DefineCustomBoolVariable("seqguard.active",
							 "Shows whether the guard acts in this session: the library was preloaded or LOADed.",
							 "The library loaded by CREATE EXTENSION or by a function call does not guard the session.",
							 &seqguard_active,
							 false,
							 PGC_INTERNAL,
							 GUC_NOT_IN_SAMPLE | GUC_DISALLOW_IN_FILE,
							 NULL,
							 NULL,
							 NULL);

	MarkGUCPrefixReserved("seqguard");

	seqguard_guard_init();
}
