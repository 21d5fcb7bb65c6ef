/*-------------------------------------------------------------------------
 *
 * sqlfunc.h
 *	  Arguments and names shared by the SQL-callable functions (sqlfunc.c).
 *
 * Copyright (c) 2026, seqguard developers
 *
 * src/sqlfunc.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SEQGUARD_SQLFUNC_H
#define SEQGUARD_SQLFUNC_H

#include "fmgr.h"
#include "nodes/pg_list.h"

extern List *seqguard_schemas_arg(FunctionCallInfo fcinfo, int argno);
extern bool seqguard_bool_arg(FunctionCallInfo fcinfo, int argno, const char *name);
extern char *seqguard_own_function(FunctionCallInfo fcinfo, const char *name);

#endif							/* SEQGUARD_SQLFUNC_H */
