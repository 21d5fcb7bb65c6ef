/*-------------------------------------------------------------------------
 *
 * catalog.c
 *	  Which columns are fed by which sequence.
 *
 * A column is fed by a sequence when it is an identity column, when it
 * owns the sequence (serial, or ALTER SEQUENCE ... OWNED BY), or when its
 * default calls nextval() on it.  The first two are pg_depend edges from
 * the sequence to the column (deptype 'i' and 'a'); the third is found in
 * the default's expression, whose dependency on the sequence pg_depend also
 * records (along with any other mention of it, such as currval('s'), which
 * does not count).  Children of inheritance and partition trees are folded
 * into their root, so that each tree is reported, and judged, once.
 *
 * Everything here reads the catalogs directly with systable scans under
 * the catalog snapshot, as getOwnedSequences() does: no SQL is run, so
 * neither the caller's search_path (and whatever operators it puts first)
 * nor its transaction snapshot can change the answer, and no user code can
 * run in the middle.  Objects dropped concurrently simply drop out.
 *
 * Copyright (c) 2026, seqguard developers
 *
 * src/catalog.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/dependency.h"
#include "catalog/indexing.h"
#include "catalog/namespace.h"
#include "catalog/pg_attrdef.h"
#include "catalog/pg_attribute.h"
#include "catalog/pg_class.h"
#include "catalog/pg_depend.h"
#include "catalog/pg_inherits.h"
#include "catalog/pg_sequence.h"
#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "nodes/nodeFuncs.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/hsearch.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/syscache.h"

#include "catalog.h"
#include "range.h"

/* an entry of an OID set or map built with dynahash */
typedef struct OidEntry
{
	Oid			key;
	Oid			value;
} OidEntry;

