/*-------------------------------------------------------------------------
 *
 * seqstate.h
 *	  A sequence's definition and position, read and moved (seqstate.c).
 *
 * Copyright (c) 2026, seqguard developers
 *
 * src/seqstate.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SEQGUARD_SEQSTATE_H
#define SEQGUARD_SEQSTATE_H

#include "utils/acl.h"

typedef struct SeqState
{
	Oid			seqid;
	Oid			typid;
	int64		start;
	int64		increment;
	int64		maxv;
	int64		minv;
	int64		cache;
	bool		cycle;
	int64		last_value;
	bool		is_called;
	bool		next_valid;		/* false: the next nextval() fails */
	int64		next_value;
} SeqState;

/* how a sequence is opened: without waiting for its lock; read once only */
#define SEQ_NOWAIT		0x01
#define SEQ_TRANSIENT	0x02

extern const char *seqguard_read_sequence(Oid seqid, AclMode needed,
										  int flags, SeqState *state);
extern bool seqguard_move_sequence(Oid seqid, int64 target, bool forward_only,
								   AclMode needed, int flags,
								   SeqState *before, const char **why);

#endif							/* SEQGUARD_SEQSTATE_H */
