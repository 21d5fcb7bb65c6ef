/*-------------------------------------------------------------------------
 *
 * catalog.c
 *	  Which columns are fed by which sequence.
 *
 * A column is fed by a sequence when it is an identity column, when it
 * owns the sequence (serial, or ALTER SEQUENCE ... OWNED BY), or when its
 * default calls nextval() on it.  All three are recorded in pg_depend, so
 * one catalog query finds them without parsing any expression.  Children
 * of inheritance and partition trees are then folded into their root, so
 * that each tree is reported, and judged, once.
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
#include "catalog/indexing.h"
#include "catalog/namespace.h"
#include "catalog/pg_inherits.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "nodes/nodeFuncs.h"
#include "nodes/primnodes.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"

#include "compat.h"
#include "seqguard.h"

/*
 * Every (table, column, sequence, kind) edge of the dependency graph that
 * makes a column sequence-fed.  deptype 'i' links an identity sequence to
 * its column, 'a' an owned one; a default's dependency on the sequence its
 * nextval() names is a normal one from pg_attrdef.  That dependency is also
 * recorded for any other mention of the sequence (currval('s'), 's'::regclass),
 * so the default's expression comes along, to be looked into (adbin).  Only
 * tables, partitioned tables and foreign tables count: a view's default
 * feeds no storage.
 */
#define FEED_QUERY \
"SELECT f.relid, f.attnum, f.seqid, f.kind, t.relkind," \
"       t.relispartition OR EXISTS (SELECT FROM pg_catalog.pg_inherits i" \
"                                    WHERE i.inhrelid = f.relid) AS has_parent," \
"       tn.nspname, t.relname, a.attname, a.atttypid, sn.nspname, s.relname," \
"       t.relnamespace, f.adbin" \
"  FROM (SELECT d.refobjid AS relid, d.refobjsubid::pg_catalog.int2 AS attnum," \
"               d.objid AS seqid," \
"               CASE d.deptype WHEN 'i' THEN 0 ELSE 1 END AS kind," \
"               NULL::pg_catalog.pg_node_tree AS adbin" \
"          FROM pg_catalog.pg_depend d" \
"          JOIN pg_catalog.pg_class s ON s.oid = d.objid AND s.relkind = 'S'" \
"         WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass" \
"           AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass" \
"           AND d.refobjsubid > 0" \
"           AND d.deptype IN ('a', 'i')" \
"        UNION ALL" \
"        SELECT ad.adrelid, ad.adnum, d.refobjid, 2, ad.adbin" \
"          FROM pg_catalog.pg_attrdef ad" \
"          JOIN pg_catalog.pg_depend d" \
"            ON d.classid = 'pg_catalog.pg_attrdef'::pg_catalog.regclass" \
"           AND d.objid = ad.oid" \
"           AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass" \
"          JOIN pg_catalog.pg_class s ON s.oid = d.refobjid AND s.relkind = 'S'" \
"       ) f" \
"  JOIN pg_catalog.pg_class t ON t.oid = f.relid AND t.relkind IN ('r', 'p', 'f')" \
"  JOIN pg_catalog.pg_namespace tn ON tn.oid = t.relnamespace" \
"  JOIN pg_catalog.pg_attribute a ON a.attrelid = f.relid AND a.attnum = f.attnum" \
"  JOIN pg_catalog.pg_class s ON s.oid = f.seqid" \
"  JOIN pg_catalog.pg_namespace sn ON sn.oid = s.relnamespace"

/*
 * Does the expression call nextval() on the sequence *context?  The
 * parser turns nextval('s') into nextval('s'::regclass), a constant.
 */
static bool
calls_nextval_walker(Node *node, void *context)
{
	if (node == NULL)
		return false;
	if (IsA(node, FuncExpr) && ((FuncExpr *) node)->funcid == F_NEXTVAL &&
		list_length(((FuncExpr *) node)->args) == 1)
	{
		Node	   *arg = linitial(((FuncExpr *) node)->args);

		if (IsA(arg, Const) && ((Const *) arg)->consttype == REGCLASSOID &&
			!((Const *) arg)->constisnull &&
			DatumGetObjectId(((Const *) arg)->constvalue) == *(Oid *) context)
			return true;
	}
	return expression_tree_walker(node, calls_nextval_walker, context);
}

