/*-------------------------------------------------------------------------
 *
 * transient.h
 *	  Relations the check and the repair open to read once (transient.c).
 *
 * Copyright (c) 2026, seqguard developers
 *
 * src/transient.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SEQGUARD_TRANSIENT_H
#define SEQGUARD_TRANSIENT_H

#include "utils/relcache.h"

extern void seqguard_close_transient(Relation rel);

#endif							/* SEQGUARD_TRANSIENT_H */
