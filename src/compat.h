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

/* index_beginscan() takes an instrumentation argument from 18 on. */
#if PG_VERSION_NUM >= 180000
#define seqguard_index_beginscan(heap, index, snapshot, nkeys) \
	index_beginscan((heap), (index), (snapshot), NULL, (nkeys), 0)
#else
#define seqguard_index_beginscan(heap, index, snapshot, nkeys) \
	index_beginscan((heap), (index), (snapshot), (nkeys), 0)
#endif

/* a whole-table scan */
#define seqguard_table_beginscan(rel, snapshot) \
	table_beginscan((rel), (snapshot), 0, NULL)

/* privileges on a schema: pg_namespace_aclcheck() became object_aclcheck() in 16 */
#if PG_VERSION_NUM >= 160000
#define seqguard_namespace_aclcheck(nspid, roleid, mode) \
	object_aclcheck(NamespaceRelationId, (nspid), (roleid), (mode))
#else
#define seqguard_namespace_aclcheck(nspid, roleid, mode) \
	pg_namespace_aclcheck((nspid), (roleid), (mode))
#endif

#endif							/* SEQGUARD_COMPAT_H */
