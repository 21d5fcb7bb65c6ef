/*-------------------------------------------------------------------------
 *
 * seqstate.c
 *	  Reading a sequence's position, and moving it forward atomically.
 *
 * The read-then-write of "SELECT setval(seq, max(id))" loses any nextval()
 * that another session makes in between, and can move the sequence
 * backwards.  seqguard_move_sequence() instead compares and writes under
 * the sequence page's exclusive buffer lock, which is what serializes
 * nextval() and setval() themselves (their heavyweight RowExclusiveLock does
 * not conflict with itself).  The change is WAL-logged exactly as setval()
 * logs it, so it survives a crash once the transaction has committed.
 *
 * Like setval(), the change is not transactional: a rolled-back transaction
 * leaves the sequence where it was moved.  Values that sessions have
 * already cached (CACHE > 1) are not seen and are still handed out.
 *
 * Copyright (c) 2026, seqguard developers
 *
 * src/seqstate.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/relation.h"
#include "access/xact.h"
#include "access/xlog.h"
#include "access/xloginsert.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_sequence.h"
#include "catalog/pg_type.h"
#include "commands/sequence.h"
#include "common/int.h"
#include "miscadmin.h"
#include "storage/bufmgr.h"
#include "storage/lmgr.h"
#include "utils/acl.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/syscache.h"

#include "compat.h"
#include "range.h"
#include "seqstate.h"
#include "transient.h"

/*
 * What the next nextval() returns, given last_value and is_called: the
 * arithmetic of nextval_internal() in PostgreSQL's
 * src/backend/commands/sequence.c, for one value.
 */
static void
compute_next(SeqState *s)
{
	int64		next;

	s->next_valid = true;
	if (!s->is_called)
		s->next_value = s->last_value;
	else if (!pg_add_s64_overflow(s->last_value, s->increment, &next) &&
			 next <= s->maxv && next >= s->minv)
		s->next_value = next;
	else if (s->cycle)
		s->next_value = s->increment > 0 ? s->minv : s->maxv;
	else
		s->next_valid = false;
}

/*
 * Lock the sequence's page and return its tuple, including the clean-up
 * of an xmax left by a SELECT FOR UPDATE in old releases (only with an
 * exclusive lock).
 *
 * Copied from read_seq_tuple() in PostgreSQL's
 * src/backend/commands/sequence.c (unchanged from 15 to 19), which is
 * static there.
 */
static Form_pg_sequence_data
lock_seq_tuple(Relation seqrel, int mode, Buffer *buf, HeapTuple tuple)
{
	Page		page;
	ItemId		lp;
	seqguard_sequence_magic *sm;

	*buf = ReadBuffer(seqrel, 0);
	LockBuffer(*buf, mode);
	page = BufferGetPage(*buf);
	sm = (seqguard_sequence_magic *) PageGetSpecialPointer(page);
	if (sm->magic != SEQGUARD_SEQ_MAGIC)
		elog(ERROR, "bad magic number in sequence \"%s\": %08X",
			 RelationGetRelationName(seqrel), sm->magic);

	lp = PageGetItemId(page, FirstOffsetNumber);
	Assert(ItemIdIsNormal(lp));
	tuple->t_data = (HeapTupleHeader) PageGetItem(page, lp);
	tuple->t_len = ItemIdGetLength(lp);

	if (mode == BUFFER_LOCK_EXCLUSIVE &&
		HeapTupleHeaderGetRawXmax(tuple->t_data) != InvalidTransactionId)
	{
		HeapTupleHeaderSetXmax(tuple->t_data, InvalidTransactionId);
		tuple->t_data->t_infomask &= ~HEAP_XMAX_COMMITTED;
		tuple->t_data->t_infomask |= HEAP_XMAX_INVALID;
		MarkBufferDirtyHint(*buf, true);
	}
	return (Form_pg_sequence_data) GETSTRUCT(tuple);
}

