/*-------------------------------------------------------------------------
 *
 * advice.c
 *	  The statements that the check's and the repair's details advise.
 *
 * Every piece of advice is a complete statement, with the objects' names
 * quoted as identifiers, that can be run as it stands: no "..." to fill
 * in, and every step given at once.
 *
 * Copyright (c) 2026, seqguard developers
 *
 * src/advice.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "nodes/value.h"
#include "parser/parse_func.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

#include "advice.h"
#include "range.h"

/*
 * The names of fix_sequence() and widening_plan() in the schema of the
 * function being called (the extension's); widening_plan() only where the
 * installed version has it.
 */
void
seqguard_advice_names(FunctionCallInfo fcinfo, AdviceNames *names)
{
	char	   *nspname = get_namespace_name(get_func_namespace(fcinfo->flinfo->fn_oid));

	names->fix = quote_qualified_identifier(nspname, "fix_sequence");
	names->plan = NULL;
	if (OidIsValid(LookupFuncName(list_make2(makeString(nspname), makeString("widening_plan")),
								  -1, NULL, true)))
		names->plan = quote_qualified_identifier(nspname, "widening_plan");
}

/* "'schema.table', 'column'": the arguments that name f's column */
static char *
column_args(const SeqFeed *f)
{
	return psprintf("%s, %s",
					quote_literal_cstr(quote_qualified_identifier(f->nspname, f->relname)),
					quote_literal_cstr(f->attname));
}

/* SELECT * FROM schema.fix_sequence('schema.table', 'column'); */
char *
seqguard_fix_call(const AdviceNames *names, const SeqFeed *f)
{
	return psprintf("SELECT * FROM %s(%s);", names->fix, column_args(f));
}

/*
 * Append to buf, each after a space, the statements that let the
 * sequence reach need (a value in its direction; PG_INT64_MAX or MIN for
 * "as far as bigint goes").  Where a column of feeds has a type that ends
 * before it, the call of widening_plan() for it, whose plan covers the
 * sequence, every foreign key that references the column and what stands
 * in the way; before 1.1, ALTER TABLE ... TYPE bigint for each such column.
 * Otherwise ALTER SEQUENCE ... AS bigint and NO MAXVALUE (NO MINVALUE) when
 * the sequence's own range ends before it.  Returns false, appending
 * nothing, when nothing ends before need.
 */
bool
seqguard_append_widening(StringInfo buf, const AdviceNames *names,
						 const SeqState *seq, int64 need, List *feeds)
{
	bool		asc = seq->increment > 0;
	bool		any = false;
	const SeqFeed *first = NULL;
	ListCell   *lc;

	foreach(lc, feeds)
	{
		const SeqFeed *f = lfirst(lc);
		int64		tmin,
					tmax;

		if (!seqguard_is_integer_type(f->typid) || f->typid == INT8OID)
			continue;
		seqguard_type_limits(f->typid, &tmin, &tmax);
		if (!(asc ? need > tmax : need < tmin))
			continue;
		if (names->plan != NULL)
		{
			appendStringInfo(buf, " the steps of SELECT * FROM %s(%s);", names->plan, column_args(f));
			return true;
		}
		appendStringInfo(buf, " ALTER TABLE %s ALTER COLUMN %s TYPE bigint;",
						 quote_qualified_identifier(f->nspname, f->relname),
						 quote_identifier(f->attname));
		any = true;
	}
	if (feeds != NIL)
		first = linitial(feeds);
	if (first != NULL && (asc ? need > seq->maxv : need < seq->minv))
	{
		const char *bound = asc ? "NO MAXVALUE" : "NO MINVALUE";

		if (seq->typid != INT8OID)
			appendStringInfo(buf, " ALTER SEQUENCE %s AS bigint %s;",
							 quote_qualified_identifier(first->seqnspname, first->seqname),
							 bound);
		else
			appendStringInfo(buf, " ALTER SEQUENCE %s %s;",
							 quote_qualified_identifier(first->seqnspname, first->seqname),
							 bound);
		any = true;
	}
	return any;
}
