/*-------------------------------------------------------------------------
 *
 * guard_utility.c
 *	  The guard's part in utility statements: COPY FROM, which writes rows
 *	  without a plan, and the DDL that brings existing rows under a sequence
 *	  (ATTACH PARTITION, INHERIT, ADD ... AS IDENTITY, SET DEFAULT, a TYPE
 *	  change that rewrites the column, ALTER SEQUENCE ... OWNED BY).
 *
 * Copyright (c) 2026, seqguard developers
 *
 * src/guard_utility.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/relation.h"
#include "access/xact.h"
#include "catalog/dependency.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_inherits.h"
#include "commands/copy.h"
#include "storage/lmgr.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/syscache.h"

#include "guard_int.h"
#include "seqguard.h"

/*
 * What a DDL statement brought under which sequences: the rows of table
 * relid (and its inheritors) now count for the sequences that feed the
 * columns of "from" (only column "column", if set), or for seqid alone.
 */
typedef struct DdlSubject
{
	Oid			relid;
	Oid			from;
	const char *column;
	Oid			seqid;
} DdlSubject;

static void
add_subject(List **subjects, Oid relid, Oid from, const char *column, Oid seqid)
{
	DdlSubject *subject = palloc(sizeof(DdlSubject));

	if (!OidIsValid(relid) || (!OidIsValid(from) && !OidIsValid(seqid)))
		return;
	subject->relid = relid;
	subject->from = from;
	subject->column = column;
	subject->seqid = seqid;
	*subjects = lappend(*subjects, subject);
}

/*
 * The subjects of DDL that brings rows under a sequence: ATTACH PARTITION
 * and INHERIT (the child's rows, for its new parent's sequences), ADD ...
 * AS IDENTITY, SET DEFAULT and a TYPE change that rewrites the column (the
 * column's rows, for its sequences), and ALTER SEQUENCE ... OWNED BY (the
 * owning table's rows, for that sequence).  Every subcommand counts.
 */
static List *
ddl_subjects(Node *parsetree, ProcessUtilityContext context)
{
	List	   *subjects = NIL;
	ListCell   *lc;

	if (IsA(parsetree, AlterTableStmt))
	{
		AlterTableStmt *stmt = (AlterTableStmt *) parsetree;
		Oid			relid;

		if (stmt->objtype != OBJECT_TABLE && stmt->objtype != OBJECT_FOREIGN_TABLE)
			return NIL;
		relid = RangeVarGetRelid(stmt->relation, NoLock, true);
		foreach(lc, stmt->cmds)
		{
			AlterTableCmd *cmd = lfirst(lc);

			if (cmd->subtype == AT_AttachPartition)
				add_subject(&subjects,
							RangeVarGetRelid(((PartitionCmd *) cmd->def)->name, NoLock, true),
							relid, NULL, InvalidOid);
			else if (cmd->subtype == AT_AddInherit)
				add_subject(&subjects, relid,
							RangeVarGetRelid((RangeVar *) cmd->def, NoLock, true),
							NULL, InvalidOid);
			else if (cmd->subtype == AT_AddIdentity || cmd->subtype == AT_AlterColumnType ||
					 (cmd->subtype == AT_ColumnDefault && cmd->def != NULL))
				add_subject(&subjects, relid, relid, cmd->name, InvalidOid);
		}
	}

	/*
	 * OWNED BY given by CREATE TABLE or ADD COLUMN for a serial column (a
	 * subcommand) covers a column just filled from the sequence.
	 */
	else if (IsA(parsetree, AlterSeqStmt) && context != PROCESS_UTILITY_SUBCOMMAND)
	{
		foreach(lc, ((AlterSeqStmt *) parsetree)->options)
		{
			Oid			seqid;
			Oid			tableid;
			int32		colid;

			if (strcmp(((DefElem *) lfirst(lc))->defname, "owned_by") != 0)
				continue;
			seqid = RangeVarGetRelid(((AlterSeqStmt *) parsetree)->sequence, NoLock, true);
			if (OidIsValid(seqid) &&
				sequenceIsOwned(seqid, DEPENDENCY_AUTO, &tableid, &colid))
				add_subject(&subjects, tableid, InvalidOid, NULL, seqid);
		}
	}
	return subjects;
}

/*
 * After DDL that brought rows under a sequence: every row of the subject
 * table's tree counts, as if written by the statement.  Members that the
 * statement did not lock are locked without waiting; one that cannot be
 * locked cannot be read, which is said (error mode: the statement fails).
 */
