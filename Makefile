# seqguard/Makefile
#
# PGXS.  Works in the source tree (make && make install) and out of tree,
# as pg_buildext builds it: make -C build-15 -f ../Makefile VPATH=..
# (PGXS sets srcdir from VPATH; every source file is named through it).

EXTENSION = seqguard
# the version is the control file's default_version; "make dist" names the
# archive after META.json's version
EXTVERSION = $(shell sed -n "s/^default_version[[:space:]]*=[[:space:]]*'\([^']*\)'.*/\1/p" $(srcdir)/$(EXTENSION).control)
DISTVERSION = $(shell perl -MJSON::PP -0777 -ne 'print decode_json($$_)->{version}' $(srcdir)/META.json)

MODULE_big = seqguard
OBJS = \
	src/seqguard.o \
	src/sqlfunc.o \
	src/range.o \
	src/transient.o \
	src/catalog.o \
	src/probe.o \
	src/seqstate.o \
	src/advice.o \
	src/check.o \
	src/fix.o \
	src/guard.o \
	src/guard_cache.o \
	src/guard_plan.o \
	src/guard_trigger.o \
	src/guard_utility.o \
	src/guard_act.o \
	src/guard_msg.o \
	src/guard_replica.o \
	src/usage.o

# The first release's script and every upgrade script are kept in the
# tree; the current version's whole script is built from them (the first
# one followed by each upgrade), so that CREATE EXTENSION runs one script
# and ALTER EXTENSION UPDATE the upgrades, from the same statements.
BASE_SCRIPT = $(EXTENSION)--1.0.sql
UPGRADE_SCRIPTS = $(EXTENSION)--1.0--1.1.sql
DATA = $(BASE_SCRIPT) $(UPGRADE_SCRIPTS)
DATA_built = $(EXTENSION)--$(EXTVERSION).sql
PGFILEDESC = "seqguard - keep sequences ahead of their data"

PG_CPPFLAGS = -I$(srcdir)/src

# pg_regress: user-visible output; isolation: the concurrency promises;
# pgTAP (test/*.sql, through pg_prove): the behaviour tables.  "make
# installcheck" runs all three against the server PGHOST/PGPORT name.
REGRESS = $(sort $(notdir $(basename $(wildcard $(srcdir)/sql/*.sql))))
ISOLATION = $(sort $(notdir $(basename $(wildcard $(srcdir)/specs/*.spec))))
# TAP=auto (default): pgTAP runs where pg_prove and the pgtap extension are
# installed, and says it did not elsewhere; TAP=yes: they must be; TAP=no
TAP ?= auto

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

ifeq ($(EXTVERSION),)
$(error no default_version in $(srcdir)/$(EXTENSION).control)
endif

installcheck: installcheck-tap

$(EXTENSION)--$(EXTVERSION).sql: $(addprefix $(srcdir)/,$(BASE_SCRIPT) $(UPGRADE_SCRIPTS))
	@{ echo '/* $@: built by make from $(BASE_SCRIPT) $(UPGRADE_SCRIPTS) */'; echo; \
	   echo '-- complain if script is sourced in psql, rather than via CREATE EXTENSION'; \
	   printf '%s\n' '\echo Use "CREATE EXTENSION $(EXTENSION)" to load this file. \quit'; \
	   for f in $^; do echo; echo "-- $$(basename $$f)"; sed '/^\\echo Use /d; /^-- complain if script is sourced/d' $$f; done; } >$@

.PHONY: installcheck-tap
installcheck-tap:
	@TAP=$(TAP) bash $(srcdir)/test/lib/tap.sh $(srcdir)

# PGXS does not track headers
$(OBJS): $(wildcard $(srcdir)/src/*.h)

# Out of tree, the objects' directories do not exist yet.
$(OBJS) $(OBJS:.o=.bc): | objdirs
.PHONY: objdirs
objdirs:
	@mkdir -p $(sort $(dir $(OBJS)))

# A release archive for PGXN, of the committed tree (HEAD), with the
# directory name PGXN expects: seqguard-1.0.0/
.PHONY: dist
dist:
	git -C $(srcdir) archive --format=zip --prefix=$(EXTENSION)-$(DISTVERSION)/ \
		-o $(CURDIR)/$(EXTENSION)-$(DISTVERSION).zip HEAD
	@echo $(EXTENSION)-$(DISTVERSION).zip
