/*-------------------------------------------------------------------------
 *
 * guard_trigger.c
 *	  Which BEFORE ROW triggers may set a sequence-fed column.
 *
 * A plain INSERT that takes the column's nextval() default writes the
 * sequence's own values, unless a BEFORE ROW trigger changes them; the
 * same goes for an UPDATE that does not set the column.  Most such
 * triggers stamp another column (created_at, updated_at) and leave the id
 * alone.  This file tells them apart from the function's source, once per
 * relation (the guard's cache keeps the answer until the relation, its
 * triggers or any function change), so that the statements they fire for
 * cost the guard nothing.
 *
 * A PL/pgSQL function is taken to leave column c of NEW alone when every
 * mention of the word NEW in its source is NEW.x with x another column,
 * or RETURN NEW; and every RETURN returns NEW, OLD or NULL.  That rules
 * out every way PL/pgSQL has to change NEW (an assignment to NEW.c or to
 * NEW, INTO NEW, an alias of NEW, passing NEW as an INOUT argument,
 * returning another row).  The reading is lexical and errs one way only:
 * a mention in a comment or a string literal counts, which can only make
 * a trigger be read as one that may set the column.  Functions in other
 * languages may set any column.
 *
 * Copyright (c) 2026, seqguard developers
 *
 * src/guard_trigger.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_trigger.h"
#include "commands/proclang.h"
#include "utils/builtins.h"
#include "utils/rel.h"
#include "utils/reltrigger.h"
#include "utils/syscache.h"

#include "guard_int.h"

static bool
ident_char(char c)
{
	return isalnum((unsigned char) c) || c == '_' || c == '$' || IS_HIGHBIT_SET(c);
}

/* is the word w (lower case) at src[i], with no identifier character around it? */
static bool
word_at(const char *src, size_t len, size_t i, const char *w)
{
	size_t		n = strlen(w);

	if (i + n > len || pg_strncasecmp(src + i, w, n) != 0)
		return false;
	return (i == 0 || !ident_char(src[i - 1])) &&
		(i + n == len || !ident_char(src[i + n]));
}

static size_t
skip_space(const char *src, size_t len, size_t i)
{
	while (i < len && isspace((unsigned char) src[i]))
		i++;
	return i;
}

/*
 * The identifier at src[i] as PostgreSQL reads it (quoted: as written;
 * unquoted: ASCII letters folded to lower case), or NULL.
 */
static char *
identifier_at(const char *src, size_t len, size_t i)
{
	StringInfoData id;

	initStringInfo(&id);
	if (i < len && src[i] == '"')
	{
		for (i++; i < len; i++)
		{
			if (src[i] == '"')
			{
				if (i + 1 < len && src[i + 1] == '"')
					i++;
				else
					return id.data;
			}
			appendStringInfoChar(&id, src[i]);
		}
		return NULL;			/* unterminated */
	}
	while (i < len && ident_char(src[i]))
		appendStringInfoChar(&id, pg_ascii_tolower((unsigned char) src[i++]));
	return id.len > 0 ? id.data : NULL;
}

/* May the PL/pgSQL source src change column attname of NEW?  See above. */
static bool
plpgsql_may_set(const char *src, const char *attname)
{
	size_t		len = strlen(src);

	for (size_t i = 0; i < len; i++)
	{
		size_t		j;

		if (word_at(src, len, i, "new"))
		{
			char	   *col;

			j = skip_space(src, len, i + 3);
			if (j < len && src[j] == '.')
			{
				col = identifier_at(src, len, skip_space(src, len, j + 1));
				if (col == NULL || strcmp(col, attname) == 0)
					return true;
				continue;
			}
			/* RETURN NEW; (checked below with every RETURN) */
			if (j < len && src[j] == ';' && i >= 6)
			{
				size_t		k = i;

				while (k > 0 && isspace((unsigned char) src[k - 1]))
					k--;
				if (k >= 6 && word_at(src, len, k - 6, "return"))
					continue;
			}
			return true;
		}
		if (word_at(src, len, i, "return"))
		{
			j = skip_space(src, len, i + 6);
			if (!word_at(src, len, j, "new") && !word_at(src, len, j, "old") &&
				!word_at(src, len, j, "null"))
				return true;
			j = skip_space(src, len, j + (word_at(src, len, j, "null") ? 4 : 3));
			if (j >= len || src[j] != ';')
				return true;
		}
	}
	return false;
}

/* May the trigger function funcoid set column attname of NEW? */
static bool
function_may_set(Oid funcoid, const char *attname)
{
	HeapTuple	tup = SearchSysCache1(PROCOID, ObjectIdGetDatum(funcoid));
	bool		result = true;

	if (HeapTupleIsValid(tup))
	{
		Oid			plpgsql = get_language_oid("plpgsql", true);
		bool		isnull;
		Datum		src;

		if (OidIsValid(plpgsql) &&
			((Form_pg_proc) GETSTRUCT(tup))->prolang == plpgsql)
		{
			src = SysCacheGetAttr(PROCOID, tup, Anum_pg_proc_prosrc, &isnull);
			if (!isnull)
				result = plpgsql_may_set(TextDatumGetCString(src), attname);
		}
		ReleaseSysCache(tup);
	}
	return result;
}

/*
 * May a BEFORE ROW trigger of relid for event (TRIGGER_TYPE_INSERT or
 * TRIGGER_TYPE_UPDATE) set column attname?  Triggers disabled for now
 * count too: they may be enabled without the relation changing.
 */
bool
guard_triggers_may_set(Oid relid, int16 event, const char *attname)
{
	Relation	rel = RelationIdGetRelation(relid);
	TriggerDesc *trigdesc;
	bool		result = false;

	if (!RelationIsValid(rel))
		return true;
	trigdesc = rel->trigdesc;
	for (int i = 0; trigdesc != NULL && i < trigdesc->numtriggers && !result; i++)
	{
		Trigger    *trig = &trigdesc->triggers[i];

		if (TRIGGER_TYPE_MATCHES(trig->tgtype, TRIGGER_TYPE_ROW,
								 TRIGGER_TYPE_BEFORE, event))
			result = function_may_set(trig->tgfoid, attname);
	}
	RelationClose(rel);
	return result;
}