/*
 * Run FEED_QUERY, for every table or only for those in relids, and return
 * its rows as SeqFeeds (typid not yet reduced to its base type), allocated
 * in the caller's memory context.  has_parent is set in *parents for rows
 * of tables that inherit: only those need folding.
 */
/*
 * The plan of FEED_QUERY, prepared once per backend: planning its joins
 * costs more than running it on a database of a few hundred tables.  The
 * plan cache replans it after catalog changes.
 */
static SPIPlanPtr
feed_plan(bool some)
{
	static SPIPlanPtr plan_all = NULL;
	static SPIPlanPtr plan_some = NULL;
	SPIPlanPtr *slot = some ? &plan_some : &plan_all;

	if (*slot == NULL)
	{
		Oid			argtype = OIDARRAYOID;
		SPIPlanPtr	plan;

		plan = some ?
			SPI_prepare(FEED_QUERY " WHERE f.relid = ANY ($1)", 1, &argtype) :
			SPI_prepare(FEED_QUERY, 0, NULL);
		if (plan == NULL)
			elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
		SPI_keepplan(plan);
		*slot = plan;
	}
	return *slot;
}

static List *
raw_feeds(List *relids)
{
	MemoryContext caller = CurrentMemoryContext;
	List	   *raw = NIL;
	int			ret;

	if ((ret = SPI_connect()) != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed: %s", SPI_result_code_string(ret));
	if (relids == NIL)
		ret = SPI_execute_plan(feed_plan(false), NULL, NULL, true, 0);
	else
	{
		Datum	   *elems = palloc(sizeof(Datum) * list_length(relids));
		Datum		arg;
		ListCell   *lc;

		foreach(lc, relids)
			elems[foreach_current_index(lc)] = ObjectIdGetDatum(lfirst_oid(lc));
		arg = PointerGetDatum(construct_array(elems, list_length(relids), OIDOID,
											  sizeof(Oid), true, TYPALIGN_INT));
		ret = SPI_execute_plan(feed_plan(true), &arg, NULL, true, 0);
	}
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute failed: %s", SPI_result_code_string(ret));

	for (uint64 i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		bool		isnull;
		MemoryContext old = MemoryContextSwitchTo(caller);
		SeqFeed    *f = palloc0(sizeof(SeqFeed));

		f->relid = DatumGetObjectId(SPI_getbinval(tup, desc, 1, &isnull));
		f->attnum = DatumGetInt16(SPI_getbinval(tup, desc, 2, &isnull));
		f->seqid = DatumGetObjectId(SPI_getbinval(tup, desc, 3, &isnull));
		f->kind = (FeedKind) DatumGetInt32(SPI_getbinval(tup, desc, 4, &isnull));
		f->relkind = DatumGetChar(SPI_getbinval(tup, desc, 5, &isnull));
		f->has_parent = DatumGetBool(SPI_getbinval(tup, desc, 6, &isnull));
		f->nspname = SPI_getvalue(tup, desc, 7);
		f->relname = SPI_getvalue(tup, desc, 8);
		f->attname = SPI_getvalue(tup, desc, 9);
		f->typid = DatumGetObjectId(SPI_getbinval(tup, desc, 10, &isnull));
		f->seqnspname = SPI_getvalue(tup, desc, 11);
		f->seqname = SPI_getvalue(tup, desc, 12);
		f->nspid = DatumGetObjectId(SPI_getbinval(tup, desc, 13, &isnull));
		if (f->kind == FEED_DEFAULT)
		{
			/* a default that mentions the sequence without nextval() */
			char	   *adbin = SPI_getvalue(tup, desc, 14);

			if (!calls_nextval_walker(stringToNode(adbin), &f->seqid))
			{
				pfree(f);
				MemoryContextSwitchTo(old);
				continue;
			}
		}
		raw = lappend(raw, f);
		MemoryContextSwitchTo(old);
	}
	SPI_finish();
	return raw;
}

/* true for the column types a sequence value can be compared with */
bool
seqguard_is_integer_type(Oid typid)
{
	return typid == INT2OID || typid == INT4OID || typid == INT8OID;
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
			return "default";
	}
	return NULL;				/* keep compiler quiet */
}