/* the definition of the sequence, from pg_sequence */
static void
read_definition(Oid seqid, SeqState *state)
{
	HeapTuple	tup = SearchSysCache1(SEQRELID, ObjectIdGetDatum(seqid));
	Form_pg_sequence def;

	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for sequence %u", seqid);
	def = (Form_pg_sequence) GETSTRUCT(tup);
	state->seqid = seqid;
	state->typid = def->seqtypid;
	state->start = def->seqstart;
	state->increment = def->seqincrement;
	state->maxv = def->seqmax;
	state->minv = def->seqmin;
	state->cache = def->seqcache;
	state->cycle = def->seqcycle;
	ReleaseSysCache(tup);
}

/*
 * Lock the sequence's page (mode) and fill *state with its definition and
 * position; the caller releases *buf.
 */
static Form_pg_sequence_data
read_position(Relation seqrel, int mode, Buffer *buf, HeapTuple tuple,
			  SeqState *state)
{
	Form_pg_sequence_data data;

	read_definition(RelationGetRelid(seqrel), state);
	data = lock_seq_tuple(seqrel, mode, buf, tuple);
	state->last_value = data->last_value;
	state->is_called = data->is_called;
	compute_next(state);
	return data;
}

/*
 * Open a sequence after taking lockmode (without waiting, if nowait).
 * Returns NULL with *why set when it cannot be read: dropped, another
 * session's temporary sequence, missing privileges (any of "needed"; 0
 * checks none), a lock held elsewhere, or an unlogged sequence during
 * recovery.
 */
static Relation
open_sequence(Oid seqid, AclMode needed, LOCKMODE lockmode, bool nowait,
			  const char **why)
{
	Relation	seqrel;
	char	   *name = get_rel_name(seqid);
	bool		missing = false;

	*why = NULL;
	if (name == NULL)
		*why = "the sequence was dropped";
	else if (isOtherTempNamespace(get_rel_namespace(seqid)))
		*why = "temporary sequence of another session";
	else if (needed != 0 &&
			 pg_class_aclcheck_ext(seqid, GetUserId(), needed, &missing) != ACLCHECK_OK)
		*why = missing ? "the sequence was dropped" :
			psprintf("permission denied for sequence \"%s\"", name);
	else if (nowait && !ConditionalLockRelationOid(seqid, lockmode))
		*why = psprintf("sequence \"%s\" is locked by another session", name);
	if (*why)
		return NULL;
	if (!nowait)
		LockRelationOid(seqid, lockmode);

	seqrel = try_relation_open(seqid, NoLock);
	if (seqrel == NULL || seqrel->rd_rel->relkind != RELKIND_SEQUENCE)
		*why = "the sequence was dropped";
	else if (RecoveryInProgress() &&
			 seqrel->rd_rel->relpersistence == RELPERSISTENCE_UNLOGGED)
		*why = "unlogged sequence cannot be read during recovery";
	if (*why)
	{
		if (seqrel)
			relation_close(seqrel, NoLock);
		UnlockRelationOid(seqid, lockmode);
		return NULL;
	}
	return seqrel;
}

/*
 * Open a sequence to read, and perhaps move, it: with the lock nextval()
 * takes, so that a sequence being altered (ALTER SEQUENCE holds a lock
 * that conflicts with it until commit) is not read half-way; with
 * SEQ_NOWAIT, such a sequence is reported instead of waited for.  Returns
 * NULL, or why it cannot be opened (then nothing is held).  The caller
 * closes it with seqguard_close_sequence().
 */
const char *
seqguard_open_sequence(Oid seqid, AclMode needed, int flags, SeqHandle *h)
{
	const char *why;

	h->seqid = seqid;
	h->flags = flags;
	h->rel = open_sequence(seqid, needed, RowExclusiveLock,
						   (flags & SEQ_NOWAIT) != 0, &why);
	return h->rel == NULL ? why : NULL;
}

/* An open sequence's definition and position. */
void
seqguard_read_open(SeqHandle *h, SeqState *state)
{
	Buffer		buf;
	HeapTupleData tuple;

	(void) read_position(h->rel, BUFFER_LOCK_SHARE, &buf, &tuple, state);
	UnlockReleaseBuffer(buf);
}

