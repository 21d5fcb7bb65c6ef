/*-------------------------------------------------------------------------
 *
 * guard_plan.c
 *	  Which columns a planned INSERT, UPDATE or MERGE can have written
 *	  values of its own into, decided from the plan alone where it can be.
 *
 * A column that takes its nextval() default (under casts between numeric
 * types, or a domain) receives the sequence's own values: nothing is read.
 * Where only a BEFORE ROW trigger can have changed such a value, the
 * column is a "maybe" target: read only where an index makes that one
 * descent.  Explicit values that the plan carries (constants, and the
 * parameters of prepared statements, PL/pgSQL and SQL functions) in a
 * simple INSERT are taken from the plan, so that the table is not read
 * for them at all.  The rest is read by guard_act.c.
 *
 * Copyright (c) 2026, seqguard developers
 *
 * src/guard_plan.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_trigger.h"
#include "catalog/pg_type.h"
#include "executor/executor.h"
#include "nodes/nodeFuncs.h"
#include "nodes/params.h"
#include "nodes/plannodes.h"
#include "parser/parsetree.h"
#include "utils/rel.h"

#include "guard_int.h"
#include "range.h"
#include "seqguard.h"

/* what a ModifyTable node can have written into a column */
typedef enum Writes
{
	WRITES_NONE,				/* only the sequence's own values */
	WRITES_MAYBE,				/* those, but a BEFORE ROW trigger may have
								 * changed them */
	WRITES_OWN					/* values of its own */
} Writes;

/*
 * Strip what keeps a value as it is: binary-compatible relabelling, a
 * domain, and casts between integer types.
 */
static Node *
strip_integer_casts(Node *expr)
{
	for (;;)
	{
		if (expr == NULL)
			return NULL;
		if (IsA(expr, RelabelType))
			expr = (Node *) ((RelabelType *) expr)->arg;
		else if (IsA(expr, CoerceToDomain))
			expr = (Node *) ((CoerceToDomain *) expr)->arg;
		else if (IsA(expr, FuncExpr) &&
				 (((FuncExpr *) expr)->funcformat == COERCE_IMPLICIT_CAST ||
				  ((FuncExpr *) expr)->funcformat == COERCE_EXPLICIT_CAST) &&
				 list_length(((FuncExpr *) expr)->args) == 1 &&
				 seqguard_is_integer_type(((FuncExpr *) expr)->funcresulttype) &&
				 seqguard_is_integer_type(exprType(linitial(((FuncExpr *) expr)->args))))
			expr = linitial(((FuncExpr *) expr)->args);
		else
			return expr;
	}
}

/*
 * The expression of the row source that a Var of plan's target list
 * reads, for row "row" of a VALUES list: the Var is followed into the
 * VALUES list or the child plan it reads from.  NULL when it reads
 * something else.  *nrows receives the number of rows the source has.
 */
static Node *
var_source(Plan **plan, Var *var, int row, int *nrows)
{
	if (IsA(*plan, ValuesScan) && var->varno == ((Scan *) *plan)->scanrelid)
	{
		List	   *lists = ((ValuesScan *) *plan)->values_lists;

		*nrows = list_length(lists);
		*plan = NULL;
		return list_nth(list_nth(lists, row), var->varattno - 1);
	}
	if (var->varno == OUTER_VAR && outerPlan(*plan) != NULL)
	{
		TargetEntry *tle = get_tle_by_resno(outerPlan(*plan)->targetlist,
											var->varattno);

		*plan = outerPlan(*plan);
		return tle ? (Node *) tle->expr : NULL;
	}
	return NULL;
}

/*
 * Is expr the nextval() of seqid in every row, as a default or an identity
 * column puts it?  plan is the node whose target list expr is in; a Var is
 * followed into the VALUES list or the child plan it reads from, so that
 * multi-row VALUES with DEFAULT are seen too.
 */
static bool
is_seq_default(Plan *plan, Node *expr, Oid seqid)
{
	int			nrows = 1;

	if (seqguard_nextval_of(expr) == seqid)
		return true;
	expr = strip_integer_casts(expr);
	if (expr == NULL || !IsA(expr, Var) || plan == NULL)
		return false;
	for (int row = 0; row < nrows; row++)
	{
		Plan	   *p = plan;

		if (!is_seq_default(p, var_source(&p, (Var *) expr, row, &nrows), seqid))
			return false;
	}
	return true;
}

