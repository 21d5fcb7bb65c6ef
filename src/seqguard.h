/*-------------------------------------------------------------------------
 *
 * seqguard.h
 *	  The settings of seqguard, defined in seqguard.c.
 *
 * Copyright (c) 2026, seqguard developers
 *
 * src/seqguard.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SEQGUARD_H
#define SEQGUARD_H

/* seqguard.mode: what the guard does after a statement writes its own ids */
typedef enum GuardMode
{
	GUARD_OFF,
	GUARD_WARN,
	GUARD_FIX,
	GUARD_ERROR
} GuardMode;

extern int	seqguard_mode;

/* counts every assignment of seqguard.mode (as SET, RESET, rollback) */
extern uint64 seqguard_mode_changes;

/*
 * seqguard.active (read-only): is this session guarded?  Set by guard.c
 * when the library is preloaded or LOADed.
 */
extern bool seqguard_active;

/* seqguard.exhaustion_threshold: the check's near_exhaustion share */
extern double seqguard_exhaustion_threshold;

#endif							/* SEQGUARD_H */
