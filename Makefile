# seqguard/Makefile

EXTENSION = seqguard
EXTVERSION = $(shell sed -n "s/^default_version[[:space:]]*=[[:space:]]*'\([^']*\)'.*/\1/p" $(EXTENSION).control)

MODULE_big = seqguard
OBJS = \
	src/seqguard.o \
	src/catalog.o \
	src/probe.o \
	src/seqstate.o \
	src/check.o \
	src/fix.o \
	src/guard.o

DATA = $(EXTENSION)--$(EXTVERSION).sql
PGFILEDESC = "seqguard - keep sequences ahead of their data"

PG_CPPFLAGS = -I$(srcdir)/src

# pg_regress: user-visible output; isolation: the concurrency promises.
REGRESS = $(patsubst sql/%.sql,%,$(sort $(wildcard sql/*.sql)))
ISOLATION = $(patsubst specs/%.spec,%,$(sort $(wildcard specs/*.spec)))

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# PGXS does not track headers
$(OBJS): src/seqguard.h src/compat.h