/* the expression a target list gives column attnum, or NULL */
static Node *
tlist_expr(List *tlist, AttrNumber attnum)
{
	TargetEntry *tle = get_tle_by_resno(tlist, attnum);

	return tle ? (Node *) tle->expr : NULL;
}

/* note value v in *kv */
static void
known_value(KnownValues *kv, int64 v)
{
	if (kv->nvalues == kv->space)
	{
		kv->space = kv->space ? kv->space * 2 : 8;
		kv->values = kv->values ? repalloc(kv->values, kv->space * sizeof(int64)) :
			palloc(kv->space * sizeof(int64));
	}
	kv->values[kv->nvalues++] = v;
}

/* the integer a constant or an external parameter holds; false otherwise */
static bool
plain_integer(Node *expr, ParamListInfo params, bool *isnull, int64 *v)
{
	Oid			type;
	Datum		d;

	if (IsA(expr, Const))
	{
		type = ((Const *) expr)->consttype;
		*isnull = ((Const *) expr)->constisnull;
		d = ((Const *) expr)->constvalue;
	}
	else if (IsA(expr, Param) && ((Param *) expr)->paramkind == PARAM_EXTERN &&
			 params != NULL && ((Param *) expr)->paramid > 0 &&
			 ((Param *) expr)->paramid <= params->numParams)
	{
		Param	   *p = (Param *) expr;
		ParamExternData workspace;
		ParamExternData *prm = params->paramFetch != NULL ?
			params->paramFetch(params, p->paramid, false, &workspace) :
			&params->params[p->paramid - 1];

		if (prm == NULL || prm->ptype != p->paramtype)
			return false;
		type = p->paramtype;
		*isnull = prm->isnull;
		d = prm->value;
	}
	else
		return false;

	if (*isnull)
		return true;
	switch (type)
	{
		case INT2OID:
			*v = DatumGetInt16(d);
			return true;
		case INT4OID:
			*v = DatumGetInt32(d);
			return true;
		case INT8OID:
			*v = DatumGetInt64(d);
			return true;
	}
	return false;
}

/*
 * The values that expr (in plan's target list) gave the column in every
 * row, into *kv, when the plan carries them all: integer constants or
 * parameters, or the sequence's own default (which is not a value of the
 * statement's own).  False when any row's value is computed.
 */
static bool
plan_values(Plan *plan, Node *expr, Oid seqid, ParamListInfo params, KnownValues *kv)
{
	int			nrows = 1;
	bool		isnull;
	int64		v;

	if (seqguard_nextval_of(expr) == seqid)
		return true;
	expr = strip_integer_casts(expr);
	if (expr == NULL)
		return false;
	if (!IsA(expr, Var))
	{
		if (!plain_integer(expr, params, &isnull, &v))
			return false;
		if (!isnull)
			known_value(kv, v);
		return true;
	}
	if (plan == NULL)
		return false;
	for (int row = 0; row < nrows; row++)
	{
		Plan	   *p = plan;

		if (!plan_values(p, var_source(&p, (Var *) expr, row, &nrows), seqid, params, kv))
			return false;
	}
	return true;
}

/*
 * What this ModifyTable node can have written into feed's column of
 * result relation number i.  When in doubt, WRITES_OWN: that costs a
 * probe.  A stored generated column is computed from others, so any
 * write may change it.  Whether a BEFORE ROW trigger of the relation may
 * set the column, the cache says (guard_trigger.c).
 */
static Writes
writes_own_value(ModifyTable *mt, int i, const SeqFeed *feed)
{
	bool		before_insert = feed->trig_insert;
	bool		before_update = feed->trig_update;
	ListCell   *lc;

	if (feed->generated == ATTRIBUTE_GENERATED_STORED)
		return (mt->operation == CMD_INSERT || mt->operation == CMD_UPDATE ||
				mt->operation == CMD_MERGE) ? WRITES_OWN : WRITES_NONE;

	switch (mt->operation)
	{
		case CMD_INSERT:
			if (!is_seq_default(outerPlan(&mt->plan),
								tlist_expr(outerPlan(&mt->plan)->targetlist, feed->attnum),
								feed->seqid) ||
				(mt->onConflictAction == ONCONFLICT_UPDATE &&
				 list_member_int(mt->onConflictCols, feed->attnum)))
				return WRITES_OWN;
			return (before_insert ||
					(mt->onConflictAction == ONCONFLICT_UPDATE && before_update)) ?
				WRITES_MAYBE : WRITES_NONE;
		case CMD_UPDATE:
			if (list_member_int(list_nth(mt->updateColnosLists, i), feed->attnum))
				return WRITES_OWN;
			return before_update ? WRITES_MAYBE : WRITES_NONE;
		case CMD_MERGE:
			foreach(lc, list_nth(mt->mergeActionLists, i))
			{
				MergeAction *action = lfirst(lc);

				if (action->commandType == CMD_UPDATE &&
					list_member_int(action->updateColnos, feed->attnum))
					return WRITES_OWN;
				if (action->commandType == CMD_INSERT &&
					!is_seq_default(NULL, tlist_expr(action->targetList, feed->attnum),
									feed->seqid))
					return WRITES_OWN;
			}
			return (before_insert || before_update) ? WRITES_MAYBE : WRITES_NONE;
		default:
			return WRITES_NONE;
	}
}

