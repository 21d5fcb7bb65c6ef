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
#include "utils/relcache.h"

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

/*
 * How a sequence is opened: without waiting for its lock; read once only;
 * moved with WAL logged ahead, as nextval() logs it (see
 * seqguard_move_sequence())
 */
#define SEQ_NOWAIT		0x01
#define SEQ_TRANSIENT	0x02
#define SEQ_LOG_AHEAD	0x04

/* a sequence opened and locked, to read and move (seqguard_open_sequence()) */
typedef struct SeqHandle
{
	Oid			seqid;
	int			flags;
	Relation	rel;
} SeqHandle;

extern const char *seqguard_open_sequence(Oid seqid, AclMode needed, int flags,
										  SeqHandle *h);
extern void seqguard_read_open(SeqHandle *h, SeqState *state);
extern bool seqguard_move_open(SeqHandle *h, int64 target, bool forward_only,
							   SeqState *before, const char **why);
extern void seqguard_close_sequence(SeqHandle *h);
extern const char *seqguard_read_sequence(Oid seqid, AclMode needed,
										  int flags, SeqState *state);
extern bool seqguard_move_sequence(Oid seqid, int64 target, bool forward_only,
								   AclMode needed, int flags,
								   SeqState *before, const char **why);

#endif							/* SEQGUARD_SEQSTATE_H */