/*
 * Close an open sequence and release its lock at once: nothing read is
 * relied on after it, and a move is not transactional, so the lock
 * protects nothing once it is made; releasing it keeps the lock table
 * small on large runs.
 */
void
seqguard_close_sequence(SeqHandle *h)
{
	if (h->flags & SEQ_TRANSIENT)
		seqguard_close_transient(h->rel);
	else
		relation_close(h->rel, NoLock);
	UnlockRelationOid(h->seqid, RowExclusiveLock);
	h->rel = NULL;
}

/*
 * Read a sequence's definition and position.  Returns NULL, or why it
 * could not be read (then *state is not filled).
 */
const char *
seqguard_read_sequence(Oid seqid, AclMode needed, int flags, SeqState *state)
{
	SeqHandle	h;
	const char *why;

	if ((why = seqguard_open_sequence(seqid, needed, flags, &h)) != NULL)
		return why;
	seqguard_read_open(&h, state);
	seqguard_close_sequence(&h);
	return NULL;
}

/*
 * Moves logged ahead (SEQ_LOG_AHEAD): for each of the last few sequences
 * this backend moved so, the LSN of the record it wrote and the value the
 * sequence resumes at if that record is the last one replayed.
 */
#define LOGGED_AHEAD_SLOTS 8

/* how far nextval() logs ahead: SEQ_LOG_VALS, private to sequence.c */
#define SEQGUARD_LOG_VALS 32

typedef struct LoggedAhead
{
	Oid			seqid;
	XLogRecPtr	lsn;
	int64		resume;
} LoggedAhead;

static LoggedAhead logged_ahead[LOGGED_AHEAD_SLOTS];
static int	logged_ahead_next = 0;

static LoggedAhead *
find_logged_ahead(Oid seqid)
{
	for (int i = 0; i < LOGGED_AHEAD_SLOTS; i++)
		if (logged_ahead[i].seqid == seqid)
			return &logged_ahead[i];
	return NULL;
}

/*
 * May a move of the sequence on this page to target skip WAL?  Only when
 * the page's last WAL record is one this backend logged ahead past target,
 * and no checkpoint began since (after one, recovery would not replay
 * it), as nextval() decides.  Any other change of the sequence (nextval(),
 * setval(), another session's move, ALTER SEQUENCE) logs a record of its
 * own, which changes the page's LSN.
 */
static bool
covered_by_wal(Oid seqid, Page page, const SeqState *seq, int64 target)
{
	LoggedAhead *la = find_logged_ahead(seqid);

	return la != NULL && la->lsn == PageGetLSN(page) &&
		PageGetLSN(page) > GetRedoRecPtr() &&
		!seqguard_past(seq, target, la->resume);
}

/*
 * The value a move to target logs as the one to resume at:
 * SEQGUARD_LOG_VALS steps ahead, as nextval() logs, where that stays in the sequence's range
 * (otherwise target itself).
 */
static int64
resume_value(const SeqState *seq, int64 target)
{
	int64		ahead;
	int64		resume;

	if (pg_mul_s64_overflow(seq->increment, SEQGUARD_LOG_VALS, &ahead) ||
		pg_add_s64_overflow(target, ahead, &resume) ||
		resume > seq->maxv || resume < seq->minv)
		return target;
	return resume;
}

/*
 * Make the next nextval() of an open sequence return target.  With
 * forward_only, only when target is past the value it would return now,
 * judged under the buffer lock, so that no concurrent nextval() can slip
 * between the check and the write; a sequence that has run out counts as
 * past everything.
 *
 * Returns true when it wrote; *before receives the position found under
 * the lock.  The caller has checked target against the sequence's range.
 *
 * The move is WAL-logged as setval(seq, target, false) logs it, so that it
 * survives a crash once the transaction has committed.  With SEQ_LOG_AHEAD
 * (the guard, which may move a sequence once per statement of an import
 * loop) the record says to resume SEQGUARD_LOG_VALS steps further, as
 * nextval() logs ahead, and a later move of this backend within that
 * reach, before the next checkpoint, writes no WAL; after a crash the
 * sequence resumes at most that many steps further than it was moved.
 *
 * The privileges in "needed" were checked when it was opened (UPDATE, as
 * for setval(); the guard passes 0: it acts for the system, as an identity
 * column's nextval() does).  When it cannot act, *why says why.
 */
