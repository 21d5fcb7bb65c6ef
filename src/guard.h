/*-------------------------------------------------------------------------
 *
 * guard.h
 *	  The guard's entry point (guard.c).
 *
 * Copyright (c) 2026, seqguard developers
 *
 * src/guard.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SEQGUARD_GUARD_H
#define SEQGUARD_GUARD_H

extern void seqguard_guard_init(void);

#endif							/* SEQGUARD_GUARD_H */
