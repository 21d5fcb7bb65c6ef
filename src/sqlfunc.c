/*-------------------------------------------------------------------------
 *
 * sqlfunc.c
 *	  Arguments and names shared by the SQL-callable functions.
 *
 * Bad arguments are rejected with an ERROR before anything is read or
 * changed.
 *
 * Copyright (c) 2026, seqguard developers
 *
 * src/sqlfunc.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

#include "sqlfunc.h"

/*
 * A name[] argument as a list of schema OIDs; NULL means every schema
 * (NIL).  A NULL element or an unknown name is an error.
 */
List *
seqguard_schemas_arg(FunctionCallInfo fcinfo, int argno)
{
	ArrayType  *schemas;
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	List	   *result = NIL;

	if (PG_ARGISNULL(argno))
		return NIL;
	schemas = PG_GETARG_ARRAYTYPE_P(argno);
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

/* a boolean argument that must not be NULL */
bool
seqguard_bool_arg(FunctionCallInfo fcinfo, int argno, const char *name)
{
	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be NULL", name)));
	return PG_GETARG_BOOL(argno);
}

/*
 * The schema-qualified name of a function of this extension, in the
 * schema of the function being called, for the statements a message
 * suggests.
 */
char *
seqguard_own_function(FunctionCallInfo fcinfo, const char *name)
{
	Oid			nsp = get_func_namespace(fcinfo->flinfo->fn_oid);

	return quote_qualified_identifier(get_namespace_name(nsp), name);
}
