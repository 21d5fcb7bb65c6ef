/*-------------------------------------------------------------------------
 *
 * guard_plan.c
 *	  Which columns a planned INSERT, UPDATE or MERGE can have written
 *	  values of its own into, decided from the plan alone where it can be:
 *	  a column that takes its nextval() default, under exact casts or a
 *	  domain, receives the sequence's own values, and then nothing is read.
 *	  The rest is read by guard_act.c.
 *
 * Copyright (c) 2026, seqguard developers
 *
 * src/guard_plan.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/executor.h"
#include "nodes/nodeFuncs.h"
#include "nodes/plannodes.h"
#include "parser/parsetree.h"
#include "utils/fmgroids.h"
#include "utils/rel.h"

#include "guard_int.h"
#include "range.h"

/*
 * Does this cast keep every value that nextval() can return?  Only casts
 * between integer types and numeric do; a cast to a floating-point type
 * may round an explicit value onto the sequence's own.
 */
static bool
exact_cast(FuncExpr *expr)
{
	Oid			from = exprType(linitial(expr->args));

	return (seqguard_is_integer_type(expr->funcresulttype) ||
			expr->funcresulttype == NUMERICOID) &&
		(seqguard_is_integer_type(from) || from == NUMERICOID);
}

/*
 * Is expr the nextval() of seqid, as a default or an identity column puts
 * it, perhaps under exact casts or a domain?  A Var is followed into the
 * VALUES list or the child plan it reads from, so multi-row VALUES with
 * DEFAULT are seen too.
 */
static bool
is_seq_default(Plan *plan, Node *expr, Oid seqid)
{
	for (;;)
	{
		if (expr == NULL)
			return false;
		if (IsA(expr, RelabelType))
			expr = (Node *) ((RelabelType *) expr)->arg;
		else if (IsA(expr, CoerceToDomain))
			expr = (Node *) ((CoerceToDomain *) expr)->arg;
		else if (IsA(expr, FuncExpr) &&
				 (((FuncExpr *) expr)->funcformat == COERCE_IMPLICIT_CAST ||
				  ((FuncExpr *) expr)->funcformat == COERCE_EXPLICIT_CAST) &&
				 list_length(((FuncExpr *) expr)->args) == 1 &&
				 exact_cast((FuncExpr *) expr))
			expr = linitial(((FuncExpr *) expr)->args);
		else
			break;
	}

	if (IsA(expr, NextValueExpr))
		return ((NextValueExpr *) expr)->seqid == seqid;
	if (IsA(expr, FuncExpr) && ((FuncExpr *) expr)->funcid == F_NEXTVAL)
	{
		Node	   *arg = linitial(((FuncExpr *) expr)->args);

		return IsA(arg, Const) && !((Const *) arg)->constisnull &&
			((Const *) arg)->consttype == REGCLASSOID &&
			DatumGetObjectId(((Const *) arg)->constvalue) == seqid;
	}
	if (IsA(expr, Var) && plan != NULL)
	{
		Var		   *var = (Var *) expr;

		if (IsA(plan, ValuesScan) && var->varno == ((Scan *) plan)->scanrelid)
		{
			ListCell   *lc;

			foreach(lc, ((ValuesScan *) plan)->values_lists)
				if (!is_seq_default(NULL, list_nth(lfirst(lc), var->varattno - 1), seqid))
					return false;
			return true;
		}
		if (var->varno == OUTER_VAR && outerPlan(plan) != NULL)
		{
			TargetEntry *tle = get_tle_by_resno(outerPlan(plan)->targetlist,
												var->varattno);

			return tle && is_seq_default(outerPlan(plan), (Node *) tle->expr, seqid);
		}
	}
	return false;
}

/* the expression a target list gives column attnum, or NULL */
static Node *
tlist_expr(List *tlist, AttrNumber attnum)
{
	TargetEntry *tle = get_tle_by_resno(tlist, attnum);

	return tle ? (Node *) tle->expr : NULL;
}

/*
 * Can this ModifyTable node write a value of its own into feed's column
 * of result relation number i?  When in doubt, yes: that costs a probe.
 * A stored generated column is computed from others, so any write may
 * change it.
 */