static void
guard_ddl(const DdlSubject *subject, List **targets, List **rels, List **locked)
{
	List	   *seqids = NIL;
	ListCell   *lc;

	if (!SearchSysCacheExists1(RELOID, ObjectIdGetDatum(subject->relid)))
		return;
	if (OidIsValid(subject->seqid))
		seqids = list_make1_oid(subject->seqid);
	else
		foreach(lc, guard_feeds(subject->from))
		{
			SeqFeed    *feed = lfirst(lc);

			if (subject->column == NULL || strcmp(subject->column, feed->attname) == 0)
				seqids = list_append_unique_oid(seqids, feed->seqid);
		}
	if (seqids == NIL)
		return;

	foreach(lc, find_all_inheritors(subject->relid, NoLock, NULL))
	{
		Oid			member = lfirst_oid(lc);
		Relation	rel;

		if (!CheckRelationOidLockedByMe(member, AccessShareLock, true))
		{
			if (!ConditionalLockRelationOid(member, AccessShareLock))
			{
				ereport(seqguard_mode == GUARD_ERROR ? ERROR : WARNING,
						(errcode(ERRCODE_LOCK_NOT_AVAILABLE),
						 errmsg("seqguard cannot check the rows of table \"%s\": it is locked by another session",
								get_rel_name(member))));
				continue;
			}
			*locked = lappend_oid(*locked, member);
		}
		if ((rel = try_relation_open(member, NoLock)) != NULL)
		{
			*rels = lappend(*rels, rel);
			guard_add_targets(targets, rel, seqids, false);
		}
	}
}

/*
 * After COPY FROM: the relations it wrote into are the target, or, when it
 * is partitioned, the partitions that rows were routed to, which are those
 * the statement locked.  It wrote the listed columns, and stored generated
 * ones; BEFORE ROW triggers may have set any.
 */
static void
guard_copy(const UtilityWork *uw)
{
	CopyStmt   *copy = (CopyStmt *) uw->parsetree;
	List	   *rels = NIL;
	List	   *targets = NIL;
	ListCell   *lc;

	if (!OidIsValid(uw->relid) ||
		!CheckRelationOidLockedByMe(uw->relid, RowExclusiveLock, true))
		return;
	rels = list_make1(relation_open(uw->relid, NoLock));
	if (get_rel_relkind(uw->relid) == RELKIND_PARTITIONED_TABLE)
		foreach(lc, find_all_inheritors(uw->relid, NoLock, NULL))
		{
			Oid			member = lfirst_oid(lc);

			if (member != uw->relid &&
				CheckRelationOidLockedByMe(member, RowExclusiveLock, true))
				rels = lappend(rels, relation_open(member, NoLock));
		}

	foreach(lc, rels)
	{
		Relation	rel = lfirst(lc);
		bool		triggers = rel->trigdesc && rel->trigdesc->trig_insert_before_row;
		ListCell   *fc;

		foreach(fc, guard_feeds(RelationGetRelid(rel)))
		{
			SeqFeed    *feed = lfirst(fc);
			bool		listed = copy->attlist == NIL || triggers ||
				feed->generated == ATTRIBUTE_GENERATED_STORED;
			ListCell   *ac;

			foreach(ac, copy->attlist)
				listed |= strcmp(strVal(lfirst(ac)), feed->attname) == 0;
			if (listed)
				guard_add_target(&targets, rel, feed);
		}
	}
	guard_act(targets, uw->cid);
	foreach(lc, rels)
		relation_close(lfirst(lc), NoLock);
}

void
guard_utility(void *arg)
{
	UtilityWork *uw = arg;
	List	   *subjects;
	List	   *targets = NIL;
	List	   *rels = NIL;
	List	   *locked = NIL;
	ListCell   *lc;

	if (IsA(uw->parsetree, CopyStmt))
	{
		guard_copy(uw);
		return;
	}
	if ((subjects = ddl_subjects(uw->parsetree, uw->context)) == NIL)
		return;

	/* make the statement's catalog changes visible, and drop what they made stale */
	CommandCounterIncrement();
	guard_cache_refresh();
	foreach(lc, subjects)
		guard_ddl(lfirst(lc), &targets, &rels, &locked);
	guard_act(targets, InvalidCommandId);
	foreach(lc, rels)
		relation_close(lfirst(lc), NoLock);
	foreach(lc, locked)
		UnlockRelationOid(lfirst_oid(lc), AccessShareLock);
}
