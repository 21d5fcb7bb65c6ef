/*-------------------------------------------------------------------------
 *
 * guard_utility.c
 *	  The guard's part in utility statements: COPY FROM, which writes rows
 *	  without a plan, and the DDL that brings existing rows under a sequence
 *	  (see ddl_subjects()).
 *
 * Copyright (c) 2026, seqguard developers
 *
 * src/guard_utility.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/relation.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/dependency.h"
#include "catalog/indexing.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_depend.h"
#include "catalog/pg_inherits.h"
#include "catalog/pg_type.h"
#include "commands/copy.h"
#include "nodes/makefuncs.h"
#include "parser/parse_type.h"
#include "storage/lmgr.h"
#include "utils/fmgroids.h"
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

/* the subject of a pg_sequence row's OWNED BY: the owning table's rows */
static void
add_owned_subject(List **subjects, RangeVar *sequence)
{
	Oid			seqid = RangeVarGetRelid(sequence, NoLock, true);
	Oid			tableid;
	int32		colid;

	if (OidIsValid(seqid) && sequenceIsOwned(seqid, DEPENDENCY_AUTO, &tableid, &colid))
		add_subject(subjects, tableid, InvalidOid, NULL, seqid);
}

/* does a list of sequence options set OWNED BY? */
static bool
sets_owned_by(List *options)
{
	ListCell   *lc;

	foreach(lc, options)
		if (strcmp(((DefElem *) lfirst(lc))->defname, "owned_by") == 0)
			return true;
	return false;
}

/*
 * The subjects of ALTER DOMAIN ... SET DEFAULT: every column of the domain
 * (a column with a default of its own keeps it; guard_ddl() finds which
 * now take the domain's), found through their pg_depend rows.
 */
static void
add_domain_subjects(List **subjects, AlterDomainStmt *stmt)
{
	TypeName   *name = makeTypeNameFromNameList(stmt->typeName);
	Type		type = LookupTypeName(NULL, name, NULL, true);
	Oid			typid;
	Relation	dep;
	ScanKeyData key[2];
	SysScanDesc scan;
	HeapTuple	tuple;

	if (type == NULL)
		return;
	typid = typeTypeId(type);
	ReleaseSysCache(type);

	dep = table_open(DependRelationId, AccessShareLock);
	ScanKeyInit(&key[0], Anum_pg_depend_refclassid, BTEqualStrategyNumber,
				F_OIDEQ, ObjectIdGetDatum(TypeRelationId));
	ScanKeyInit(&key[1], Anum_pg_depend_refobjid, BTEqualStrategyNumber,
				F_OIDEQ, ObjectIdGetDatum(typid));
	scan = systable_beginscan(dep, DependReferenceIndexId, true, NULL, 2, key);
	while (HeapTupleIsValid(tuple = systable_getnext(scan)))
	{
		Form_pg_depend d = (Form_pg_depend) GETSTRUCT(tuple);
		char	   *attname;

		if (d->classid != RelationRelationId || d->objsubid <= 0)
			continue;
		attname = get_attname(d->objid, d->objsubid, true);
		if (attname != NULL)
			add_subject(subjects, d->objid, d->objid, attname, InvalidOid);
	}
	systable_endscan(scan);
	table_close(dep, AccessShareLock);
}

/*
 * The subjects of DDL that brings rows under a sequence: ATTACH PARTITION
 * and INHERIT (the child's rows, for its new parent's sequences); ADD ...
 * AS IDENTITY, SET DEFAULT, DROP DEFAULT (which can let a domain's
 * nextval() default apply) and a TYPE change that rewrites the column (the
 * column's rows, for its sequences); CREATE or ALTER SEQUENCE ... OWNED
 * BY (the owning table's rows, for that sequence); ALTER DOMAIN ... SET
 * DEFAULT (the rows of its columns).  Every subcommand counts.
 *
 * OWNED BY given by CREATE TABLE or ADD COLUMN for a serial column (a
 * subcommand) covers a column just filled from the sequence.
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
					 cmd->subtype == AT_ColumnDefault)
				add_subject(&subjects, relid, relid, cmd->name, InvalidOid);
		}
	}
	else if (context == PROCESS_UTILITY_SUBCOMMAND)
		return NIL;
	else if (IsA(parsetree, AlterSeqStmt) && sets_owned_by(((AlterSeqStmt *) parsetree)->options))
		add_owned_subject(&subjects, ((AlterSeqStmt *) parsetree)->sequence);
	else if (IsA(parsetree, CreateSeqStmt) && sets_owned_by(((CreateSeqStmt *) parsetree)->options))
		add_owned_subject(&subjects, ((CreateSeqStmt *) parsetree)->sequence);
	else if (IsA(parsetree, AlterDomainStmt) && ((AlterDomainStmt *) parsetree)->subtype == 'T' &&
			 ((AlterDomainStmt *) parsetree)->def != NULL)
		add_domain_subjects(&subjects, (AlterDomainStmt *) parsetree);
	return subjects;
}

/*
 * After DDL that brought rows under a sequence: every row of the subject
 * table's tree counts, as if written by the statement.  The tree is read
 * one member at a time (guard_act.c), so that trees of thousands of
 * partitions fit in the lock table.
 */
static void
guard_ddl(const DdlSubject *subject, List **targets)
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

	foreach(lc, guard_feeds(subject->relid))
	{
		SeqFeed    *feed = lfirst(lc);
		Target	   *t;

		if (!list_member_oid(seqids, feed->seqid))
			continue;
		t = palloc0(sizeof(Target));
		t->root = subject->relid;
		t->feed = feed;
		*targets = lappend(*targets, t);
	}
}

/*
 * After COPY FROM: the relations it wrote into are the target, or, when it
 * is partitioned, the partitions that rows were routed to, which are those
 * the statement locked.  It wrote the listed columns, and stored generated
 * ones; BEFORE ROW triggers may have set others (guard_trigger.c).
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
		ListCell   *fc;

		foreach(fc, guard_feeds(RelationGetRelid(rel)))
		{
			SeqFeed    *feed = lfirst(fc);
			bool		listed = copy->attlist == NIL ||
				feed->generated == ATTRIBUTE_GENERATED_STORED;
			ListCell   *ac;

			foreach(ac, copy->attlist)
				listed |= strcmp(strVal(lfirst(ac)), feed->attname) == 0;
			if (listed || feed->trig_insert)
				guard_add_target(&targets, rel, NULL, feed, !listed);
		}
	}
	guard_act(targets, NIL, uw->cid, seqguard_mode);
	foreach(lc, rels)
		relation_close(lfirst(lc), NoLock);
}

void
guard_utility(void *arg)
{
	UtilityWork *uw = arg;
	List	   *subjects;
	List	   *targets = NIL;
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
		guard_ddl(lfirst(lc), &targets);
	guard_act(targets, NIL, InvalidCommandId, seqguard_mode);
}