static HTAB *
oid_map_create(const char *name, long size)
{
	HASHCTL		ctl;

	ctl.keysize = sizeof(Oid);
	ctl.entrysize = sizeof(OidEntry);
	ctl.hcxt = CurrentMemoryContext;
	return hash_create(name, size, &ctl, HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
}

static void
oid_map_put(HTAB *map, Oid key, Oid value)
{
	OidEntry   *e = hash_search(map, &key, HASH_ENTER, NULL);

	e->value = value;
}

static bool
oid_map_get(HTAB *map, Oid key, Oid *value)
{
	OidEntry   *e = hash_search(map, &key, HASH_FIND, NULL);

	if (e && value)
		*value = e->value;
	return e != NULL;
}

/* a (column, sequence) edge, before folding and naming */
static SeqFeed *
make_edge(Oid relid, AttrNumber attnum, Oid seqid, FeedKind kind)
{
	SeqFeed    *e = palloc0(sizeof(SeqFeed));

	e->relid = relid;
	e->attnum = attnum;
	e->seqid = seqid;
	e->kind = kind;
	return e;
}

/*
 * Collect into *context (a List **) the sequences that the expression
 * calls nextval() on.  The parser turns nextval('s') into
 * nextval('s'::regclass), a constant; any other argument names no
 * particular sequence.
 */
static bool
nextval_walker(Node *node, void *context)
{
	if (node == NULL)
		return false;
	if (IsA(node, FuncExpr) && ((FuncExpr *) node)->funcid == F_NEXTVAL &&
		list_length(((FuncExpr *) node)->args) == 1)
	{
		Node	   *arg = linitial(((FuncExpr *) node)->args);

		if (IsA(arg, Const) && ((Const *) arg)->consttype == REGCLASSOID &&
			!((Const *) arg)->constisnull)
			*(List **) context = list_append_unique_oid(*(List **) context,
														DatumGetObjectId(((Const *) arg)->constvalue));
	}
	return expression_tree_walker(node, nextval_walker, context);
}

/*
 * Is this a cast that keeps a sequence's value, from one numeric type to
 * another (a conversion, or a length coercion such as numeric(12, 2),
 * whose extra arguments are constants)?
 */
static bool
is_value_cast(Node *node)
{
	FuncExpr   *f = (FuncExpr *) node;
	ListCell   *lc;

	if (!IsA(node, FuncExpr) || f->args == NIL ||
		(f->funcformat != COERCE_IMPLICIT_CAST && f->funcformat != COERCE_EXPLICIT_CAST) ||
		!seqguard_type_comparable(f->funcresulttype) ||
		!seqguard_type_comparable(exprType(linitial(f->args))))
		return false;
	for_each_from(lc, f->args, 1)
		if (!IsA(lfirst(lc), Const))
		return false;
	return true;
}

/*
 * The sequence whose values expr gives: nextval() of one sequence (or an
 * identity column's NextValueExpr), perhaps under casts between numeric
 * types or a domain.  InvalidOid for anything else, including an
 * expression that computes something from nextval() (an offset, a
 * multiple, text): its values are not the sequence's.
 */
Oid
seqguard_nextval_of(Node *expr)
{
	for (;;)
	{
		if (expr == NULL)
			return InvalidOid;
		if (IsA(expr, RelabelType))
			expr = (Node *) ((RelabelType *) expr)->arg;
		else if (IsA(expr, CoerceToDomain))
			expr = (Node *) ((CoerceToDomain *) expr)->arg;
		else if (is_value_cast(expr))
			expr = linitial(((FuncExpr *) expr)->args);
		else
			break;
	}
	if (IsA(expr, NextValueExpr))
		return ((NextValueExpr *) expr)->seqid;
	if (IsA(expr, FuncExpr) && ((FuncExpr *) expr)->funcid == F_NEXTVAL &&
		list_length(((FuncExpr *) expr)->args) == 1)
	{
		Node	   *arg = linitial(((FuncExpr *) expr)->args);

		if (IsA(arg, Const) && !((Const *) arg)->constisnull &&
			((Const *) arg)->consttype == REGCLASSOID)
			return DatumGetObjectId(((Const *) arg)->constvalue);
	}
	return InvalidOid;
}

/*
 * Append to *edges an edge (relid, attnum) for each sequence that the
 * default expression (a pg_attrdef or pg_type node tree) calls nextval()
 * on; an edge is derived where the default computes its value from
 * nextval() instead of being it.  A sequence must pass is_seq().
 */
static void
default_edges_of(const char *nodetree, Oid relid, AttrNumber attnum, FeedKind kind,
				 bool (*is_seq) (Oid, void *), void *arg, List **edges)
{
	Node	   *expr = stringToNode(nodetree);
	Oid			plain = seqguard_nextval_of(expr);
	List	   *seqids = NIL;
	ListCell   *lc;

	(void) nextval_walker(expr, &seqids);
	foreach(lc, seqids)
	{
		SeqFeed    *e;

		if (!is_seq(lfirst_oid(lc), arg))
			continue;
		e = make_edge(relid, attnum, lfirst_oid(lc), kind);
		e->derived = lfirst_oid(lc) != plain;
		*edges = lappend(*edges, e);
	}
}

/* the nodes of a pg_attrdef tuple's expression, or NULL */
static char *
attrdef_nodes(HeapTuple tuple, TupleDesc desc)
{
	bool		isnull;
	Datum		adbin = heap_getattr(tuple, Anum_pg_attrdef_adbin, desc, &isnull);

	return isnull ? NULL : TextDatumGetCString(adbin);
}

static bool
is_sequence(Oid relid, void *arg)
{
	return get_rel_relkind(relid) == RELKIND_SEQUENCE;
}

/* is relid in the map of sequences arg? */
static bool
in_map(Oid relid, void *arg)
{
	return oid_map_get((HTAB *) arg, relid, NULL);
}

/*
 * Does this pg_depend row tie a relation (a sequence, which the caller
 * checks) to a column, as that column's owned (deptype 'a') or identity
 * ('i') sequence?
 */
static bool
ties_owned(Form_pg_depend d)
{
	return d->classid == RelationRelationId && d->refclassid == RelationRelationId &&
		d->refobjsubid > 0 &&
		(d->deptype == DEPENDENCY_AUTO || d->deptype == DEPENDENCY_INTERNAL);
}

/* the edge of a row for which ties_owned() holds */
static SeqFeed *
owned_edge(Form_pg_depend d)
{
	return make_edge(d->refobjid, d->refobjsubid, d->objid,
					 d->deptype == DEPENDENCY_INTERNAL ? FEED_IDENTITY : FEED_OWNED);
}

/*
 * Copies of the pg_depend rows of a relation, found through one of
 * pg_depend's indexes: on the dependent object (classid, objid) or on the
 * referenced one (refclassid, refobjid), with class pg_class and the
 * given relation.
 */
static List *
depend_rows(Oid indexid, AttrNumber classatt, AttrNumber objatt, Oid relid)
{
	Relation	dep = table_open(DependRelationId, AccessShareLock);
	ScanKeyData key[2];
	SysScanDesc scan;
	HeapTuple	tuple;
	List	   *rows = NIL;

	ScanKeyInit(&key[0], classatt, BTEqualStrategyNumber,
				F_OIDEQ, ObjectIdGetDatum(RelationRelationId));
	ScanKeyInit(&key[1], objatt, BTEqualStrategyNumber,
				F_OIDEQ, ObjectIdGetDatum(relid));
	scan = systable_beginscan(dep, indexid, true, NULL, 2, key);
	while (HeapTupleIsValid(tuple = systable_getnext(scan)))
	{
		Form_pg_depend d = palloc(sizeof(FormData_pg_depend));

		memcpy(d, GETSTRUCT(tuple), sizeof(FormData_pg_depend));
		rows = lappend(rows, d);
	}
	systable_endscan(scan);
	table_close(dep, AccessShareLock);
	return rows;
}

/*
 * Append to *edges the owned and identity sequences of one relation's
 * columns: pg_depend rows whose referenced object is a column of relid
 * and whose dependent is a sequence, found through pg_depend's index on
 * the referenced object.
 */
static void
owned_edges(Oid relid, List **edges)
{
	ListCell   *lc;

	foreach(lc, depend_rows(DependReferenceIndexId, Anum_pg_depend_refclassid,
							Anum_pg_depend_refobjid, relid))
	{
		Form_pg_depend d = lfirst(lc);

		if (ties_owned(d) && is_sequence(d->objid, NULL))
			*edges = lappend(*edges, owned_edge(d));
	}
}

/* Append to *edges the nextval() defaults of one relation's columns. */
static void
default_edges(Oid relid, List **edges)
{
	Relation	ad = table_open(AttrDefaultRelationId, AccessShareLock);
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tuple;

	ScanKeyInit(&key, Anum_pg_attrdef_adrelid, BTEqualStrategyNumber,
				F_OIDEQ, ObjectIdGetDatum(relid));
	scan = systable_beginscan(ad, AttrDefaultIndexId, true, NULL, 1, &key);
	while (HeapTupleIsValid(tuple = systable_getnext(scan)))
	{
		Form_pg_attrdef def = (Form_pg_attrdef) GETSTRUCT(tuple);
		char	   *nodes = attrdef_nodes(tuple, RelationGetDescr(ad));

		if (nodes != NULL)
			default_edges_of(nodes, relid, def->adnum, FEED_DEFAULT,
							 is_sequence, NULL, edges);
	}
	systable_endscan(scan);
	table_close(ad, AccessShareLock);
}

/*
 * The nodes of a domain's default, or NULL when typid is not a domain or
 * has none: a column of the domain that has no default of its own takes
 * it.
 */
static char *
domain_default_nodes(Oid typid)
{
	HeapTuple	tup = SearchSysCache1(TYPEOID, ObjectIdGetDatum(typid));
	char	   *nodes = NULL;

	if (HeapTupleIsValid(tup))
	{
		bool		isnull;
		Datum		bin;

		if (((Form_pg_type) GETSTRUCT(tup))->typtype == TYPTYPE_DOMAIN)
		{
			bin = SysCacheGetAttr(TYPEOID, tup, Anum_pg_type_typdefaultbin, &isnull);
			if (!isnull)
				nodes = TextDatumGetCString(bin);
		}
		ReleaseSysCache(tup);
	}
	return nodes;
}

/*
 * Append to *edges the columns of one relation whose domain's default
 * calls nextval(), and to *domains every domain its columns are of (a
 * later ALTER DOMAIN ... SET DEFAULT changes the answer): pg_depend
 * records each column's dependency on a type that is not built in.
 */
static void
domain_edges(Oid relid, List **edges, List **domains)
{
	ListCell   *lc;

	foreach(lc, depend_rows(DependDependerIndexId, Anum_pg_depend_classid,
							Anum_pg_depend_objid, relid))
	{
		Form_pg_depend d = lfirst(lc);
		char	   *nodes;

		if (d->refclassid != TypeRelationId || d->objsubid <= 0 ||
			get_typtype(d->refobjid) != TYPTYPE_DOMAIN)
			continue;
		*domains = list_append_unique_oid(*domains, d->refobjid);
		if ((nodes = domain_default_nodes(d->refobjid)) != NULL)
			default_edges_of(nodes, relid, d->objsubid, FEED_DOMAIN,
							 is_sequence, NULL, edges);
	}
}

/*
 * Every (column, sequence) edge in the database, by one pass over
 * pg_sequence, pg_depend and the pg_attrdef rows that depend on a
 * sequence: linear in the size of the catalogs, with no per-table lookup.
 */
static List *
all_edges(void)
{
	HTAB	   *seqs = oid_map_create("seqguard sequences", 1024);
	HTAB	   *attrdefs = oid_map_create("seqguard defaults", 1024);
	HTAB	   *domains = oid_map_create("seqguard domains", 64);
	List	   *typed = NIL;	/* columns of types that are not built in */
	List	   *edges = NIL;
	ListCell   *lc;
	Relation	rel;
	SysScanDesc scan;
	HeapTuple	tuple;

	rel = table_open(SequenceRelationId, AccessShareLock);
	scan = systable_beginscan(rel, InvalidOid, false, NULL, 0, NULL);
	while (HeapTupleIsValid(tuple = systable_getnext(scan)))
		oid_map_put(seqs, ((Form_pg_sequence) GETSTRUCT(tuple))->seqrelid, InvalidOid);
	systable_endscan(scan);
	table_close(rel, AccessShareLock);

	rel = table_open(DependRelationId, AccessShareLock);
	scan = systable_beginscan(rel, InvalidOid, false, NULL, 0, NULL);
	while (HeapTupleIsValid(tuple = systable_getnext(scan)))
	{
		Form_pg_depend d = (Form_pg_depend) GETSTRUCT(tuple);

		/* a column's type; the domains among them are looked at below */
		if (d->refclassid == TypeRelationId && d->classid == RelationRelationId &&
			d->objsubid > 0)
		{
			typed = lappend(typed, make_edge(d->objid, d->objsubid, d->refobjid,
											 FEED_DOMAIN));
			continue;
		}
		if (d->refclassid != RelationRelationId ||
			!oid_map_get(seqs, d->classid == RelationRelationId ? d->objid : d->refobjid, NULL))
			continue;
		if (d->classid == TypeRelationId)
		{
			oid_map_put(domains, d->objid, InvalidOid);
			continue;
		}
		if (ties_owned(d))
			edges = lappend(edges, owned_edge(d));
		else if (d->classid == AttrDefaultRelationId && d->refobjsubid == 0)
			oid_map_put(attrdefs, d->objid, InvalidOid);
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);

	if (hash_get_num_entries(attrdefs) > 0)
	{
		rel = table_open(AttrDefaultRelationId, AccessShareLock);
		scan = systable_beginscan(rel, InvalidOid, false, NULL, 0, NULL);
		while (HeapTupleIsValid(tuple = systable_getnext(scan)))
		{
			Form_pg_attrdef def = (Form_pg_attrdef) GETSTRUCT(tuple);
			char	   *nodes;

			if (!oid_map_get(attrdefs, def->oid, NULL) ||
				(nodes = attrdef_nodes(tuple, RelationGetDescr(rel))) == NULL)
				continue;
			default_edges_of(nodes, def->adrelid, def->adnum, FEED_DEFAULT,
							 in_map, seqs, &edges);
		}
		systable_endscan(scan);
		table_close(rel, AccessShareLock);
	}

	/* columns of a domain whose default calls nextval() (seqid holds the type) */
	foreach(lc, typed)
	{
		SeqFeed    *col = lfirst(lc);
		char	   *nodes;

		if (oid_map_get(domains, col->seqid, NULL) &&
			(nodes = domain_default_nodes(col->seqid)) != NULL)
			default_edges_of(nodes, col->relid, col->attnum, FEED_DOMAIN,
							 in_map, seqs, &edges);
	}
	list_free_deep(typed);

	hash_destroy(seqs);
	hash_destroy(attrdefs);
	hash_destroy(domains);
	return edges;
}

/* one row of pg_inherits */
typedef struct InhRow
{
	Oid			child;
	Oid			parent;
	int32		seqno;
} InhRow;

static int
inh_cmp(const ListCell *a, const ListCell *b)
{
	const InhRow *ia = lfirst(a);
	const InhRow *ib = lfirst(b);

	if (ia->child != ib->child)
		return ia->child < ib->child ? -1 : 1;
	return ia->seqno < ib->seqno ? -1 : ia->seqno > ib->seqno ? 1 : 0;
}

/* a relation's parents, in the order they were declared */
typedef struct ParentsEntry
{
	Oid			child;			/* hash key */
	List	   *parents;
} ParentsEntry;

/* child -> its parents, for every relation that inherits */
static HTAB *
all_parents(void)
{
	HASHCTL		ctl;
	HTAB	   *parents;
	List	   *rows = NIL;
	Relation	rel = table_open(InheritsRelationId, AccessShareLock);
	SysScanDesc scan = systable_beginscan(rel, InvalidOid, false, NULL, 0, NULL);
	HeapTuple	tuple;
	ListCell   *lc;

	while (HeapTupleIsValid(tuple = systable_getnext(scan)))
	{
		Form_pg_inherits inh = (Form_pg_inherits) GETSTRUCT(tuple);
		InhRow	   *row = palloc(sizeof(InhRow));

		row->child = inh->inhrelid;
		row->parent = inh->inhparent;
		row->seqno = inh->inhseqno;
		rows = lappend(rows, row);
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);

	ctl.keysize = sizeof(Oid);
	ctl.entrysize = sizeof(ParentsEntry);
	ctl.hcxt = CurrentMemoryContext;
	parents = hash_create("seqguard parents", 256, &ctl,
						  HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	list_sort(rows, inh_cmp);
	foreach(lc, rows)
	{
		InhRow	   *row = lfirst(lc);
		bool		found;
		ParentsEntry *e = hash_search(parents, &row->child, HASH_ENTER, &found);

		if (!found)
			e->parents = NIL;
		e->parents = lappend_oid(e->parents, row->parent);
	}
	list_free_deep(rows);
	return parents;
}

/* a relation's parents in pg_inherits, in the order they were declared */
static List *
parents_of(Oid relid)
{
	Relation	inh;
	SysScanDesc scan;
	ScanKeyData key;
	HeapTuple	tuple;
	List	   *parents = NIL;

	inh = table_open(InheritsRelationId, AccessShareLock);
	ScanKeyInit(&key, Anum_pg_inherits_inhrelid,
				BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(relid));
	/* the index orders a child's rows by inhseqno */
	scan = systable_beginscan(inh, InheritsRelidSeqnoIndexId, true,
							  NULL, 1, &key);
	while ((tuple = systable_getnext(scan)) != NULL)
		parents = lappend_oid(parents, ((Form_pg_inherits) GETSTRUCT(tuple))->inhparent);
	systable_endscan(scan);
	table_close(inh, AccessShareLock);
	return parents;
}

/* a relation and all its ancestors, through every parent */
List *
seqguard_lineage(Oid relid)
{
	List	   *result = list_make1_oid(relid);

	/* result grows as it is walked: each member's parents are appended */
	for (int i = 0; i < list_length(result) && i < 10000; i++)
	{
		ListCell   *lc;

		foreach(lc, parents_of(list_nth_oid(result, i)))
			result = list_append_unique_oid(result, lfirst_oid(lc));
	}
	return result;
}

/*
 * The name and type of a live column; false when it has gone.  A column
 * fed through its domain's default counts only if it has no default of
 * its own.
 */
static bool
live_column(Oid relid, AttrNumber attnum, FeedKind kind, char **attname,
			Oid *typid, char *generated)
{
	HeapTuple	tup = SearchSysCache2(ATTNUM, ObjectIdGetDatum(relid),
									  Int16GetDatum(attnum));
	bool		live = false;

	if (HeapTupleIsValid(tup))
	{
		Form_pg_attribute att = (Form_pg_attribute) GETSTRUCT(tup);

		if (!att->attisdropped && !(kind == FEED_DOMAIN && att->atthasdef))
		{
			*attname = pstrdup(NameStr(att->attname));
			*typid = att->atttypid;
			*generated = att->attgenerated;
			live = true;
		}
		ReleaseSysCache(tup);
	}
	return live;
}

/* the number and type of a live column by name, or InvalidAttrNumber */
static AttrNumber
live_attnum(Oid relid, const char *attname, Oid *typid)
{
	HeapTuple	tup = SearchSysCacheAttName(relid, attname);
	AttrNumber	attnum = InvalidAttrNumber;

	if (HeapTupleIsValid(tup))
	{
		Form_pg_attribute att = (Form_pg_attribute) GETSTRUCT(tup);

		attnum = att->attnum;
		*typid = att->atttypid;
		ReleaseSysCache(tup);
	}
	return attnum;
}

/* a relation's name and schema from pg_class; false when it has gone */
static bool
rel_names(Oid relid, char **relname, Oid *nspid, char *relkind)
{
	HeapTuple	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	Form_pg_class cls;

	if (!HeapTupleIsValid(tup))
		return false;
	cls = (Form_pg_class) GETSTRUCT(tup);
	*relname = pstrdup(NameStr(cls->relname));
	*nspid = cls->relnamespace;
	*relkind = cls->relkind;
	ReleaseSysCache(tup);
	return true;
}

/*
 * Note in e whether the owner of the table that declares it may draw from
 * its sequence (USAGE or UPDATE, what nextval() needs).  Any role can
 * create a table whose default calls nextval() on any sequence, and write
 * any value there; such a table must not decide where the sequence goes.
 * A sequence dropped meanwhile counts as trusted here and drops out later.
 */
static void
note_trust(SeqFeed *e)
{
	HeapTuple	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(e->relid));
	bool		missing = false;

	if (!HeapTupleIsValid(tup))
		return;
	e->owner = ((Form_pg_class) GETSTRUCT(tup))->relowner;
	ReleaseSysCache(tup);
	e->untrusted = pg_class_aclcheck_ext(e->seqid, e->owner, ACL_USAGE | ACL_UPDATE,
										 &missing) != ACLCHECK_OK && !missing;
}

/*
 * Name an edge's table, column and sequence, after folding its table into
 * the root of its tree (following the column by name for as long as the
 * parent has one).  Returns NULL when the root is not in one of nspids
 * (NIL: all), and when any of them has gone: dropped since the catalog was
 * read, or not a table (a view's default feeds nothing).
 */
static SeqFeed *
name_edge(const SeqFeed *e, HTAB *parents, List *nspids)
{
	SeqFeed    *f = palloc0(sizeof(SeqFeed));
	ParentsEntry *pe;
	Oid			seqnspid;
	char		seqkind;
	int			depth = 0;

	f->relid = e->relid;
	f->attnum = e->attnum;
	f->seqid = e->seqid;
	f->kind = e->kind;
	f->derived = e->derived;
	if (!live_column(f->relid, f->attnum, f->kind, &f->attname, &f->typid,
					 &f->generated))
		return NULL;
	note_trust(f);

	/* up through the first parent that has the column, to the root */
	while ((pe = hash_search(parents, &f->relid, HASH_FIND, NULL)) != NULL &&
		   depth++ < 1000)
	{
		ListCell   *lc;
		bool		moved = false;

		foreach(lc, pe->parents)
		{
			Oid			ptypid;
			AttrNumber	pattnum = live_attnum(lfirst_oid(lc), f->attname, &ptypid);

			if (pattnum != InvalidAttrNumber)
			{
				f->relid = lfirst_oid(lc);
				f->attnum = pattnum;
				f->typid = ptypid;
				moved = true;
				break;
			}
		}
		if (!moved)
			break;
	}

	if (!rel_names(f->relid, &f->relname, &f->nspid, &f->relkind) ||
		(nspids != NIL && !list_member_oid(nspids, f->nspid)) ||
		(f->relkind != RELKIND_RELATION && f->relkind != RELKIND_PARTITIONED_TABLE &&
		 f->relkind != RELKIND_FOREIGN_TABLE) ||
		!rel_names(f->seqid, &f->seqname, &seqnspid, &seqkind) ||
		(f->nspname = get_namespace_name(f->nspid)) == NULL ||
		(f->seqnspname = get_namespace_name(seqnspid)) == NULL)
		return NULL;
	f->typid = getBaseType(f->typid);
	return f;
}

const char *
seqguard_kind_name(FeedKind kind)
{
	switch (kind)
	{
		case FEED_IDENTITY:
			return "identity";
		case FEED_OWNED:
			return "serial";
		case FEED_DEFAULT:
		case FEED_DOMAIN:
			return "default";
	}
	return NULL;				/* keep compiler quiet */
}

static int
feed_cmp_names(const ListCell *a, const ListCell *b)
{
	const SeqFeed *fa = lfirst(a);
	const SeqFeed *fb = lfirst(b);
	int			c;

	if ((c = strcmp(fa->nspname, fb->nspname)) != 0)
		return c;
	if ((c = strcmp(fa->relname, fb->relname)) != 0)
		return c;
	if ((c = strcmp(fa->attname, fb->attname)) != 0)
		return c;
	if ((c = strcmp(fa->seqnspname, fb->seqnspname)) != 0)
		return c;
	return strcmp(fa->seqname, fb->seqname);
}

static int
edge_cmp(const ListCell *a, const ListCell *b)
{
	const SeqFeed *ea = lfirst(a);
	const SeqFeed *eb = lfirst(b);

	if (ea->relid != eb->relid)
		return ea->relid < eb->relid ? -1 : 1;
	if (ea->attnum != eb->attnum)
		return ea->attnum < eb->attnum ? -1 : 1;
	if (ea->seqid != eb->seqid)
		return ea->seqid < eb->seqid ? -1 : 1;
	return (int) ea->kind - (int) eb->kind;
}

/*
 * A serial column shows up twice (owned, and its default); a child's
 * copied default shows up again under its root.  Keep the most specific
 * kind of each (table, column, sequence): sort, then drop repeats.  A
 * column whose default derives a value from the sequence is derived
 * whatever else ties it to the sequence.
 */
static List *
unique_edges(List *edges)
{
	List	   *result = NIL;
	SeqFeed    *prev = NULL;
	ListCell   *lc;

	list_sort(edges, edge_cmp);
	foreach(lc, edges)
	{
		SeqFeed    *e = lfirst(lc);

		if (prev && prev->relid == e->relid && prev->attnum == e->attnum &&
			prev->seqid == e->seqid)
		{
			/* a serial column whose default was changed to nextval() + 500 */
			prev->derived |= e->derived;
			prev->untrusted &= e->untrusted;
			continue;
		}
		result = lappend(result, e);
		prev = e;
	}
	list_free(edges);
	return result;
}

/*
 * Every sequence-fed column of the database, folded into tree roots,
 * limited to tables whose root is in one of nspids (NIL: all), in order of
 * schema, table, column and sequence name.  The result is allocated in the
 * caller's memory context.
 */
List *
seqguard_find_feeds(List *nspids)
{
	List	   *edges = unique_edges(all_edges());
	HTAB	   *parents = all_parents();
	List	   *feeds = NIL;
	ListCell   *lc;

	foreach(lc, edges)
	{
		SeqFeed    *f;

		CHECK_FOR_INTERRUPTS();
		if ((f = name_edge(lfirst(lc), parents, nspids)) != NULL)
			feeds = lappend(feeds, f);
	}
	list_free_deep(edges);
	hash_destroy(parents);

	/* a child's copied default folds onto its root's */
	feeds = unique_edges(feeds);
	list_sort(feeds, feed_cmp_names);
	return feeds;
}

/*
 * The sequence-fed columns of one relation, including those fed through
 * an ancestor (a partition attached without the parent's default is still
 * fed by the parent's sequence), with relid's own column numbers and no
 * names: those whose values are their sequence's, declared by a table
 * whose owner may draw from it.  *watch receives every relation the answer
 * depends on (the relation, its ancestors and the sequences), *domains
 * every domain its columns are of.  The result is allocated in the
 * caller's memory context.
 */
List *
seqguard_feeds_of(Oid relid, List **watch, List **domains)
{
	List	   *lineage = seqguard_lineage(relid);
	List	   *edges = NIL;
	List	   *columns = NIL;
	List	   *result = NIL;
	ListCell   *lc;

	*domains = NIL;
	foreach(lc, lineage)
	{
		owned_edges(lfirst_oid(lc), &edges);
		default_edges(lfirst_oid(lc), &edges);
		domain_edges(lfirst_oid(lc), &edges, domains);
	}

	*watch = lineage;
	foreach(lc, edges)
	{
		SeqFeed    *e = lfirst(lc);
		char	   *attname;
		Oid			typid;

		*watch = list_append_unique_oid(*watch, e->seqid);
		note_trust(e);
		/* the ancestor's column, by name, in relid */
		if (!live_column(e->relid, e->attnum, e->kind, &attname, &typid, &e->generated) ||
			(e->attnum = live_attnum(relid, attname, &typid)) == InvalidAttrNumber)
			continue;
		e->relid = relid;
		e->attname = attname;
		e->typid = getBaseType(typid);
		columns = lappend(columns, e);
	}
	foreach(lc, unique_edges(columns))
	{
		SeqFeed    *e = lfirst(lc);

		if (!e->derived && !e->untrusted)
			result = lappend(result, e);
	}
	return result;
}