/* the ResultRelInfo of a result relation's range table index, or NULL if pruned */
static ResultRelInfo *
result_rel(EState *estate, Index rti)
{
	return estate->es_result_relations ? estate->es_result_relations[rti - 1] : NULL;
}

/*
 * The targets of one ModifyTable node: the columns of its result
 * relations it may have written values of its own into.  Adds to *written
 * the sequences it wrote values of its own for.  Allocates nothing for a
 * node that wrote only the sequences' own values, the common case.
 *
 * With targets NULL, only says whether there may be any, from the cache
 * alone; true also when the cache cannot tell.
 */
static bool
node_targets(ModifyTable *mt, EState *estate, List **targets, List **written)
{
	List	   *mine = NIL;
	bool		any = false;
	ListCell   *rc;

	foreach(rc, mt->resultRelations)
	{
		ResultRelInfo *rri = result_rel(estate, lfirst_int(rc));
		List	   *feeds;
		ListCell   *fc;

		if (rri == NULL)
			continue;			/* pruned: not written */
		if (targets == NULL)
		{
			if (!guard_cached_feeds(RelationGetRelid(rri->ri_RelationDesc), &feeds))
				return true;
		}
		else
			feeds = guard_feeds(RelationGetRelid(rri->ri_RelationDesc));
		foreach(fc, feeds)
		{
			SeqFeed    *feed = lfirst(fc);
			Writes		w = writes_own_value(mt, foreach_current_index(rc), feed);

			if (w == WRITES_NONE)
				continue;
			if (targets == NULL)
				return true;
			guard_add_target(targets, rri->ri_RelationDesc, rri, feed, w == WRITES_MAYBE);
			if (w == WRITES_OWN)
				mine = list_append_unique_oid(mine, feed->seqid);
			any = true;
		}
	}

	/*
	 * An UPDATE or MERGE through a partitioned table can move rows into any
	 * of its result relations, passing their BEFORE INSERT triggers.  Rows
	 * moved into a foreign partition cannot be read; that a trigger
	 * elsewhere may have changed their id is not taken to mean that one did
	 * (every updated_at trigger would make such trees fail).
	 */
	if ((mt->operation == CMD_UPDATE || mt->operation == CMD_MERGE) &&
		mt->rootRelation > 0)
		foreach(rc, mt->resultRelations)
		{
			ResultRelInfo *rri = result_rel(estate, lfirst_int(rc));

			if (rri == NULL ||
				!RELKIND_HAS_STORAGE(rri->ri_RelationDesc->rd_rel->relkind))
				continue;
			if (targets == NULL)
			{
				if (rri->ri_TrigDesc && rri->ri_TrigDesc->trig_insert_before_row)
					return true;
				continue;
			}
			guard_add_targets(targets, rri, mine, TRIGGER_TYPE_INSERT);
		}
	if (written != NULL)
		*written = list_concat_unique_oid(*written, mine);
	return any;
}

/*
 * The values a simple INSERT (one ModifyTable node, no ON CONFLICT, no
 * data-modifying WITH, no BEFORE ROW INSERT trigger on the table or on a
 * partition rows were routed to) wrote into the columns of its target,
 * per sequence, where the plan carries them all.  Then the rows are not
 * read for them (guard_act.c).
 */
