/*-------------------------------------------------------------------------
 *
 * fix.h
 *	  The repair, for callers other than its SQL functions (fix.c).
 *
 * Copyright (c) 2026, seqguard developers
 *
 * src/fix.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SEQGUARD_FIX_H
#define SEQGUARD_FIX_H

extern void seqguard_fix_forward(Oid seqid);

#endif							/* SEQGUARD_FIX_H */
