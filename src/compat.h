/*-------------------------------------------------------------------------
 *
 * compat.h
 *	  Every difference between the PostgreSQL major versions seqguard
 *	  supports, so that the other files read as if written for one version.
 *
 * Copyright (c) 2026, seqguard developers
 *
 * src/compat.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SEQGUARD_COMPAT_H
#define SEQGUARD_COMPAT_H

#include "access/genam.h"
#include "access/tableam.h"

#if PG_VERSION_NUM < 150000
#error "seqguard requires PostgreSQL 15 or later"
#endif

/*
 * The WAL record of a sequence names its relation by RelFileNode up to 15,
 * by RelFileLocator from 16 on.
 */
#if PG_VERSION_NUM >= 160000
#define SEQGUARD_XLREC_SET_RELATION(xlrec, rel) ((xlrec).locator = (rel)->rd_locator)
#else
#define SEQGUARD_XLREC_SET_RELATION(xlrec, rel) ((xlrec).node = (rel)->rd_node)
#endif

/*
 * The sequence WAL record (xl_seq_rec, XLOG_SEQ_LOG) and the special space
 * of a sequence page (SEQ_MAGIC, sequence_magic) are declared in
 * commands/sequence_xlog.h from 19 on.  Before 19 the record is in
 * commands/sequence.h and the special space is private to sequence.c, so it
 * is copied here; it is unchanged since sequences got their own catalog in
 * PostgreSQL 10.
 */
#if PG_VERSION_NUM >= 190000
#include "commands/sequence_xlog.h"
#define SEQGUARD_SEQ_MAGIC SEQ_MAGIC
typedef sequence_magic seqguard_sequence_magic;
#else
#include "commands/sequence.h"
#define SEQGUARD_SEQ_MAGIC 0x1717
typedef struct seqguard_sequence_magic
{
	uint32		magic;
} seqguard_sequence_magic;
#endif

/*
 * index_beginscan() takes an instrumentation argument from 18 on, and scan
 * flags from 19 on; table_beginscan() takes scan flags from 19 on.  SO_NONE
 * asks for what the earlier versions did.
 */
#if PG_VERSION_NUM >= 190000
#define seqguard_index_beginscan(heap, index, snapshot, nkeys) \
	index_beginscan((heap), (index), (snapshot), NULL, (nkeys), 0, SO_NONE)
#define seqguard_table_beginscan(rel, snapshot) \
	table_beginscan((rel), (snapshot), 0, NULL, SO_NONE)
#elif PG_VERSION_NUM >= 180000
#define seqguard_index_beginscan(heap, index, snapshot, nkeys) \
	index_beginscan((heap), (index), (snapshot), NULL, (nkeys), 0)
#define seqguard_table_beginscan(rel, snapshot) \
	table_beginscan((rel), (snapshot), 0, NULL)
#else
#define seqguard_index_beginscan(heap, index, snapshot, nkeys) \
	index_beginscan((heap), (index), (snapshot), (nkeys), 0)
#define seqguard_table_beginscan(rel, snapshot) \
	table_beginscan((rel), (snapshot), 0, NULL)
#endif

/* privileges on a schema: pg_namespace_aclcheck() became object_aclcheck() in 16 */
#if PG_VERSION_NUM >= 160000
#include "catalog/pg_namespace.h"
#define seqguard_namespace_aclcheck(nspid, roleid, mode) \
	object_aclcheck(NamespaceRelationId, (nspid), (roleid), (mode))
#else
#define seqguard_namespace_aclcheck(nspid, roleid, mode) \
	pg_namespace_aclcheck((nspid), (roleid), (mode))
#endif

/*
 * The role a subscription's workers write as: its owner up to 15; from 16
 * on, each table's owner unless the subscription has run_as_owner.
 */
#if PG_VERSION_NUM >= 160000
#define seqguard_subscription_runs_as_owner(sub) ((sub)->runasowner)
#else
#define seqguard_subscription_runs_as_owner(sub) true
#endif

/*
 * A subscription's sequence-sync worker, which copies the publisher's
 * sequence positions, exists from 19 on.
 */
#if PG_VERSION_NUM >= 190000
#define seqguard_is_sequencesync_worker() \
	(MyLogicalRepWorker != NULL && am_sequencesync_worker())
#else
#define seqguard_is_sequencesync_worker() false
#endif

#endif							/* SEQGUARD_COMPAT_H */