static List *
statement_values(QueryDesc *queryDesc, List *targets)
{
	PlannedStmt *stmt = queryDesc->plannedstmt;
	EState	   *estate = queryDesc->estate;
	ModifyTable *mt;
	Plan	   *source;
	List	   *known = NIL;
	ListCell   *lc;

	if (!IsA(stmt->planTree, ModifyTable) || stmt->hasModifyingCTE)
		return NIL;
	mt = (ModifyTable *) stmt->planTree;
	if (mt->operation != CMD_INSERT || mt->onConflictAction != ONCONFLICT_NONE ||
		list_length(mt->resultRelations) != 1)
		return NIL;
	foreach(lc, estate->es_tuple_routing_result_relations)
	{
		ResultRelInfo *rri = lfirst(lc);

		if (rri->ri_TrigDesc && rri->ri_TrigDesc->trig_insert_before_row)
			return NIL;
	}

	source = outerPlan(&mt->plan);
	foreach(lc, targets)
	{
		Target	   *t = lfirst(lc);
		KnownValues *kv;
		ListCell   *kc;
		bool		seen = false;

		if (t->maybe || t->feed->generated == ATTRIBUTE_GENERATED_STORED)
			continue;
		foreach(kc, known)
			seen |= ((KnownValues *) lfirst(kc))->seqid == t->feed->seqid;
		if (seen)
			continue;
		kv = palloc0(sizeof(KnownValues));
		kv->seqid = t->feed->seqid;
		if (plan_values(source, tlist_expr(source->targetlist, t->feed->attnum),
						t->feed->seqid, estate->es_param_list_info, kv))
			known = lappend(known, kv);
	}
	return known;
}

/*
 * After the executor: which columns of which relations did this
 * statement's ModifyTable nodes (the plan's top node, and data-modifying
 * CTEs, which are the top nodes of subplans) write values of their own
 * into?
 */
void
guard_statement(void *arg)
{
	QueryDesc  *queryDesc = arg;
	PlannedStmt *stmt = queryDesc->plannedstmt;
	EState	   *estate = queryDesc->estate;
	List	   *targets = NIL;
	List	   *written = NIL;	/* sequences some node wrote values for */
	bool		conflict_update = false;
	ListCell   *lc;

	if (IsA(stmt->planTree, ModifyTable))
	{
		node_targets((ModifyTable *) stmt->planTree, estate, &targets, &written);
		conflict_update |= ((ModifyTable *) stmt->planTree)->onConflictAction == ONCONFLICT_UPDATE;
	}
	foreach(lc, stmt->subplans)
		if (lfirst(lc) && IsA(lfirst(lc), ModifyTable))
		{
			node_targets(lfirst(lc), estate, &targets, &written);
			conflict_update |= ((ModifyTable *) lfirst(lc))->onConflictAction == ONCONFLICT_UPDATE;
		}

	/*
	 * Partitions rows were routed to (INSERT through the root, UPDATE moving
	 * a row) received the values written, and pass their own BEFORE ROW
	 * triggers, which may set the column: BEFORE INSERT, and BEFORE UPDATE
	 * where ON CONFLICT DO UPDATE updated a row there.
	 */
	foreach(lc, estate->es_tuple_routing_result_relations)
		guard_add_targets(&targets, lfirst(lc), written,
						  conflict_update ? TRIGGER_TYPE_INSERT | TRIGGER_TYPE_UPDATE :
						  TRIGGER_TYPE_INSERT);
	guard_act(targets, statement_values(queryDesc, targets), estate->es_output_cid,
			  seqguard_mode);
}

/*
 * Can this statement have written values of its own into a sequence-fed
 * column, as far as the cache tells without building anything?  False
 * only when certain that it did not: then the guard needs no set-up at
 * all, the cost of a plain INSERT that takes its default.
 */
bool
guard_statement_may_write(QueryDesc *queryDesc)
{
	PlannedStmt *stmt = queryDesc->plannedstmt;
	EState	   *estate = queryDesc->estate;
	ModifyTable *mt;
	ListCell   *lc;

	if (!IsA(stmt->planTree, ModifyTable) || stmt->hasModifyingCTE)
		return true;
	mt = (ModifyTable *) stmt->planTree;
	if (node_targets(mt, estate, NULL, NULL))
		return true;

	/* partitions rows were routed to, and their BEFORE ROW triggers */
	foreach(lc, estate->es_tuple_routing_result_relations)
	{
		ResultRelInfo *rri = lfirst(lc);
		List	   *feeds;
		ListCell   *fc;

		if (!guard_cached_feeds(RelationGetRelid(rri->ri_RelationDesc), &feeds))
			return true;
		foreach(fc, feeds)
		{
			SeqFeed    *feed = lfirst(fc);

			if (feed->trig_insert ||
				(mt->onConflictAction == ONCONFLICT_UPDATE && feed->trig_update))
				return true;
		}
	}
	return false;
}