static bool
writes_own_value(ModifyTable *mt, int i, ResultRelInfo *rri, const SeqFeed *feed)
{
	TriggerDesc *trig = rri ? rri->ri_TrigDesc : NULL;
	ListCell   *lc;

	if (feed->generated == ATTRIBUTE_GENERATED_STORED)
		return mt->operation == CMD_INSERT || mt->operation == CMD_UPDATE ||
			mt->operation == CMD_MERGE;

	switch (mt->operation)
	{
		case CMD_INSERT:
			if ((trig && trig->trig_insert_before_row) ||
				(mt->onConflictAction == ONCONFLICT_UPDATE &&
				 ((trig && trig->trig_update_before_row) ||
				  list_member_int(mt->onConflictCols, feed->attnum))))
				return true;
			return !is_seq_default(outerPlan(&mt->plan),
								   tlist_expr(outerPlan(&mt->plan)->targetlist, feed->attnum),
								   feed->seqid);
		case CMD_UPDATE:
			return (trig && trig->trig_update_before_row) ||
				list_member_int(list_nth(mt->updateColnosLists, i), feed->attnum);
		case CMD_MERGE:
			if (trig && (trig->trig_insert_before_row || trig->trig_update_before_row))
				return true;
			foreach(lc, list_nth(mt->mergeActionLists, i))
			{
				MergeAction *action = lfirst(lc);

				if (action->commandType == CMD_UPDATE &&
					list_member_int(action->updateColnos, feed->attnum))
					return true;
				if (action->commandType == CMD_INSERT &&
					!is_seq_default(NULL, tlist_expr(action->targetList, feed->attnum),
									feed->seqid))
					return true;
			}
			return false;
		default:
			return false;
	}
}

/*
 * Add the targets of one ModifyTable node: the columns of its result
 * relations it may have written values of its own into.  Adds to *written
 * the sequences concerned.  Allocates nothing for a node that wrote only
 * the sequences' own values, the common case.
 */
static void
node_targets(ModifyTable *mt, EState *estate, List **targets, List **written)
{
	List	   *mine = NIL;
	ListCell   *rc;

	foreach(rc, mt->resultRelations)
	{
		Index		rti = lfirst_int(rc);
		ResultRelInfo *rri = estate->es_result_relations ?
			estate->es_result_relations[rti - 1] : NULL;
		ListCell   *fc;

		if (rri == NULL)
			continue;			/* pruned: not written */
		foreach(fc, guard_feeds(RelationGetRelid(rri->ri_RelationDesc)))
		{
			SeqFeed    *feed = lfirst(fc);

			if (writes_own_value(mt, foreach_current_index(rc), rri, feed))
			{
				guard_add_target(targets, rri->ri_RelationDesc, feed);
				mine = list_append_unique_oid(mine, feed->seqid);
			}
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
			Index		rti = lfirst_int(rc);
			ResultRelInfo *rri = estate->es_result_relations ?
				estate->es_result_relations[rti - 1] : NULL;

			if (rri != NULL &&
				RELKIND_HAS_STORAGE(rri->ri_RelationDesc->rd_rel->relkind))
				guard_add_targets(targets, rri->ri_RelationDesc, mine,
							rri->ri_TrigDesc && rri->ri_TrigDesc->trig_insert_before_row);
		}
	*written = list_concat_unique_oid(*written, mine);
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
	ListCell   *lc;

	if (IsA(stmt->planTree, ModifyTable))
		node_targets((ModifyTable *) stmt->planTree, estate, &targets, &written);
	foreach(lc, stmt->subplans)
		if (lfirst(lc) && IsA(lfirst(lc), ModifyTable))
			node_targets(lfirst(lc), estate, &targets, &written);

	/*
	 * Partitions rows were routed to (INSERT through the root, UPDATE moving
	 * a row) received the values written, and pass their own BEFORE ROW
	 * triggers, which may set the column.
	 */
	foreach(lc, estate->es_tuple_routing_result_relations)
	{
		ResultRelInfo *rri = lfirst(lc);
		bool		triggers = rri->ri_TrigDesc && rri->ri_TrigDesc->trig_insert_before_row;

		if (written != NIL || triggers)
			guard_add_targets(&targets, rri->ri_RelationDesc, written, triggers);
	}
	guard_act(targets, estate->es_output_cid);
}
