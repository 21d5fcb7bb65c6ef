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
#include "utils/builtins.h"

#include "advice.h"
#include "range.h"

/* SELECT * FROM fix_sequence('schema.table', 'column'); with fixfn qualified */
char *
seqguard_fix_call(const char *fixfn, const SeqFeed *f)
{
	return psprintf("SELECT * FROM %s(%s, %s);", fixfn,
					quote_literal_cstr(quote_qualified_identifier(f->nspname, f->relname)),
					quote_literal_cstr(f->attname));
}

/*
 * Append to buf, each after a space, the statements that let the
 * sequence reach need (a value in its direction; PG_INT64_MAX or MIN for
 * "as far as bigint goes"): ALTER TABLE ... TYPE bigint for each column
 * of feeds whose type ends before it, then ALTER SEQUENCE ... AS bigint
 * and NO MAXVALUE (NO MINVALUE) when the sequence's own range ends before
 * it.  Returns false, appending nothing, when nothing ends before need.
 */
bool
seqguard_append_widening(StringInfo buf, const SeqState *seq, int64 need, List *feeds)
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
		if (asc ? need > tmax : need < tmin)
		{
			appendStringInfo(buf, " ALTER TABLE %s ALTER COLUMN %s TYPE bigint;",
							 quote_qualified_identifier(f->nspname, f->relname),
							 quote_identifier(f->attname));
			any = true;
		}
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