/*
 * Turn a name[] argument into a list of schema OIDs; NULL means every
 * schema.  A NULL element or an unknown name is an error, raised before
 * anything is read or changed.
 */
List *
seqguard_schema_list(ArrayType *schemas)
{
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	List	   *result = NIL;

	if (schemas == NULL)
		return NIL;
	if (ARR_NDIM(schemas) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("schemas must be a one-dimensional array")));

	deconstruct_array(schemas, NAMEOID, NAMEDATALEN, false, TYPALIGN_CHAR,
					  &elems, &nulls, &n);
	if (n == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("schemas must not be an empty array"),
				 errhint("Pass NULL to cover every schema.")));

	for (int i = 0; i < n; i++)
	{
		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("schemas must not contain NULL")));
		result = list_append_unique_oid(result,
										get_namespace_oid(NameStr(*DatumGetName(elems[i])),
														  false));
	}
	return result;
}

/*
 * The first parent of a relation in pg_inherits, or InvalidOid.  A
 * partition has exactly one; under multiple inheritance the first listed
 * one is the one whose column numbering the child follows most closely.
 */
static Oid
first_parent(Oid relid)
{
	Relation	inh;
	SysScanDesc scan;
	ScanKeyData key[2];
	HeapTuple	tuple;
	Oid			parent = InvalidOid;

	inh = table_open(InheritsRelationId, AccessShareLock);
	ScanKeyInit(&key[0], Anum_pg_inherits_inhrelid,
				BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(relid));
	ScanKeyInit(&key[1], Anum_pg_inherits_inhseqno,
				BTEqualStrategyNumber, F_INT4EQ, Int32GetDatum(1));
	scan = systable_beginscan(inh, InheritsRelidSeqnoIndexId, true,
							  NULL, 2, key);
	if ((tuple = systable_getnext(scan)) != NULL)
		parent = ((Form_pg_inherits) GETSTRUCT(tuple))->inhparent;
	systable_endscan(scan);
	table_close(inh, AccessShareLock);
	return parent;
}

/*
 * Move a column up to the root of its tree, following it by name, for as
 * long as the parent has a column of that name.  A column dropped since
 * the catalog query comes back as InvalidAttrNumber.
 */
static void
fold_to_root(Oid *relid, AttrNumber *attnum)
{
	char	   *attname = get_attname(*relid, *attnum, true);
	Oid			parent;

	if (attname == NULL)
	{
		*attnum = InvalidAttrNumber;
		return;
	}

	while (OidIsValid(parent = first_parent(*relid)))
	{
		AttrNumber	pattnum = get_attnum(parent, attname);

		if (pattnum == InvalidAttrNumber)
			break;
		*relid = parent;
		*attnum = pattnum;
	}
}

/* a relation and all its ancestors, following first parents */
List *
seqguard_lineage(Oid relid)
{
	List	   *result = list_make1_oid(relid);

	while (OidIsValid(relid = first_parent(relid)))
		result = lappend_oid(result, relid);
	return result;
}