bool
seqguard_move_open(SeqHandle *h, int64 target, bool forward_only,
				   SeqState *before, const char **why)
{
	Relation	seqrel = h->rel;
	Oid			seqid = h->seqid;
	int			flags = h->flags;
	Buffer		buf;
	HeapTupleData tuple;
	Form_pg_sequence_data data;
	bool		move;

	*why = NULL;
	if (!seqrel->rd_islocaltemp && XactReadOnly)
	{
		/* as nextval() and setval(): only temporary sequences */
		*why = "the transaction is read-only";
		return false;
	}

	data = read_position(seqrel, BUFFER_LOCK_EXCLUSIVE, &buf, &tuple, before);

	if (forward_only)
		move = before->next_valid &&
			seqguard_past(before, target, before->next_value);
	else
		move = !(before->next_valid && before->next_value == target);

	if (move)
	{
		Page		page = BufferGetPage(buf);
		bool		logit = RelationNeedsWAL(seqrel);
		int64		resume = target;

		if (logit && (flags & SEQ_LOG_AHEAD))
		{
			if (covered_by_wal(seqid, page, before, target))
				logit = false;
			else
				resume = resume_value(before, target);
		}

		/*
		 * From here to the end of the critical section, after do_setval()
		 * and nextval_internal() in PostgreSQL's
		 * src/backend/commands/sequence.c, with compat.h's names: make
		 * commit flush the WAL; log the position to resume at; then set the
		 * page to the new position.
		 */
		if (RelationNeedsWAL(seqrel))
			GetTopTransactionId();

		START_CRIT_SECTION();

		MarkBufferDirty(buf);

		if (logit)
		{
			xl_seq_rec	xlrec;
			XLogRecPtr	recptr;

			/* what a crash recovery resumes at: resume itself */
			data->last_value = resume == target ? target : resume - before->increment;
			data->is_called = resume != target;
			data->log_cnt = 0;

			XLogBeginInsert();
			XLogRegisterBuffer(0, buf, REGBUF_WILL_INIT);
			SEQGUARD_XLREC_SET_RELATION(xlrec, seqrel);
			XLogRegisterData((char *) &xlrec, sizeof(xl_seq_rec));
			XLogRegisterData((char *) tuple.t_data, tuple.t_len);
			recptr = XLogInsert(RM_SEQ_ID, XLOG_SEQ_LOG);
			PageSetLSN(page, recptr);

			if (resume != target)
			{
				LoggedAhead *la = find_logged_ahead(seqid);

				if (la == NULL)
				{
					la = &logged_ahead[logged_ahead_next];
					logged_ahead_next = (logged_ahead_next + 1) % LOGGED_AHEAD_SLOTS;
				}
				la->seqid = seqid;
				la->lsn = recptr;
				la->resume = resume;
			}
		}

		data->last_value = target;
		data->is_called = false;
		data->log_cnt = 0;

		END_CRIT_SECTION();
	}
	UnlockReleaseBuffer(buf);
	return move;
}

/* Open, move and close a sequence: seqguard_move_open() for one move. */
bool
seqguard_move_sequence(Oid seqid, int64 target, bool forward_only,
					   AclMode needed, int flags, SeqState *before,
					   const char **why)
{
	SeqHandle	h;
	bool		moved;

	if ((*why = seqguard_open_sequence(seqid, needed, flags, &h)) != NULL)
		return false;
	moved = seqguard_move_open(&h, target, forward_only, before, why);
	seqguard_close_sequence(&h);
	return moved;
}