static int
feed_cmp_oids(const ListCell *a, const ListCell *b)
{
	const SeqFeed *fa = lfirst(a);
	const SeqFeed *fb = lfirst(b);

	if (fa->relid != fb->relid)
		return fa->relid < fb->relid ? -1 : 1;
	if (fa->attnum != fb->attnum)
		return fa->attnum < fb->attnum ? -1 : 1;
	if (fa->seqid != fb->seqid)
		return fa->seqid < fb->seqid ? -1 : 1;
	return (int) fa->kind - (int) fb->kind;
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

/*
 * Every sequence-fed column of the database, folded into tree roots,
 * limited to tables whose root is in one of nspids (NIL: all), in order of
 * schema, table, column and sequence name.  The result is allocated in the
 * caller's memory context.
 */
List *
seqguard_find_feeds(List *nspids)
{
	List	   *raw;
	List	   *result = NIL;
	SeqFeed    *prev = NULL;
	ListCell   *lc;

	raw = raw_feeds(NIL);

	foreach(lc, raw)
	{
		SeqFeed    *f = lfirst(lc);
		Oid			relid = f->relid;

		if (!f->has_parent)
			continue;
		fold_to_root(&f->relid, &f->attnum);
		if (f->relid != relid && f->attnum != InvalidAttrNumber)
		{
			/* names and kind are now those of the root */
			f->relkind = get_rel_relkind(f->relid);
			f->typid = get_atttype(f->relid, f->attnum);
			f->nspid = get_rel_namespace(f->relid);
			f->nspname = get_namespace_name(f->nspid);
			f->relname = get_rel_name(f->relid);
			f->attname = get_attname(f->relid, f->attnum, true);
		}
	}

	/*
	 * A serial column shows up twice (owned, and its default); a child's
	 * copied default shows up again under its root.  Keep the most specific
	 * kind of each (root, column, sequence).
	 */
	list_sort(raw, feed_cmp_oids);
	foreach(lc, raw)
	{
		SeqFeed    *f = lfirst(lc);

		if (f->attnum == InvalidAttrNumber)
			continue;
		if (prev && prev->relid == f->relid && prev->attnum == f->attnum &&
			prev->seqid == f->seqid)
			continue;
		prev = f;

		if (nspids != NIL && !list_member_oid(nspids, f->nspid))
			continue;

		/* dropped concurrently since the catalog query: not there any more */
		if (!f->nspname || !f->relname || !f->attname)
			continue;
		f->typid = getBaseType(f->typid);
		result = lappend(result, f);
	}
	list_free(raw);

	list_sort(result, feed_cmp_names);
	return result;
}

/*
 * The integer columns of one relation that a sequence feeds, directly or
 * through an ancestor (a partition attached without the parent's default
 * is still fed by the parent's sequence).  The SeqFeeds carry relid's own
 * column numbers.  *watch receives every relation the answer depends on:
 * the relation, its ancestors and the sequences.
 */
List *
seqguard_feeds_of(Oid relid, List **watch)
{
	List	   *lineage = seqguard_lineage(relid);
	List	   *result = NIL;
	ListCell   *lc;

	*watch = list_copy(lineage);
	foreach(lc, raw_feeds(lineage))
	{
		SeqFeed    *f = lfirst(lc);
		char	   *attname = get_attname(f->relid, f->attnum, true);
		AttrNumber	attnum;
		ListCell   *rc;
		bool		dup = false;

		if (attname == NULL ||
			(attnum = get_attnum(relid, attname)) == InvalidAttrNumber)
			continue;
		foreach(rc, result)
		{
			SeqFeed    *r = lfirst(rc);

			dup |= (r->attnum == attnum && r->seqid == f->seqid);
		}
		f->typid = getBaseType(get_atttype(relid, attnum));
		if (dup || !seqguard_is_integer_type(f->typid))
			continue;

		f->relid = relid;
		f->attnum = attnum;
		f->attname = attname;
		f->relname = get_rel_name(relid);
		f->nspid = get_rel_namespace(relid);
		f->nspname = get_namespace_name(f->nspid);
		f->seqname = get_rel_name(f->seqid);
		f->seqnspname = get_namespace_name(get_rel_namespace(f->seqid));
		if (f->relname == NULL || f->nspname == NULL ||
			f->seqname == NULL || f->seqnspname == NULL)
			continue;
		result = lappend(result, f);
		*watch = list_append_unique_oid(*watch, f->seqid);
	}
	return result;
}
